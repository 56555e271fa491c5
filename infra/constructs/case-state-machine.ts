import { RemovalPolicy, Stack } from 'aws-cdk-lib'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import * as sfn from 'aws-cdk-lib/aws-stepfunctions'
import { Construct } from 'constructs'
import {
  stateMachineDefinitionJson,
  type DefinitionOptions,
  type DefinitionPlaceholder,
} from '../state-machine/definition.js'

export interface CaseStateMachineProps {
  readonly definitionOptions: DefinitionOptions
  readonly prepare: lambda.IFunction
  readonly assemble: lambda.IFunction
  readonly analyze: lambda.IFunction
  readonly report: lambda.IFunction
  readonly reportFailure: lambda.IFunction
  readonly chunkQueue: sqs.IQueue
  /** Execution log level; 'OFF' for no log group. Default ERROR, without execution data. */
  readonly logLevel?: sfn.LogLevel
  readonly logRetention: logs.RetentionDays
}

/**
 * The per-case state machine, deployed from the one shared ASL definition
 * (infra/state-machine/definition.ts) with definitionSubstitutions, so the embedded runner and
 * AWS execute the same JSON. Its role may invoke the five stage functions and send to the chunk
 * queue, nothing else.
 */
export class CaseStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine
  /** What fills each `${Placeholder}` of the definition. */
  readonly substitutions: Record<DefinitionPlaceholder, string>

  constructor(scope: Construct, id: string, props: CaseStateMachineProps) {
    super(scope, id)
    this.substitutions = {
      PrepareFunctionArn: props.prepare.functionArn,
      AssembleFunctionArn: props.assemble.functionArn,
      AnalyzeFunctionArn: props.analyze.functionArn,
      ReportFunctionArn: props.report.functionArn,
      ReportFailureFunctionArn: props.reportFailure.functionArn,
      ChunkQueueUrl: props.chunkQueue.queueUrl,
    }
    const level = props.logLevel ?? sfn.LogLevel.ERROR
    const logOptions =
      level === sfn.LogLevel.OFF
        ? undefined
        : {
            destination: new logs.LogGroup(this, 'Logs', {
              // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small.
              logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-cases`,
              retention: props.logRetention,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
            level,
            // Execution data could carry object keys that identify patients: keep it out of logs.
            includeExecutionData: false,
          }
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD, // .waitForTaskToken needs STANDARD
      definitionBody: sfn.DefinitionBody.fromString(stateMachineDefinitionJson(props.definitionOptions)),
      definitionSubstitutions: this.substitutions,
      logs: logOptions,
    })
    for (const fn of [props.prepare, props.assemble, props.analyze, props.report, props.reportFailure]) {
      fn.grantInvoke(this.stateMachine)
    }
    props.chunkQueue.grantSendMessages(this.stateMachine)
  }
}
