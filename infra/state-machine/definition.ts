// The one state-machine definition (Amazon States Language, JSONPath). CDK deploys it with
// definitionSubstitutions; the embedded runtime runs the very same JSON with
// aws-local-stepfunctions after substituting local stand-ins. Only pointers travel in state.
import { caseEventDetailTypes, caseEventSource } from '../../src/pipeline/case-events.js'

/** Placeholders `${Name}` that CDK (or the local runner) fills in. */
export const definitionPlaceholders = [
  'PrepareFunctionArn',
  'AssembleFunctionArn',
  'AnalyzeFunctionArn',
  'ReportFunctionArn',
  'ReportFailureFunctionArn',
  'ChunkQueueUrl',
  'EventBusName',
] as const

export type DefinitionPlaceholder = (typeof definitionPlaceholders)[number]

/** Task state names; the local runner binds each to the handler of the same stage. */
export const taskStates = {
  prepare: 'Prepare',
  chunk: 'ProcessChunk',
  assemble: 'Assemble',
  analyze: 'Analyze',
  report: 'Report',
  reportFailure: 'ReportFailure',
  caseProcessedEvent: 'EmitCaseProcessed',
  caseFailedEvent: 'EmitCaseFailed',
} as const

export const chunkMapState = 'Chunks'

/** Errors that mean "try again" (Lambda service hiccups, throttling, timeouts), never bad input. */
const transientErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.Timeout',
]

const retryTransient = [
  { ErrorEquals: transientErrors, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
]

const catchAll = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: taskStates.reportFailure }]

function lambdaTask(resource: DefinitionPlaceholder, resultPath: string, next: string, timeoutSeconds: number) {
  return {
    Type: 'Task',
    Resource: `\${${resource}}`,
    TimeoutSeconds: timeoutSeconds,
    ResultPath: resultPath,
    Retry: retryTransient,
    Catch: catchAll,
    Next: next,
  }
}

/**
 * "Case Processed" / "Case Failed" on EventBridge, sent by Step Functions itself right after the
 * report (the commit point) is written: no SDK code in the report handlers, Step Functions'
 * retries, and an event can never announce a report that does not exist. No Catch: a report
 * that is written must not be overwritten by a failure report because an event could not be
 * sent; the execution fails instead (and the failed-executions alarm fires).
 */
function caseEventTask(status: 'processed' | 'failed', next: string) {
  const detail: Record<string, string> = {
    status,
    'dataset.$': '$.case.dataset',
    'case_id.$': '$.case.caseId',
    'run_id.$': '$.run.runId',
    'config_hash.$': '$.run.configHash',
    'report.$': status === 'processed' ? '$.report.report' : '$.failureReport.report',
  }
  if (status === 'failed') detail['error.$'] = '$.error.Error'
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::events:putEvents',
    Parameters: {
      Entries: [
        {
          Source: caseEventSource,
          DetailType: caseEventDetailTypes[status],
          EventBusName: '${EventBusName}',
          Detail: detail,
        },
      ],
    },
    TimeoutSeconds: 60,
    ResultPath: null,
    Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: 'FULL' }],
    Next: next,
  }
}

export interface DefinitionOptions {
  /** Chunks processed at once per case (Map MaxConcurrency). */
  chunkConcurrency: number
  /** Seconds a chunk may take before Step Functions gives up on its task token. */
  chunkTimeoutSeconds: number
  /** Seconds for each Lambda task. */
  stageTimeoutSeconds: number
}

export const defaultDefinitionOptions: DefinitionOptions = {
  chunkConcurrency: 16,
  chunkTimeoutSeconds: 900,
  stageTimeoutSeconds: 900,
}

export function stateMachineDefinition(options: DefinitionOptions = defaultDefinitionOptions) {
  return {
    Comment: 'voxelflow: one case, prepare -> chunks -> assemble -> analyze -> report',
    StartAt: taskStates.prepare,
    States: {
      [taskStates.prepare]: lambdaTask('PrepareFunctionArn', '$.prepared', chunkMapState, options.stageTimeoutSeconds),
      [chunkMapState]: {
        Type: 'Map',
        ItemsPath: '$.prepared.chunks',
        MaxConcurrency: options.chunkConcurrency,
        ItemSelector: {
          'chunk.$': '$$.Map.Item.Value',
          'case.$': '$.case',
          'run.$': '$.run',
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: taskStates.chunk,
          States: {
            [taskStates.chunk]: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
              Parameters: {
                QueueUrl: '${ChunkQueueUrl}',
                MessageBody: {
                  'taskToken.$': '$$.Task.Token',
                  'chunk.$': '$.chunk',
                  'case.$': '$.case',
                  'run.$': '$.run',
                },
              },
              TimeoutSeconds: options.chunkTimeoutSeconds,
              Retry: [
                { ErrorEquals: ['States.Timeout', 'SQS.SdkClientException', 'ChunkWorkerInterrupted'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' },
              ],
              End: true,
            },
          },
        },
        ResultPath: '$.chunkResults',
        Catch: catchAll,
        Next: taskStates.assemble,
      },
      [taskStates.assemble]: lambdaTask('AssembleFunctionArn', '$.assembled', taskStates.analyze, options.stageTimeoutSeconds),
      [taskStates.analyze]: lambdaTask('AnalyzeFunctionArn', '$.analyzed', taskStates.report, options.stageTimeoutSeconds),
      [taskStates.report]: { ...lambdaTask('ReportFunctionArn', '$.report', taskStates.caseProcessedEvent, options.stageTimeoutSeconds) },
      [taskStates.caseProcessedEvent]: caseEventTask('processed', 'Done'),
      Done: { Type: 'Succeed' },
      [taskStates.reportFailure]: {
        Type: 'Task',
        Resource: '${ReportFailureFunctionArn}',
        TimeoutSeconds: 120,
        ResultPath: '$.failureReport',
        Retry: retryTransient,
        Next: taskStates.caseFailedEvent,
      },
      [taskStates.caseFailedEvent]: caseEventTask('failed', 'Failed'),
      Failed: { Type: 'Fail', Error: 'CaseFailed', Cause: 'the case failed; see its failure report in the output bucket' },
    },
  }
}

/** The definition as deployed: JSON text with `${Placeholder}` substitutions still in it. */
export function stateMachineDefinitionJson(options?: DefinitionOptions): string {
  return JSON.stringify(stateMachineDefinition(options))
}

/** Fill the placeholders (what Step Functions does with DefinitionSubstitutions). */
export function substituteDefinition(json: string, values: Record<DefinitionPlaceholder, string>): string {
  return json.replace(/\$\{([A-Za-z]+)\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`no value for definition placeholder ${name}`)
    return values[name as DefinitionPlaceholder]
  })
}
