// Structured JSON logs and CloudWatch metrics (embedded metric format) for every Lambda stage:
// each log line carries the stage and the case (dataset, case id, run id, chunk), never patient
// data; each invocation records its duration, and the report stages count cases and bytes.
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import type { MiddlewareObj } from '@middy/core'

export const metricsNamespace = 'voxelflow'

export const metricNames = {
  stageDuration: 'StageDuration',
  stageErrors: 'StageErrors',
  casesProcessed: 'CasesProcessed',
  casesFailed: 'CasesFailed',
  inputBytes: 'InputBytes',
  outputBytes: 'OutputBytes',
} as const

export interface CaseKeys {
  dataset?: string
  case_id?: string
  run_id?: string
  chunk?: number
}

/** Case identity from a state-machine task input, or from the first SQS record's body (chunk messages). */
export function caseKeysOf(event: unknown): CaseKeys {
  const fromState = (value: unknown): CaseKeys => {
    const v = value as { case?: { dataset?: unknown; caseId?: unknown }; run?: { runId?: unknown }; chunk?: { index?: unknown } } | undefined
    const keys: CaseKeys = {}
    if (typeof v?.case?.dataset === 'string') keys.dataset = v.case.dataset
    if (typeof v?.case?.caseId === 'string') keys.case_id = v.case.caseId
    if (typeof v?.run?.runId === 'string') keys.run_id = v.run.runId
    if (typeof v?.chunk?.index === 'number') keys.chunk = v.chunk.index
    return keys
  }
  const records = (event as { Records?: { body?: unknown }[] } | undefined)?.Records
  if (Array.isArray(records) && typeof records[0]?.body === 'string') {
    try {
      return fromState(JSON.parse(records[0].body))
    } catch {
      return {} // an S3 notification or a broken body: no case yet
    }
  }
  return fromState(event)
}

export interface StageObservability {
  logger: Logger
  metrics: Metrics
  /** For middy's .use(): Lambda context and case keys in logs, duration and counts as metrics. */
  middlewares: MiddlewareObj[]
}

export function stageObservability(stage: string, now: () => number = Date.now): StageObservability {
  const logger = new Logger({ serviceName: 'voxelflow', persistentKeys: { stage } })
  const metrics = new Metrics({ namespace: metricsNamespace, serviceName: 'voxelflow', defaultDimensions: { stage } })
  let started = 0
  const caseContext: MiddlewareObj = {
    before: async (request) => {
      started = now()
      logger.appendKeys({ ...caseKeysOf(request.event) })
      logger.info('stage started')
    },
    after: async (request) => {
      metrics.addMetric(metricNames.stageDuration, MetricUnit.Milliseconds, now() - started)
      recordCaseOutcome(stage, request.response, metrics)
      logger.info('stage finished', { ms: now() - started })
    },
    onError: async (request) => {
      metrics.addMetric(metricNames.stageDuration, MetricUnit.Milliseconds, now() - started)
      metrics.addMetric(metricNames.stageErrors, MetricUnit.Count, 1)
      logger.error('stage failed', request.error as Error)
    },
  }
  return {
    logger,
    metrics,
    middlewares: [
      injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj,
      logMetrics(metrics) as MiddlewareObj,
      caseContext,
    ],
  }
}

/** The report stages are where a case ends: count it, and its bytes. */
function recordCaseOutcome(stage: string, response: unknown, metrics: Metrics): void {
  const r = response as { status?: string; bytes?: { input?: number; output?: number } } | undefined
  if (stage === 'report' && r?.status === 'processed') metrics.addMetric(metricNames.casesProcessed, MetricUnit.Count, 1)
  if (stage === 'report-failure') metrics.addMetric(metricNames.casesFailed, MetricUnit.Count, 1)
  if (typeof r?.bytes?.input === 'number') metrics.addMetric(metricNames.inputBytes, MetricUnit.Bytes, r.bytes.input)
  if (typeof r?.bytes?.output === 'number') metrics.addMetric(metricNames.outputBytes, MetricUnit.Bytes, r.bytes.output)
}
