// Catch-all of the state machine: whatever failed, the case gets a report saying so.
// The input objects are never touched.
import { pipelineVersion } from '../version.js'
import { codeVersion } from '../code-version.js'
import { getJson, putJson } from '../object-io.js'
import { type Report, reportSchema, reportSchemaVersion } from '../report-schema.js'
import type { StageContext } from '../stage-context.js'
import type { CaseManifest, CaseRef, ObjectPointer, RunRef } from '../state.js'
import type { CaseFacts } from './prepare.js'
import { outputKeys } from '../work-keys.js'
import { writeAnalyticsRows } from './analytics-rows.js'

export interface FailedState {
  case: CaseRef
  run: RunRef
  /** Present when prepare finished before the failure. */
  prepared?: { facts?: ObjectPointer }
  error: { Error?: string; Cause?: unknown }
}

/**
 * Provenance of a failed case, best effort: prepare's facts (with sha256) when it got that far,
 * else the objects the case manifest lists (key, size, ETag), else nothing.
 */
async function failedInputs(state: FailedState, context: StageContext): Promise<Report['inputs']> {
  try {
    if (state.prepared?.facts) return (await getJson<CaseFacts>(context.stores(state.prepared.facts.bucket), state.prepared.facts.key)).inputs
  } catch {
    // fall back to the manifest
  }
  try {
    const manifest = await getJson<CaseManifest>(context.stores(state.case.manifest.bucket), state.case.manifest.key)
    return manifest.objects.map((o) => ({ bucket: o.bucket, key: o.key, size_bytes: o.size, etag: o.etag }))
  } catch {
    return [] // the failure may be that the work bucket is unreadable: the report must still be written
  }
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
    inputs: await failedInputs(state, context),
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
