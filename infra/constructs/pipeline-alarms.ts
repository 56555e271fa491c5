// CloudWatch alarms for what needs a human: messages in a dead-letter queue (an upload or a
// chunk that failed three times) and case executions that failed, timed out or were aborted.
import { Duration } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as sns from 'aws-cdk-lib/aws-sns'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions'
import { Construct } from 'constructs'

export interface PipelineAlarmsProps {
  readonly deadLetterQueues: Record<string, sqs.IQueue>
  readonly stateMachine: sfn.IStateMachine
  /** An SNS topic to notify (alarm and OK); without it the alarms only show in CloudWatch. */
  readonly alarmTopicArn?: string
}

export class PipelineAlarms extends Construct {
  readonly deadLetterAlarms: Record<string, cloudwatch.Alarm> = {}
  readonly failedExecutionsAlarm: cloudwatch.Alarm

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id)
    const period = Duration.minutes(5)
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.deadLetterAlarms[name] = new cloudwatch.Alarm(this, `${name}DeadLetters`, {
        alarmDescription: `voxelflow: messages in the ${name} dead-letter queue (each failed every receive); inspect and redrive`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
    }
    // A failed case already has a failure report; the alarm says "look at the reports".
    const unsuccessful = new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: props.stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
        timedOut: props.stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM }),
        aborted: props.stateMachine.metricAborted({ period, statistic: cloudwatch.Stats.SUM }),
      },
      label: 'unsuccessful case executions',
      period,
    })
    this.failedExecutionsAlarm = new cloudwatch.Alarm(this, 'FailedExecutions', {
      alarmDescription: 'voxelflow: case executions failed, timed out or were aborted; see the failure reports',
      metric: unsuccessful,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })
    if (props.alarmTopicArn) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      for (const alarm of [...Object.values(this.deadLetterAlarms), this.failedExecutionsAlarm]) {
        alarm.addAlarmAction(new actions.SnsAction(topic))
        alarm.addOkAction(new actions.SnsAction(topic))
      }
    }
  }
}
