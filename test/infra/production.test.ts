// The production cloud path in the template: access logs, exact IAM, case events on
// EventBridge, the reprocessing schedule (off by default) and the alarms.
import { Stack, type CfnElement } from 'aws-cdk-lib'
import type { Template } from 'aws-cdk-lib/assertions'
import type { IConstruct } from 'constructs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { VoxelflowStack } from '../../infra/voxelflow-stack.js'
import { caseEventDetailTypes } from '../../src/pipeline/case-events.js'
import { synthStack } from './synth.js'

let stack: VoxelflowStack
let template: Template

beforeAll(() => {
  ;({ stack, template } = synthStack())
})

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: unknown }
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }

const asArray = <T,>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v])
const idOf = (s: Stack, c: IConstruct) => s.getLogicalId((c.node.defaultChild ?? c) as CfnElement)
const resources = (t: Template) => t.toJSON().Resources as Record<string, Resource>

function statementsOfRole(t: Template, roleId: string): Statement[] {
  return Object.values(resources(t))
    .filter((r) => r.Type === 'AWS::IAM::Policy' && asArray(r.Properties.Roles).some((x: any) => x.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[])
}

describe('buckets', () => {
  it('log every access to the input, work and output buckets into the access-log bucket', () => {
    const logsId = idOf(stack, stack.accessLogsBucket)
    for (const bucket of [stack.inputBucket, stack.workBucket, stack.outputBucket]) {
      const props = resources(template)[idOf(stack, bucket)].Properties
      expect(props.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logsId })
    }
    const logs = resources(template)[logsId].Properties
    expect(logs.LoggingConfiguration).toBeUndefined()
    expect(logs.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 365 })]))
  })
})

describe('function roles', () => {
  const stages = ['ingest', 'prepare', 'chunkWorker', 'assemble', 'analyze', 'report', 'reportFailure'] as const

  it('carry no AWS-managed policy and no action wildcard', () => {
    for (const stage of stages) {
      const roleId = idOf(stack, stack.functions[stage].role!)
      expect(resources(template)[roleId].Properties.ManagedPolicyArns, stage).toBeUndefined()
      const actions = statementsOfRole(template, roleId).flatMap((s) => asArray(s.Action))
      expect(actions.filter((a) => a.includes('*')), stage).toEqual([])
    }
  })

  it('reach the work bucket only under runs/, and write logs only to their own log group', () => {
    const workId = idOf(stack, stack.workBucket)
    for (const stage of stages) {
      const roleId = idOf(stack, stack.functions[stage].role!)
      for (const s of statementsOfRole(template, roleId)) {
        const text = JSON.stringify(s.Resource)
        if (text.includes(`"${workId}"`) && asArray(s.Action).includes('s3:ListBucket')) {
          expect(s.Condition, stage).toEqual({ StringLike: { 's3:prefix': ['runs/*'] } })
        } else if (text.includes(`"${workId}"`)) {
          expect(s.Resource, stage).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [workId, 'Arn'] }, '/runs/*']] })
        }
        if (asArray(s.Action).includes('logs:PutLogEvents')) {
          const logGroupId = idOf(stack, stack.functions[stage].node.scope!.node.findChild('Logs'))
          for (const r of asArray(s.Resource)) expect(JSON.stringify(r), stage).toContain(`"${logGroupId}"`)
        }
      }
    }
  })

  it('the state machine invokes the unqualified stage functions only (no versions or aliases)', () => {
    const roleId = idOf(stack, stack.caseStateMachine.stateMachine.role)
    const invoke = statementsOfRole(template, roleId).filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'))
    expect(invoke).toHaveLength(1)
    expect(JSON.stringify(invoke[0].Resource)).not.toContain(':*')
    expect(asArray(invoke[0].Resource)).toHaveLength(5)
  })
})

describe('case events on EventBridge', () => {
  it('the state machine may put events on the default bus, and nothing else on EventBridge', () => {
    const roleId = idOf(stack, stack.caseStateMachine.stateMachine.role)
    const events = statementsOfRole(template, roleId).filter((s) => asArray(s.Action).some((a) => a.startsWith('events:')))
    expect(events.map((s) => s.Action)).toEqual(['events:PutEvents'])
    expect(JSON.stringify(events[0].Resource)).toContain(':event-bus/default')
  })

  it('sends Case Processed after Report and Case Failed after ReportFailure, with pointers to the report', () => {
    const props = resources(template)[idOf(stack, stack.caseStateMachine.stateMachine)].Properties
    const states = JSON.parse(props.DefinitionString).States
    expect(states.Report.Next).toBe('EmitCaseProcessed')
    expect(states.EmitCaseProcessed.Next).toBe('Done')
    expect(states.ReportFailure.Next).toBe('EmitCaseFailed')
    expect(states.EmitCaseFailed.Next).toBe('Failed')
    for (const [state, type, report] of [
      ['EmitCaseProcessed', caseEventDetailTypes.processed, '$.report.report'],
      ['EmitCaseFailed', caseEventDetailTypes.failed, '$.failureReport.report'],
    ]) {
      expect(states[state].Resource).toBe('arn:aws:states:::events:putEvents')
      // A written report must not be overwritten by a failure report: no Catch to ReportFailure.
      expect(states[state].Catch).toBeUndefined()
      expect(states[state].ResultPath).toBeNull()
      const [entry] = states[state].Parameters.Entries
      expect(entry).toMatchObject({ Source: 'voxelflow', DetailType: type, EventBusName: '${EventBusName}' })
      expect(entry.Detail).toMatchObject({ 'report.$': report, 'case_id.$': '$.case.caseId', 'run_id.$': '$.run.runId', 'dataset.$': '$.case.dataset' })
    }
    expect(props.TracingConfiguration).toEqual({ Enabled: true })
  })
})

describe('scheduled reprocessing', () => {
  const reprocessRules = (t: Template) =>
    Object.values(resources(t)).filter((r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Description).includes('reprocess'))

  it('is absent by default: no rule, no reprocess function', () => {
    expect(reprocessRules(template)).toEqual([])
    expect(stack.reprocessSchedule).toBeUndefined()
    expect(Object.values(resources(template)).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.REPROCESS_PREFIX)).toEqual([])
  })

  it('when configured, a rule on the schedule invokes the reprocess function with the prefix and rate', () => {
    const { stack: s, template: t } = synthStack({ reprocessSchedule: { expression: 'cron(0 3 ? * SUN *)', prefix: 'pelvis/', maxStartsPerSecond: 5 } })
    const fn = s.reprocessSchedule!.fn
    const fnId = idOf(s, fn)
    expect(reprocessRules(t)).toHaveLength(1)
    const rule = reprocessRules(t)[0]
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 3 ? * SUN *)')
    expect(rule.Properties.State).toBe('ENABLED')
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })])
    const variables = resources(t)[fnId].Properties.Environment.Variables
    expect(variables).toMatchObject({ REPROCESS_PREFIX: 'pelvis/', REPROCESS_MAX_STARTS_PER_SECOND: '5', STATE_MACHINE_ARN: { Ref: idOf(s, s.caseStateMachine.stateMachine) } })
    expect(resources(t)[fnId].Properties.Timeout).toBe(900)

    const statements = statementsOfRole(t, idOf(s, fn.role!))
    const on = (bucket: IConstruct) => new Set(statements.filter((x) => JSON.stringify(x.Resource).includes(`"${idOf(s, bucket)}"`)).flatMap((x) => asArray(x.Action)))
    expect([...on(s.inputBucket)].sort()).toEqual(['s3:GetObject', 's3:ListBucket'])
    expect([...on(s.workBucket)].sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject'])
    expect([...on(s.outputBucket)].sort()).toEqual(['s3:GetObject', 's3:ListBucket'])
    expect(statements.flatMap((x) => asArray(x.Action))).toContain('states:StartExecution')
  })
})

describe('waiting-for-manifest sweep', () => {
  it('runs every 5 minutes with a 15-minute quiet period, keeping its fingerprints under waiting/ of the work bucket', () => {
    const { fn, rule } = stack.waitingCaseSweep
    const ruleProps = resources(template)[idOf(stack, rule)].Properties
    expect(ruleProps.ScheduleExpression).toBe('rate(5 minutes)')
    expect(ruleProps.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [idOf(stack, fn), 'Arn'] } })])
    expect(resources(template)[idOf(stack, fn)].Properties.Environment.Variables.QUIET_PERIOD_SECONDS).toBe('900')
    const workId = idOf(stack, stack.workBucket)
    const onWork = statementsOfRole(template, idOf(stack, fn.role!)).filter((x) => JSON.stringify(x.Resource).includes(`"${workId}"`))
    for (const x of onWork) expect(JSON.stringify(x)).toContain('waiting/*')
    const { stack: s, template: t } = synthStack({ quietPeriodSeconds: 3600 })
    expect(resources(t)[idOf(s, s.waitingCaseSweep.fn)].Properties.Environment.Variables.QUIET_PERIOD_SECONDS).toBe('3600')
  })
})

describe('chunk dead-letter queue', () => {
  it('feeds the chunk dead-letter handler, which may answer task tokens and touch no bucket', () => {
    const fnId = idOf(stack, stack.chunkDeadLetter)
    const mapping = Object.values(resources(template)).find(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.FunctionName.Ref === fnId,
    )!
    expect(mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [idOf(stack, stack.chunkQueue.deadLetterQueue), 'Arn'] })
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures'])
    const actions = statementsOfRole(template, idOf(stack, stack.chunkDeadLetter.role!)).flatMap((x) => asArray(x.Action))
    expect(actions).toContain('states:SendTaskFailure')
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([])
  })
})

describe('alarms', () => {
  it('alarm on any message in either dead-letter queue', () => {
    for (const [name, pair] of [['Uploads', stack.uploadQueue], ['Chunks', stack.chunkQueue]] as const) {
      const alarm = resources(template)[idOf(stack, stack.alarms.deadLetterAlarms[name])].Properties
      expect(alarm).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(stack, pair.deadLetterQueue), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      })
    }
  })

  it('alarm on failed, timed-out or aborted case executions', () => {
    const alarm = resources(template)[idOf(stack, stack.alarms.failedExecutionsAlarm)].Properties
    expect(alarm.Threshold).toBe(1)
    const metrics = alarm.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: unknown[] } } }[]
    expect(metrics.find((m) => m.Expression)!.Expression).toBe('failed + timedOut + aborted')
    const names = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.MetricName).sort()
    expect(names).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut'])
    for (const m of metrics.filter((m) => m.MetricStat)) {
      expect(m.MetricStat!.Metric.Namespace).toBe('AWS/States')
      expect(m.MetricStat!.Metric.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: idOf(stack, stack.caseStateMachine.stateMachine) } }])
    }
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3)
  })

  it('notify an SNS topic when one is given', () => {
    const { stack: s, template: t } = synthStack({ alarmTopicArn: 'arn:aws:sns:eu-central-1:123456789012:voxelflow-alarms' })
    const alarm = resources(t)[idOf(s, s.alarms.failedExecutionsAlarm)].Properties
    expect(alarm.AlarmActions).toEqual(['arn:aws:sns:eu-central-1:123456789012:voxelflow-alarms'])
  })
})
