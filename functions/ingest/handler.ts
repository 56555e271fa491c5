// Lambda entry point of ingest: S3 upload notifications (through SQS) -> one execution per complete case.
import middy from '@middy/core'
import { cloudStageContext, deploymentConfig, requiredEnv, stepFunctionsStarter } from '../../src/aws/cloud-context.js'
import { createIngestHandler } from './create-handler.js'

export const handler = middy().handler(
  createIngestHandler({
    stores: cloudStageContext().stores,
    workBucket: requiredEnv('WORK_BUCKET'),
    outputBucket: requiredEnv('OUTPUT_BUCKET'),
    starter: stepFunctionsStarter(requiredEnv('STATE_MACHINE_ARN')),
    config: deploymentConfig(),
  }),
)
