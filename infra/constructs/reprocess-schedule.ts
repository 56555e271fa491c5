// Scheduled reprocessing (off unless configured): an EventBridge rule invokes the reprocess
// function, which starts the cases under one dataset prefix at a bounded rate and skips those
// already reported with the current config.
import { Duration } from 'aws-cdk-lib'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions'
import { Construct } from 'constructs'
import { grantBucketAccess, type GrantBucketAccessOptions } from '../security/grant-bucket-access.js'
import { PipelineFunction, type PipelineFunctionProps } from './pipeline-function.js'

export interface ReprocessScheduleOptions {
  /** EventBridge schedule expression, e.g. "rate(7 days)" or "cron(0 3 ? * SUN *)". */
  readonly expression: string
  /** Dataset prefix to reprocess ("" = the whole input bucket). */
  readonly prefix: string
  /** Executions started per second at most (default 2: 1800 cases fit one 15-minute run). */
  readonly maxStartsPerSecond?: number
}

export interface ReprocessScheduleProps {
  readonly schedule: ReprocessScheduleOptions
  readonly function: Omit<PipelineFunctionProps, 'folder' | 'description' | 'memorySizeMiB' | 'timeout'>
  readonly buckets: Record<'input' | 'work' | 'output', { bucket: s3.IBucket; grant: GrantBucketAccessOptions }>
  readonly stateMachine: sfn.IStateMachine
}

export class ReprocessSchedule extends Construct {
  readonly fn: lambda.Function
  readonly rule: events.Rule

  constructor(scope: Construct, id: string, props: ReprocessScheduleProps) {
    super(scope, id)
    const maxStartsPerSecond = props.schedule.maxStartsPerSecond ?? 2
    this.fn = new PipelineFunction(this, 'Reprocess', {
      ...props.function,
      folder: 'reprocess',
      description: 'voxelflow: reprocess a dataset prefix, skipping cases reported with the current config',
      memorySizeMiB: 512,
      timeout: Duration.minutes(15),
      environment: {
        ...props.function.environment,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        REPROCESS_PREFIX: props.schedule.prefix,
        REPROCESS_MAX_STARTS_PER_SECOND: String(maxStartsPerSecond),
      },
    }).fn
    // Lists cases in the input, writes run manifests to work, reads reports to skip processed cases.
    grantBucketAccess(this.fn.role!, props.buckets.input.bucket, 'read', props.buckets.input.grant)
    grantBucketAccess(this.fn.role!, props.buckets.work.bucket, 'write', props.buckets.work.grant)
    grantBucketAccess(this.fn.role!, props.buckets.output.bucket, 'read', props.buckets.output.grant)
    props.stateMachine.grantStartExecution(this.fn)

    this.rule = new events.Rule(this, 'Rule', {
      description: `voxelflow: reprocess ${props.schedule.prefix || 'the whole input bucket'} (${props.schedule.expression})`,
      schedule: events.Schedule.expression(props.schedule.expression),
    })
    // One run at a time is enough: a retried run skips what the first one started.
    this.rule.addTarget(new targets.LambdaFunction(this.fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) }))
  }
}
