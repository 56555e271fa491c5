import path from 'node:path'
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { depsLockFilePath, projectRoot, voxelflowBundling } from '../bundling.js'

export interface PipelineFunctionProps {
  /** Folder under functions/ holding handler.ts, e.g. 'chunk-worker'. */
  readonly folder: string
  readonly description: string
  readonly memorySizeMiB: number
  /** /tmp size; itk-wasm reads and writes files, so scans are staged there. Default 512. */
  readonly ephemeralStorageMiB?: number
  readonly timeout: Duration
  readonly architecture: lambda.Architecture
  readonly environment: Record<string, string>
  readonly logRetention: logs.RetentionDays
  /** Override the shared bundling options (tests). */
  readonly bundling?: BundlingOptions
}

/** A voxelflow stage: functions/<folder>/handler.ts `handler`, Node 22, ESM bundle, own log group. */
export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction
  readonly logGroup: logs.LogGroup

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id)
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    const bundling = props.bundling ?? voxelflowBundling()
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(projectRoot, 'functions', props.folder, 'handler.ts'),
      handler: 'handler',
      projectRoot,
      depsLockFilePath,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture,
      description: props.description,
      memorySize: props.memorySizeMiB,
      ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMiB ?? 512),
      timeout: props.timeout,
      environment: {
        // Stack traces point into src/ instead of the minified bundle (CDK does not add this).
        ...(bundling.sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
      logGroup: this.logGroup,
      bundling,
    })
  }
}
