// Catch-all of the state machine: whatever failed, the case gets a report saying so.
// The input objects are never touched.
import { pipelineVersion } from '../version.js'
import { codeVersion } from '../code-version.js'
import { putJson } from '../object-io.js'
import { type Report, reportSchema, reportSchemaVersion } from '../report-schema.js'
import type { StageContext } from '../stage-context.js'
import type { CaseRef, RunRef } from '../state.js'
import { outputKeys } from '../work-keys.js'
import { writeAnalyticsRows } from './analytics-rows.js'

export interface FailedState {
  case: CaseRef
  run: RunRef
  error: { Error?: string; Cause?: unknown }
}

/** Step Functions hands over Error (the error name) and Cause (JSON text from Lambda). */
export function describeFailure(error: FailedState['error']): { kind: 'bad_input' | 'internal'; message: string } {
  let message = String(error.Cause ?? error.Error ?? 'unknown error')
  let name = error.Error ?? ''
  if (typeof error.Cause === 'string') {
    try {
      const cause = JSON.parse(error.Cause) as { errorMessage?: string; errorType?: string }
      message = cause.errorMessage ?? message
      name = cause.errorType ?? name
    } catch {
      // A plain-text cause is already the message.
    }
  }
  return { kind: name === 'BadInputError' ? 'bad_input' : 'internal', message }
}

export async function reportFailure(state: FailedState, context: StageContext): Promise<{ report: { bucket: string; key: string } }> {
  const { run } = state
  const key = outputKeys.report(run)
  const report: Report = {
    schema_version: reportSchemaVersion,
    status: 'failed',
    dataset: state.case.dataset,
    case_id: state.case.caseId,
    run_id: run.runId,
    created_at: new Date().toISOString(),
    pipeline: { version: pipelineVersion, config_hash: run.configHash, code_version: codeVersion().value, code_version_source: codeVersion().source },
    inputs: [],
    outputs: { report: { bucket: run.outputBucket, key } },
    labels: [],
    landmarks: [],
    timings_ms: { total: Date.now() - Date.parse(run.startedAt) },
    warnings: [],
    error: describeFailure(state.error),
  }
  const valid = reportSchema.parse(report)
  await writeAnalyticsRows(context.stores(run.outputBucket), valid)
  await putJson(context.stores(run.outputBucket), key, valid)
  return { report: { bucket: run.outputBucket, key } }
}
