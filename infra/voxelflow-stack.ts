// The voxelflow cloud: input/work/output buckets, upload queue -> ingest, the per-case state
// machine (from the shared definition), chunk queue -> chunk-worker.
//
//   input bucket --ObjectCreated--> upload queue (+DLQ) --> ingest --StartExecution--> state machine
//   state machine: prepare -> Map(chunk queue (+DLQ) --> chunk-worker --SendTaskSuccess) -> assemble
//                  -> analyze -> report; any failure -> report-failure

import { pipelineVersion } from '../src/pipeline/version.js'
import { codeVersion } from '../src/pipeline/code-version.js'
import { type CfnElement, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import * as events from 'aws-cdk-lib/aws-events'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as s3 from 'aws-cdk-lib/aws-s3'
import * as s3n from 'aws-cdk-lib/aws-s3-notifications'
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions'
import type { Construct } from 'constructs'
import { AnalyticsTable } from './constructs/analytics-table.js'
import { CaseStateMachine } from './constructs/case-state-machine.js'
import { PipelineAlarms } from './constructs/pipeline-alarms.js'
import { PipelineFunction } from './constructs/pipeline-function.js'
import { QueueWithDeadLetter } from './constructs/queue-with-dead-letter.js'
import { ReprocessSchedule, type ReprocessScheduleOptions } from './constructs/reprocess-schedule.js'
import { SecureBucket } from './constructs/secure-bucket.js'
import { WaitingCaseSweep } from './constructs/waiting-case-sweep.js'
import { grantBucketAccess } from './security/grant-bucket-access.js'
import { workRunsPrefix } from '../src/pipeline/work-keys.js'
import { defaultDefinitionOptions, type DefinitionOptions } from './state-machine/definition.js'

export type StageName = 'ingest' | 'prepare' | 'chunkWorker' | 'assemble' | 'analyze' | 'report' | 'reportFailure'

export interface FunctionSizing {
  readonly memorySizeMiB: number
  readonly ephemeralStorageMiB: number
}

/**
 * Memory (and with it CPU: 1 vCPU per 1769 MB) and /tmp per stage. Prepare and assemble hold a
 * whole volume plus its copies (DICOM decode, resample, stitching); chunk-worker and analyze hold
 * a slab or label maps; ingest and report-failure only move pointers.
 */
export const defaultFunctionSizing: Record<StageName, FunctionSizing> = {
  ingest: { memorySizeMiB: 512, ephemeralStorageMiB: 512 },
  prepare: { memorySizeMiB: 4096, ephemeralStorageMiB: 4096 },
  chunkWorker: { memorySizeMiB: 3008, ephemeralStorageMiB: 2048 },
  assemble: { memorySizeMiB: 4096, ephemeralStorageMiB: 4096 },
  analyze: { memorySizeMiB: 3008, ephemeralStorageMiB: 2048 },
  report: { memorySizeMiB: 1024, ephemeralStorageMiB: 1024 },
  reportFailure: { memorySizeMiB: 256, ephemeralStorageMiB: 512 },
}

/** Functions folder of each stage. */
export const stageFolders: Record<StageName, string> = {
  ingest: 'ingest',
  prepare: 'prepare',
  chunkWorker: 'chunk-worker',
  assemble: 'assemble',
  analyze: 'analyze',
  report: 'report',
  reportFailure: 'report-failure',
}

type Access = 'read' | 'write' | 'readWrite'
type BucketName = 'input' | 'work' | 'output'

/** Keys each bucket's grants are limited to, and why not narrower (recorded for cdk-nag). */
export const bucketPrefixes: Record<BucketName, { prefix: string; why: string }> = {
  input: { prefix: '', why: 'users upload cases into folders of their choosing (dataset/case/...), read-only here.' },
  work: { prefix: workRunsPrefix, why: `every run keeps its scratch objects under ${workRunsPrefix}<run id>/.` },
  output: { prefix: '', why: 'outputs go to <dataset>/<case id>/, the dataset being the first folder of the upload.' },
}

/**
 * Least-privilege bucket access per stage, from what src/pipeline/stages/* and
 * src/pipeline/ingest.ts actually read and write. Nobody writes the input bucket.
 * read = Get/List (HeadObject of a missing key needs List to answer 404, not 403);
 * write = Put (+ multipart upload abort).
 */
export const bucketAccess: Record<StageName, Partial<Record<BucketName, Access>>> = {
  // lists/heads the upload folder; writes the case manifest (plan-run) to work
  ingest: { input: 'read', work: 'write' },
  // downloads the case's input objects; reads the manifest, writes image/labels/facts to work
  prepare: { input: 'read', work: 'readWrite' },
  // reads manifest + canonical image, writes the processed slab and its partial statistics
  chunkWorker: { work: 'readWrite' },
  // reads slabs and partials, writes reduced statistics to work, NIfTI + qc.png to output
  assemble: { work: 'readWrite', output: 'write' },
  // reads facts and statistics, writes analysis.json to work; may read outputs (label maps)
  analyze: { work: 'readWrite', output: 'read' },
  // reads facts and analysis from work; heads outputs for their sizes, writes analytics rows and report.json
  report: { work: 'read', output: 'readWrite' },
  // reads the case manifest / facts from work for the inputs' provenance; writes the failure report (and its analytics row)
  reportFailure: { work: 'read', output: 'write' },
}

export interface VoxelflowStackProps extends StackProps {
  /**
   * Lambda architecture. Default ARM_64 (Graviton): the code is JavaScript + WebAssembly with no
   * native modules, so nothing is architecture-specific, and arm64 costs about 20% less per
   * GB-second. Switch to X86_64 if benchmarks show the WASM pipelines run faster there.
   */
  readonly architecture?: lambda.Architecture
  /** Map concurrency and timeouts of the shared state-machine definition. */
  readonly definitionOptions?: DefinitionOptions
  /** Days before scratch objects in the work bucket expire. Default 14. */
  readonly workExpirationDays?: number
  /** Days before S3 server access logs expire. Default 365. */
  readonly accessLogExpirationDays?: number
  /** Days before overwritten/deleted input versions expire. Default 90. */
  readonly inputNoncurrentVersionExpirationDays?: number
  /** Chunk workers running at once across all cases (SQS event source maxConcurrency). Default 100. */
  readonly chunkWorkerMaxConcurrency?: number
  /** PIPELINE_CONFIG for every function (JSON text); unset means the library default. */
  readonly pipelineConfig?: string
  /** Per-stage memory and /tmp overrides. */
  readonly functionSizing?: Partial<Record<StageName, Partial<FunctionSizing>>>
  readonly logRetention?: logs.RetentionDays
  /** The bus "Case Processed" / "Case Failed" events go to. Default: the account's default bus. */
  readonly eventBusName?: string
  /** State machine log level (default ALL: every state transition, never execution data). */
  readonly stateMachineLogLevel?: sfn.LogLevel
  /** Seconds loose DICOM files may sit unchanged without case.json before a "waiting" report. Default 900. */
  readonly quietPeriodSeconds?: number
  /** SNS topic the alarms notify (dead letters, failed executions); default none. */
  readonly alarmTopicArn?: string
  /** Scheduled reprocessing of a dataset prefix; absent (the default) = no schedule, no function. */
  readonly reprocessSchedule?: ReprocessScheduleOptions
  /** Override bundling of every function (tests). */
  readonly bundling?: BundlingOptions
}

export class VoxelflowStack extends Stack {
  readonly inputBucket: s3.Bucket
  readonly workBucket: s3.Bucket
  readonly outputBucket: s3.Bucket
  /** Server access logs of the three buckets (who read or wrote which scan, and when). */
  readonly accessLogsBucket: s3.Bucket
  readonly uploadQueue: QueueWithDeadLetter
  readonly chunkQueue: QueueWithDeadLetter
  readonly functions: Record<StageName, lambda.Function>
  readonly caseStateMachine: CaseStateMachine
  readonly eventBus: events.IEventBus
  readonly reprocessSchedule?: ReprocessSchedule
  readonly alarms: PipelineAlarms
  readonly waitingCaseSweep: WaitingCaseSweep
  /** Fails the task token of a dead-lettered chunk so its case fails now, not after the chunk timeout. */
  readonly chunkDeadLetter: lambda.Function
  readonly definitionOptions: DefinitionOptions
  readonly analyticsTable: AnalyticsTable

  constructor(scope: Construct, id: string, props: VoxelflowStackProps = {}) {
    super(scope, id, props)
    const architecture = props.architecture ?? lambda.Architecture.ARM_64
    const definitionOptions = (this.definitionOptions = props.definitionOptions ?? defaultDefinitionOptions)
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH

    // Buckets
    this.accessLogsBucket = new SecureBucket(this, 'AccessLogs', { expireAfterDays: props.accessLogExpirationDays ?? 365 }).bucket
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself: logging its own log deliveries would loop.',
    })
    const serverAccessLogsBucket = this.accessLogsBucket
    this.inputBucket = new SecureBucket(this, 'Input', {
      versioned: true,
      noncurrentVersionExpireAfterDays: props.inputNoncurrentVersionExpirationDays ?? 90,
      serverAccessLogsBucket,
    }).bucket
    this.workBucket = new SecureBucket(this, 'Work', { expireAfterDays: props.workExpirationDays ?? 14, serverAccessLogsBucket }).bucket
    this.outputBucket = new SecureBucket(this, 'Output', { serverAccessLogsBucket }).bucket
    const buckets: Record<BucketName, s3.Bucket> = {
      input: this.inputBucket,
      work: this.workBucket,
      output: this.outputBucket,
    }

    // Timeouts. Stage functions stop a minute before the state machine's task timeout so the
    // failure report names the Lambda timeout, not a bare States.Timeout.
    const stageTimeout = clampSeconds(definitionOptions.stageTimeoutSeconds - 60)
    const timeouts: Record<StageName, Duration> = {
      ingest: Duration.seconds(60),
      prepare: stageTimeout,
      chunkWorker: clampSeconds(Math.min(600, definitionOptions.chunkTimeoutSeconds - 60)),
      assemble: stageTimeout,
      analyze: stageTimeout,
      report: clampSeconds(Math.min(300, definitionOptions.stageTimeoutSeconds - 60)),
      reportFailure: Duration.seconds(100), // ReportFailure task: TimeoutSeconds 120
    }

    // Queues. Visibility: the consumer's timeout plus a margin, so a message is never handed to a
    // second worker while the first may still be running it.
    this.uploadQueue = new QueueWithDeadLetter(this, 'Uploads', {
      visibilityTimeout: timeouts.ingest.plus(Duration.seconds(300)),
      maxReceiveCount: 3,
    })
    this.chunkQueue = new QueueWithDeadLetter(this, 'Chunks', {
      visibilityTimeout: timeouts.chunkWorker.plus(Duration.seconds(60)),
      maxReceiveCount: 3,
    })

    // Functions
    const commonEnvironment: Record<string, string> = {
      INPUT_BUCKET: this.inputBucket.bucketName,
      WORK_BUCKET: this.workBucket.bucketName,
      OUTPUT_BUCKET: this.outputBucket.bucketName,
      CHUNK_QUEUE_URL: this.chunkQueue.queue.queueUrl,
      // Bundles have no package.json beside them; reports carry this pipeline version.
      VOXELFLOW_VERSION: pipelineVersion,
      // ...and the code version (git describe at synth), when the app is synthesized from a checkout.
      ...(codeVersion().source === 'git' ? { VOXELFLOW_CODE_VERSION: codeVersion().value } : {}),
      ...(props.pipelineConfig !== undefined ? { PIPELINE_CONFIG: props.pipelineConfig } : {}),
    }
    const descriptions: Record<StageName, string> = {
      ingest: 'voxelflow: S3 upload events -> complete case? -> start one execution',
      prepare: 'voxelflow: read DICOM/NIfTI/SEG/SR -> canonical image in work bucket + chunk plan',
      chunkWorker: 'voxelflow: process one chunk from the chunk queue, answer the task token',
      assemble: 'voxelflow: stitch chunks -> NIfTI outputs, reduce partial statistics',
      analyze: 'voxelflow: label statistics, metrics against reference masks, landmarks',
      report: 'voxelflow: report.json, qc.png, analytics row',
      reportFailure: 'voxelflow: failure report for a case that could not be processed',
    }
    const make = (stage: StageName, id: string, extraEnvironment: Record<string, string> = {}) => {
      const sizing = { ...defaultFunctionSizing[stage], ...props.functionSizing?.[stage] }
      const fn = new PipelineFunction(this, id, {
        folder: stageFolders[stage],
        description: descriptions[stage],
        memorySizeMiB: sizing.memorySizeMiB,
        ephemeralStorageMiB: sizing.ephemeralStorageMiB,
        timeout: timeouts[stage],
        architecture,
        environment: { ...commonEnvironment, ...extraEnvironment },
        logRetention,
        bundling: props.bundling,
      }).fn
      for (const [bucket, access] of Object.entries(bucketAccess[stage]) as [BucketName, Access][]) {
        grantBucketAccess(fn.role!, buckets[bucket], access, bucketPrefixes[bucket])
      }
      return fn
    }
    const prepare = make('prepare', 'Prepare')
    const chunkWorker = make('chunkWorker', 'ChunkWorker')
    const assemble = make('assemble', 'Assemble')
    const analyze = make('analyze', 'Analyze')
    const report = make('report', 'Report')
    const reportFailure = make('reportFailure', 'ReportFailure')

    // State machine
    this.eventBus = events.EventBus.fromEventBusName(this, 'CaseEvents', props.eventBusName ?? 'default')
    this.caseStateMachine = new CaseStateMachine(this, 'Cases', {
      definitionOptions,
      prepare,
      assemble,
      analyze,
      report,
      reportFailure,
      chunkQueue: this.chunkQueue.queue,
      eventBus: this.eventBus,
      logLevel: props.stateMachineLogLevel,
      logRetention,
    })
    const stateMachine = this.caseStateMachine.stateMachine

    const ingest = make('ingest', 'Ingest', { STATE_MACHINE_ARN: stateMachine.stateMachineArn })
    stateMachine.grantStartExecution(ingest)
    // Ingest names executions after the case: DescribeExecution tells "already running/done".
    stateMachine.grantExecution(ingest, 'states:DescribeExecution')
    Validations.of(ingest.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${this.getLogicalId(stateMachine.node.defaultChild as CfnElement)}"}]}]}:*]`,
      reason: 'Execution names derive from case content and are unknown at deploy time; limited to executions of this one state machine.',
    })
    stateMachine.grantTaskResponse(chunkWorker) // SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat

    this.functions = { ingest, prepare, chunkWorker, assemble, analyze, report, reportFailure }

    this.chunkDeadLetter = new PipelineFunction(this, 'ChunkDeadLetter', {
      folder: 'chunk-dead-letter',
      description: 'voxelflow: a dead-lettered chunk fails its task token, so its case gets a failure report at once',
      memorySizeMiB: 256,
      timeout: Duration.seconds(25), // SendTaskFailure calls only; below the DLQ's 30 s visibility
      architecture,
      environment: commonEnvironment,
      logRetention,
      bundling: props.bundling,
    }).fn
    stateMachine.grantTaskResponse(this.chunkDeadLetter)
    this.chunkDeadLetter.addEventSource(
      new SqsEventSource(this.chunkQueue.deadLetterQueue, { batchSize: 10, reportBatchItemFailures: true }),
    )

    this.alarms = new PipelineAlarms(this, 'Alarms', {
      deadLetterQueues: { Uploads: this.uploadQueue.deadLetterQueue, Chunks: this.chunkQueue.deadLetterQueue },
      stateMachine,
      alarmTopicArn: props.alarmTopicArn,
    })

    const functionBase = { architecture, environment: commonEnvironment, logRetention, bundling: props.bundling }
    const grantedBuckets = {
      input: { bucket: this.inputBucket, grant: bucketPrefixes.input },
      work: { bucket: this.workBucket, grant: bucketPrefixes.work },
      output: { bucket: this.outputBucket, grant: bucketPrefixes.output },
    }
    this.waitingCaseSweep = new WaitingCaseSweep(this, 'WaitingCaseSweep', {
      quietPeriodSeconds: props.quietPeriodSeconds,
      function: functionBase,
      buckets: grantedBuckets,
    })

    if (props.reprocessSchedule) {
      this.reprocessSchedule = new ReprocessSchedule(this, 'ReprocessSchedule', {
        schedule: props.reprocessSchedule,
        function: functionBase,
        buckets: grantedBuckets,
        stateMachine,
      })
    }

    // Wiring: uploads -> ingest, chunks -> chunk-worker
    this.inputBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.uploadQueue.queue))
    // CDK's own singleton that writes the bucket's notification configuration at deploy time.
    const notificationsHandler = this.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'))
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's BucketNotificationsHandler (runs only during deployment) only writes its own logs with the managed basic-execution policy; its role is not configurable.",
      })
    }
    ingest.addEventSource(new SqsEventSource(this.uploadQueue.queue, { batchSize: 10, reportBatchItemFailures: true }))
    chunkWorker.addEventSource(
      new SqsEventSource(this.chunkQueue.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: props.chunkWorkerMaxConcurrency ?? 100,
      }),
    )

    // Athena over the report rows the report stage writes under analytics/ in the output bucket
    this.analyticsTable = new AnalyticsTable(this, 'Analytics', { bucket: this.outputBucket })

    // Outputs
    new CfnOutput(this, 'InputBucketName', { value: this.inputBucket.bucketName, description: 'Upload cases here' })
    new CfnOutput(this, 'WorkBucketName', { value: this.workBucket.bucketName })
    new CfnOutput(this, 'OutputBucketName', { value: this.outputBucket.bucketName, description: 'Reports and volumes' })
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn })
    new CfnOutput(this, 'ChunkQueueUrl', { value: this.chunkQueue.queue.queueUrl })
    new CfnOutput(this, 'UploadDeadLetterQueueUrl', { value: this.uploadQueue.deadLetterQueue.queueUrl })
    new CfnOutput(this, 'ChunkDeadLetterQueueUrl', { value: this.chunkQueue.deadLetterQueue.queueUrl })
  }
}

function clampSeconds(seconds: number): Duration {
  return Duration.seconds(Math.max(30, Math.min(900, Math.floor(seconds))))
}
