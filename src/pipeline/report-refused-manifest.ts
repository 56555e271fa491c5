// A case whose manifest (case.json) is refused at ingest never starts an execution, so the
// state machine's ReportFailure never runs for it. The uploader still looks for the case's
// report: write the same failure report (status failed, kind bad_input, the reason naming
// the manifest and the field) at the key a run of that case would have used.
import path from 'node:path/posix'
import { configHash, parseConfig } from './config.js'
import { isBadInput } from './errors.js'
import { getJson } from './object-io.js'
import { runIdOf } from './plan-run.js'
import { reportFailure } from './stages/report-failure.js'
import type { StoreResolver } from '../store/object-store.js'

export interface RefusedManifest {
  bucket: string
  /** The manifest's key, e.g. `pelvis/case-001/case.json`. */
  key: string
  stores: StoreResolver
  workBucket: string
  outputBucket: string
  /** Deployment-wide settings; their hash goes into the report when they are valid. */
  config: Record<string, unknown>
}

/** For `.catch`: on bad input write the failure report, then rethrow; other faults pass untouched (retried). */
export function reportRefusedManifest(manifest: RefusedManifest) {
  return async (error: unknown): Promise<never> => {
    if (isBadInput(error)) await writeRefusedManifestReport(manifest, error.message)
    throw error
  }
}

async function writeRefusedManifestReport(manifest: RefusedManifest, message: string): Promise<void> {
  const { dataset, caseId } = await caseOf(manifest)
  const info = await manifest.stores(manifest.bucket).head(manifest.key)
  let hashOfConfig = 'invalid'
  try {
    hashOfConfig = configHash(parseConfig(manifest.config))
  } catch {
    // The deployment's own settings are broken too; the message says what matters here.
  }
  const now = new Date().toISOString()
  await reportFailure(
    {
      case: { dataset, caseId, manifest: { bucket: manifest.bucket, key: manifest.key } },
      run: {
        // Same manifest object (key and ETag) -> same id, as for a started run.
        runId: runIdOf([{ bucket: manifest.bucket, key: manifest.key, size: info?.size ?? 0, etag: info?.etag ?? '', role: 'auto' }], hashOfConfig),
        configHash: hashOfConfig,
        workBucket: manifest.workBucket,
        workPrefix: '',
        outputBucket: manifest.outputBucket,
        outputPrefix: `${dataset}/${caseId}/`,
        startedAt: now,
      },
      error: { Error: 'BadInputError', Cause: JSON.stringify({ errorType: 'BadInputError', errorMessage: message }) },
    },
    { stores: manifest.stores },
  )
}

/**
 * Dataset and case id as ingest would have chosen them: the manifest's own `dataset` and
 * `case_id` when they are usable names, else the first path segment and the manifest's folder.
 */
async function caseOf({ bucket, key, stores }: RefusedManifest): Promise<{ dataset: string; caseId: string }> {
  const segments = key.split('/')
  const folder = path.dirname(key)
  let dataset = segments.length > 1 ? segments[0] : 'default'
  let caseId = folder === '.' ? 'case' : path.basename(folder)
  const parsed = await getJson<Record<string, unknown>>(stores(bucket), key).catch(() => undefined)
  const usable = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(v) && !/^\.+$/.test(v)
  if (parsed && typeof parsed === 'object') {
    if (usable(parsed.dataset)) dataset = parsed.dataset
    if (usable(parsed.case_id)) caseId = parsed.case_id
  }
  return { dataset, caseId }
}
