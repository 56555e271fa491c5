// "Waiting for manifest" reports: a schedule runs the sweep function, which reports loose
// DICOM folders whose content has not changed for the quiet period. A sweep (rather than one
// delayed SQS message per uploaded file) lists the bucket once per period, supports quiet
// periods beyond SQS's 15-minute delay limit, and needs no per-file bookkeeping.
import { Duration } from 'aws-cdk-lib'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'
import { waitingMarkersPrefix } from '../../src/pipeline/sweep-waiting-cases.js'
import { grantBucketAccess, type GrantBucketAccessOptions } from '../security/grant-bucket-access.js'
import { PipelineFunction, type PipelineFunctionProps } from './pipeline-function.js'

export interface WaitingCaseSweepProps {
  /** Seconds a loose folder must stay unchanged before its "waiting" report (default 900). */
  readonly quietPeriodSeconds?: number
  /** How often the sweep runs (default every 5 minutes). */
  readonly every?: Duration
  readonly function: Omit<PipelineFunctionProps, 'folder' | 'description' | 'memorySizeMiB' | 'timeout'>
  readonly buckets: Record<'input' | 'work' | 'output', { bucket: s3.IBucket; grant: GrantBucketAccessOptions }>
}

export class WaitingCaseSweep extends Construct {
  readonly fn: lambda.Function
  readonly rule: events.Rule

  constructor(scope: Construct, id: string, props: WaitingCaseSweepProps) {
    super(scope, id)
    this.fn = new PipelineFunction(this, 'Sweep', {
      ...props.function,
      folder: 'sweep-waiting',
      description: 'voxelflow: "waiting for manifest" reports for loose DICOM folders after the quiet period',
      memorySizeMiB: 512,
      timeout: Duration.minutes(5),
      environment: { ...props.function.environment, QUIET_PERIOD_SECONDS: String(props.quietPeriodSeconds ?? 900) },
    }).fn
    grantBucketAccess(this.fn.role!, props.buckets.input.bucket, 'read', props.buckets.input.grant)
    grantBucketAccess(this.fn.role!, props.buckets.work.bucket, 'readWrite', {
      prefix: waitingMarkersPrefix,
      why: `the sweep keeps one content fingerprint per loose folder under ${waitingMarkersPrefix}.`,
    })
    grantBucketAccess(this.fn.role!, props.buckets.output.bucket, 'readWrite', props.buckets.output.grant)
    this.rule = new events.Rule(this, 'Rule', {
      description: 'voxelflow: sweep for loose DICOM folders waiting for their case.json',
      schedule: events.Schedule.rate(props.every ?? Duration.minutes(5)),
    })
    this.rule.addTarget(new targets.LambdaFunction(this.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(10) }))
  }
}
