// Wiring of the Lambda functions: S3 buckets as object stores, Step Functions for task
// tokens and executions. Everything else the handlers do is in src/pipeline.
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn'
import type { StageContext } from '../pipeline/stage-context.js'
import type { ExecutionStarter, TaskCallbacks } from '../pipeline/task-callbacks.js'
import type { ObjectStore } from '../store/object-store.js'
import { createS3Client, createSfnClient } from './clients.js'
import { S3ObjectStore } from './s3-object-store.js'

export function requiredEnv(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`environment variable ${name} is not set`)
  return value
}

export function s3StoreResolver(client = createS3Client()): (bucket: string) => ObjectStore {
  const stores = new Map<string, ObjectStore>()
  return (bucket) => {
    let store = stores.get(bucket)
    if (!store) stores.set(bucket, (store = new S3ObjectStore(bucket, client)))
    return store
  }
}

export function cloudStageContext(): StageContext {
  return { stores: s3StoreResolver(), scratchRoot: process.env.VOXELFLOW_SCRATCH ?? '/tmp' }
}

export function stepFunctionsTaskCallbacks(client: SFNClient = createSfnClient()): TaskCallbacks {
  return {
    async succeed(taskToken, output) {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }))
    },
    async fail(taskToken, error, cause) {
      await client.send(new SendTaskFailureCommand({ taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32_768) }))
    },
  }
}

export function stepFunctionsStarter(stateMachineArn: string, client: SFNClient = createSfnClient()): ExecutionStarter {
  return {
    async start(name, input) {
      try {
        const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }))
        return { started: true, executionId: executionArn ?? name }
      } catch (error) {
        // Same name = same case content and config: an at-least-once duplicate, not an error.
        if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return { started: false, executionId: name }
        throw error
      }
    },
  }
}

/** Deployment-wide pipeline settings from PIPELINE_CONFIG (JSON), validated by ingest. */
export function deploymentConfig(): Record<string, unknown> {
  const text = process.env.PIPELINE_CONFIG
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

/** What ingest-like functions (ingest, reprocess) need, from the stack's environment variables. */
export function cloudIngestDependencies() {
  return {
    stores: cloudStageContext().stores,
    workBucket: requiredEnv('WORK_BUCKET'),
    outputBucket: requiredEnv('OUTPUT_BUCKET'),
    starter: stepFunctionsStarter(requiredEnv('STATE_MACHINE_ARN')),
    config: deploymentConfig(),
  }
}
