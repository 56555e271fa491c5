import { readFileSync } from 'node:fs'
import { Stack, type CfnElement } from 'aws-cdk-lib'
import { Match, type Template } from 'aws-cdk-lib/assertions'
import type { IConstruct } from 'constructs'
import { beforeAll, describe, expect, it } from 'vitest'
import { bucketAccess, defaultFunctionSizing, type StageName, type VoxelflowStack } from '../../infra/voxelflow-stack.js'
import { synthStack } from './synth.js'

let stack: VoxelflowStack
let template: Template

beforeAll(() => {
  ;({ stack, template } = synthStack())
})

type Resource = { Type: string; Properties: Record<string, any> }
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown }

function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement
  return Stack.of(construct).getLogicalId(element)
}

function resource(id: string): Resource {
  return template.toJSON().Resources[id] as Resource
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value]
}

/** Every Allow statement of the inline policies attached to a role. */
function roleStatements(roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>
  return Object.values(policies)
    .filter((p) => asArray(p.Properties.Roles).some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow')
}

/** Actions a role is allowed on resources that mention `targetId` (a logical ID). */
function allowedActions(roleId: string, targetId: string): Set<string> {
  const actions = new Set<string>()
  for (const statement of roleStatements(roleId)) {
    if (asArray(statement.Resource).some((r) => JSON.stringify(r).includes(`"${targetId}"`))) {
      for (const action of asArray(statement.Action)) actions.add(action)
    }
  }
  return actions
}

function functionRoleId(stage: StageName): string {
  return logicalId(stack.functions[stage].role!)
}

const stages: StageName[] = ['ingest', 'prepare', 'chunkWorker', 'assemble', 'analyze', 'report', 'reportFailure']

describe('buckets', () => {
  it('creates the input, work and output buckets and their access-log bucket, private, encrypted, TLS only', () => {
    template.resourceCountIs('AWS::S3::Bucket', 4)
    for (const bucket of [stack.inputBucket, stack.workBucket, stack.outputBucket, stack.accessLogsBucket]) {
      const props = resource(logicalId(bucket)).Properties
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      })
      expect(props.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ])
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      })
    }
  })

  it('versions the input bucket and keeps scans on stack deletion', () => {
    const input = template.toJSON().Resources[logicalId(stack.inputBucket)]
    expect(input.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' })
    expect(input.DeletionPolicy).toBe('Retain')
    expect(resource(logicalId(stack.outputBucket)).Properties.VersioningConfiguration).toBeUndefined()
  })

  it('expires scratch objects in the work bucket after 14 days', () => {
    const rules = resource(logicalId(stack.workBucket)).Properties.LifecycleConfiguration.Rules
    expect(rules).toEqual(expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 14, Status: 'Enabled' })]))
    const outputRules = resource(logicalId(stack.outputBucket)).Properties.LifecycleConfiguration.Rules
    expect(outputRules.some((r: any) => r.ExpirationInDays !== undefined)).toBe(false)
  })

  it('sends ObjectCreated events of the input bucket to the upload queue', () => {
    const uploadQueueId = logicalId(stack.uploadQueue.queue)
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId(stack.inputBucket) },
      NotificationConfiguration: {
        QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [uploadQueueId, 'Arn'] } }],
      },
    })
    // ... and S3 may send to it
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: uploadQueueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack.inputBucket), 'Arn'] } } },
          }),
        ]),
      },
    })
    // Only the input bucket notifies.
    template.resourceCountIs('Custom::S3BucketNotifications', 1)
  })
})

describe('queues', () => {
  it('gives the upload and chunk queues their own dead-letter queue after 3 receives', () => {
    template.resourceCountIs('AWS::SQS::Queue', 4)
    for (const pair of [stack.uploadQueue, stack.chunkQueue]) {
      const props = resource(logicalId(pair.queue)).Properties
      expect(props.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(pair.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 3,
      })
      expect(props.SqsManagedSseEnabled).toBe(true)
      expect(resource(logicalId(pair.deadLetterQueue)).Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600)
    }
    expect(logicalId(stack.uploadQueue.deadLetterQueue)).not.toBe(logicalId(stack.chunkQueue.deadLetterQueue))
  })

  it('keeps a message invisible at least as long as its consumer may run', () => {
    const pairs: [StageName, typeof stack.uploadQueue][] = [
      ['ingest', stack.uploadQueue],
      ['chunkWorker', stack.chunkQueue],
    ]
    for (const [stage, pair] of pairs) {
      const visibility = resource(logicalId(pair.queue)).Properties.VisibilityTimeout as number
      const timeout = resource(logicalId(stack.functions[stage])).Properties.Timeout as number
      expect(visibility).toBeGreaterThanOrEqual(timeout)
    }
  })

  it('feeds uploads to ingest with partial batch failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3) // + the chunk dead-letter queue
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.uploadQueue.queue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.functions.ingest) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    })
    // ingest may consume from the upload queue
    expect(allowedActions(functionRoleId('ingest'), logicalId(stack.uploadQueue.queue))).toContain('sqs:ReceiveMessage')
  })

  it('feeds chunks to the chunk worker one at a time', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.chunkQueue.queue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.functions.chunkWorker) },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 100 },
    })
    expect(allowedActions(functionRoleId('chunkWorker'), logicalId(stack.chunkQueue.queue))).toContain('sqs:DeleteMessage')
  })
})

describe('functions', () => {
  it('deploys the seven stages on nodejs22.x, ESM bundle handler, arm64', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs22.x' },
    }) as Record<string, Resource>
    // ... and the waiting-for-manifest sweep and the chunk dead-letter handler, built the same way
    expect(Object.keys(functions).sort()).toEqual(
      [...stages.map((s) => logicalId(stack.functions[s])), logicalId(stack.waitingCaseSweep.fn), logicalId(stack.chunkDeadLetter)].sort(),
    )
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Handler).toBe('index.handler')
      expect(fn.Properties.Architectures).toEqual(['arm64'])
    }
    // The only other function is CDK's own bucket-notification custom resource.
    const others = Object.values(template.findResources('AWS::Lambda::Function') as Record<string, Resource>).filter(
      (f) => f.Properties.Runtime !== 'nodejs22.x',
    )
    expect(others.map((f) => f.Properties.Handler)).toEqual(['index.handler'])
    expect(others[0].Properties.Description).toMatch(/S3BucketNotifications/)
  })

  it('sizes memory and /tmp per stage', () => {
    for (const stage of stages) {
      const props = resource(logicalId(stack.functions[stage])).Properties
      expect(props.MemorySize, stage).toBe(defaultFunctionSizing[stage].memorySizeMiB)
      expect(props.EphemeralStorage, stage).toEqual({ Size: defaultFunctionSizing[stage].ephemeralStorageMiB })
    }
    const props = (stage: StageName) => resource(logicalId(stack.functions[stage])).Properties
    for (const big of ['prepare', 'assemble', 'chunkWorker'] as const) expect(props(big).MemorySize).toBeGreaterThanOrEqual(3008)
    for (const small of ['ingest', 'reportFailure'] as const) expect(props(small).MemorySize).toBeLessThanOrEqual(512)
  })

  it('stops each stage before the state machine gives up on it', () => {
    const { stageTimeoutSeconds, chunkTimeoutSeconds } = stack.definitionOptions
    for (const stage of ['prepare', 'assemble', 'analyze', 'report'] as const) {
      expect(resource(logicalId(stack.functions[stage])).Properties.Timeout).toBeLessThan(stageTimeoutSeconds)
    }
    expect(resource(logicalId(stack.functions.chunkWorker)).Properties.Timeout).toBeLessThan(chunkTimeoutSeconds)
    expect(resource(logicalId(stack.functions.reportFailure)).Properties.Timeout).toBeLessThan(120)
  })

  it('tells every function its buckets and the chunk queue; ingest also the state machine', () => {
    const stateMachineId = logicalId(stack.caseStateMachine.stateMachine)
    for (const stage of stages) {
      const variables = resource(logicalId(stack.functions[stage])).Properties.Environment.Variables
      expect(variables.INPUT_BUCKET).toEqual({ Ref: logicalId(stack.inputBucket) })
      expect(variables.WORK_BUCKET).toEqual({ Ref: logicalId(stack.workBucket) })
      expect(variables.OUTPUT_BUCKET).toEqual({ Ref: logicalId(stack.outputBucket) })
      expect(variables.CHUNK_QUEUE_URL).toEqual({ Ref: logicalId(stack.chunkQueue.queue) })
      expect(variables.PIPELINE_CONFIG).toBeUndefined()
      expect(variables.NODE_OPTIONS).toBe('--enable-source-maps')
      expect(variables.VOXELFLOW_VERSION).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version)
      if (stage === 'ingest') expect(variables.STATE_MACHINE_ARN).toEqual({ Ref: stateMachineId })
      else expect(variables.STATE_MACHINE_ARN).toBeUndefined()
    }
  })

  it('passes PIPELINE_CONFIG when one is given', () => {
    const { stack: configured, template: t } = synthStack({ pipelineConfig: '{"resample":{"spacing_mm":1}}' })
    const variables = (t.toJSON().Resources[logicalId(configured.functions.prepare)] as Resource).Properties.Environment
      .Variables
    expect(variables.PIPELINE_CONFIG).toBe('{"resample":{"spacing_mm":1}}')
  })

  it('grants each stage exactly its bucket access; nobody writes the input bucket', () => {
    const buckets = { input: stack.inputBucket, work: stack.workBucket, output: stack.outputBucket }
    for (const stage of stages) {
      for (const [name, bucket] of Object.entries(buckets) as [keyof typeof buckets, typeof stack.inputBucket][]) {
        const actions = allowedActions(functionRoleId(stage), logicalId(bucket))
        const wanted = bucketAccess[stage][name]
        const canRead = actions.has('s3:GetObject')
        const canWrite = actions.has('s3:PutObject')
        expect({ stage, name, canRead, canWrite }).toEqual({
          stage,
          name,
          canRead: wanted === 'read' || wanted === 'readWrite',
          canWrite: wanted === 'write' || wanted === 'readWrite',
        })
        expect([...actions].some((a) => a.startsWith('s3:DeleteObject')), `${stage} deletes from ${name}`).toBe(false)
      }
    }
    expect(bucketAccess.prepare.input).toBe('read')
    expect(bucketAccess.chunkWorker.work).toBe('readWrite')
  })

  it('lets ingest start (and look up) executions, and only the chunk worker answer task tokens', () => {
    const stateMachineId = logicalId(stack.caseStateMachine.stateMachine)
    const startActions = roleStatements(functionRoleId('ingest'))
      .filter((s) => JSON.stringify(s.Resource).includes(stateMachineId))
      .flatMap((s) => asArray(s.Action))
    expect(startActions).toContain('states:StartExecution')
    expect(startActions.some((a) => a.startsWith('states:SendTask'))).toBe(false)

    const workerActions = allowedActions(functionRoleId('chunkWorker'), stateMachineId)
    expect([...workerActions].sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'])
    for (const stage of stages.filter((s) => s !== 'chunkWorker')) {
      const actions = roleStatements(functionRoleId(stage)).flatMap((s) => asArray(s.Action))
      expect(actions.some((a) => a.startsWith('states:SendTask')), stage).toBe(false)
    }
  })
})

describe('state machine', () => {
  it('is a STANDARD state machine with the seven definition substitutions', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1)
    const props = resource(logicalId(stack.caseStateMachine.stateMachine)).Properties
    expect(props.StateMachineType).toBe('STANDARD')
    expect(props.DefinitionSubstitutions).toEqual({
      PrepareFunctionArn: { 'Fn::GetAtt': [logicalId(stack.functions.prepare), 'Arn'] },
      AssembleFunctionArn: { 'Fn::GetAtt': [logicalId(stack.functions.assemble), 'Arn'] },
      AnalyzeFunctionArn: { 'Fn::GetAtt': [logicalId(stack.functions.analyze), 'Arn'] },
      ReportFunctionArn: { 'Fn::GetAtt': [logicalId(stack.functions.report), 'Arn'] },
      ReportFailureFunctionArn: { 'Fn::GetAtt': [logicalId(stack.functions.reportFailure), 'Arn'] },
      ChunkQueueUrl: { Ref: logicalId(stack.chunkQueue.queue) },
      EventBusName: 'default',
    })
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false })
  })

  it('may invoke the five stage functions and send to the chunk queue, nothing more', () => {
    const roleId = logicalId(stack.caseStateMachine.stateMachine.role)
    for (const stage of ['prepare', 'assemble', 'analyze', 'report', 'reportFailure'] as const) {
      expect(allowedActions(roleId, logicalId(stack.functions[stage])), stage).toContain('lambda:InvokeFunction')
    }
    for (const stage of ['ingest', 'chunkWorker'] as const) {
      expect(allowedActions(roleId, logicalId(stack.functions[stage])).size, stage).toBe(0)
    }
    expect(allowedActions(roleId, logicalId(stack.chunkQueue.queue))).toContain('sqs:SendMessage')
    expect(allowedActions(roleId, logicalId(stack.uploadQueue.queue)).size).toBe(0)
    for (const bucket of [stack.inputBucket, stack.workBucket, stack.outputBucket]) {
      expect(allowedActions(roleId, logicalId(bucket)).size).toBe(0)
    }
  })
})

describe('outputs', () => {
  it('exports the bucket names and the state machine ARN', () => {
    template.hasOutput('InputBucketName', { Value: { Ref: logicalId(stack.inputBucket) } })
    template.hasOutput('WorkBucketName', { Value: { Ref: logicalId(stack.workBucket) } })
    template.hasOutput('OutputBucketName', { Value: { Ref: logicalId(stack.outputBucket) } })
    template.hasOutput('StateMachineArn', { Value: { Ref: logicalId(stack.caseStateMachine.stateMachine) } })
  })
})
