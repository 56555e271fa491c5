import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import type * as events from 'aws-cdk-lib/aws-events'
import * as iam from 'aws-cdk-lib/aws-iam'
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
  /** Where "Case Processed" / "Case Failed" go. */
  readonly eventBus: events.IEventBus
  /** Execution log level; 'OFF' for no log group. Default ALL (state transitions), without execution data. */
  readonly logLevel?: sfn.LogLevel
  readonly logRetention: logs.RetentionDays
}

/**
 * The per-case state machine, deployed from the one shared ASL definition
 * (infra/state-machine/definition.ts) with definitionSubstitutions, so the embedded runner and
 * AWS execute the same JSON. Its role may invoke the five stage functions (no versions or
 * aliases), send to the chunk queue and put events on the case-event bus; plus what execution
 * logging and X-Ray need.
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
      EventBusName: props.eventBus.eventBusName,
    }
    const level = props.logLevel ?? sfn.LogLevel.ALL
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
      tracingEnabled: true,
    })
    // grantInvoke would also allow `<arn>:*` (every version and alias); the definition calls the
    // unqualified functions only.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.prepare, props.assemble, props.analyze, props.report, props.reportFailure].map((fn) => fn.functionArn),
      }),
    )
    props.chunkQueue.grantSendMessages(this.stateMachine)
    props.eventBus.grantPutEventsTo(this.stateMachine)
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the actions that support no resource-level permissions: X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* and the CloudWatch Logs vended-delivery calls (logs:CreateLogDelivery, DescribeResourcePolicies, ...) that execution logging requires.',
    })
  }
}
