import path from 'node:path'
import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
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
  readonly role: iam.Role

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id)
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    // Its own role that may write to its own log group, instead of the managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group of the account).
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })
    this.logGroup.grant(this.role, 'logs:CreateLogStream', 'logs:PutLogEvents')
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
      role: this.role,
      bundling,
    })
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundles are built for esbuild target node22 (infra/bundling.ts) and tested on it; moving to a newer runtime is a deliberate change of both together.',
    })
  }
}
