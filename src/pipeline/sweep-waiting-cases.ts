// Loose DICOM files are never processed half-way: ingest waits for the case's manifest. This
// sweep, run on a schedule, tells the uploader which folders are still waiting: a folder of
// loose files (no case.json, no NIfTI) whose content has not changed for the quiet period gets
// a report with status "waiting". The quiet period is measured by the sweep itself: it stores
// the folder's content fingerprint (keys + ETags) and when it first saw it in the work bucket,
// so no object timestamps are needed and any later upload restarts the clock.
import { createHash } from 'node:crypto'
import path from 'node:path/posix'
import { manifestFileName } from './ingest.js'
import { getJson, putJson } from './object-io.js'
import { type Report, reportSchema, reportSchemaVersion } from './report-schema.js'
import { caseTriggerKeys, looseKeys } from './reprocess.js'
import { pipelineVersion } from './version.js'
import type { ObjectInfo, StoreResolver } from '../store/object-store.js'

/** Work-bucket prefix of the sweep's fingerprints (the sweep's IAM grant is limited to it). */
export const waitingMarkersPrefix = 'waiting/'

export interface SweepOptions {
  stores: StoreResolver
  inputBucket: string
  workBucket: string
  outputBucket: string
  /** '' = the whole input bucket. */
  prefix: string
  quietPeriodSeconds: number
  now?: Date
}

export interface SweepSummary {
  /** Folders that got (or already had) their "waiting for manifest" report. */
  reported: string[]
  /** Folders still inside their quiet period. */
  quiet: string[]
}

interface WaitingMarker {
  folder: string
  fingerprint: string
  first_seen: string
}

export async function sweepWaitingCases(options: SweepOptions): Promise<SweepSummary> {
  const now = options.now ?? new Date()
  const listed = await options.stores(options.inputBucket).list(options.prefix)
  const work = options.stores(options.workBucket)
  const output = options.stores(options.outputBucket)
  const summary: SweepSummary = { reported: [], quiet: [] }
  for (const [folder, objects] of looseFolders(listed)) {
    const fingerprint = fingerprintOf(objects)
    const markerKey = `${waitingMarkersPrefix}${createHash('sha256').update(`${options.inputBucket}/${folder}`).digest('hex').slice(0, 32)}.json`
    const marker = (await work.head(markerKey)) ? await getJson<WaitingMarker>(work, markerKey) : undefined
    if (!marker || marker.fingerprint !== fingerprint) {
      await putJson(work, markerKey, { folder, fingerprint, first_seen: now.toISOString() } satisfies WaitingMarker)
      summary.quiet.push(folder)
      continue
    }
    if (now.getTime() - Date.parse(marker.first_seen) < options.quietPeriodSeconds * 1000) {
      summary.quiet.push(folder)
      continue
    }
    const segments = folder.split('/').filter(Boolean)
    const dataset = segments.length > 1 ? segments[0] : 'default'
    const caseId = segments.at(-1) ?? 'case'
    const reportKey = `${dataset}/${caseId}/report.json`
    const existing = (await output.head(reportKey)) ? await getJson<Partial<Report>>(output, reportKey) : undefined
    // Never overwrite a real outcome, nor rewrite the same waiting report.
    if (existing && (existing.status !== 'waiting' || existing.run_id === fingerprint)) {
      if (existing.status === 'waiting') summary.reported.push(folder)
      continue
    }
    const report: Report = {
      schema_version: reportSchemaVersion,
      status: 'waiting',
      dataset,
      case_id: caseId,
      run_id: fingerprint,
      created_at: now.toISOString(),
      pipeline: { version: pipelineVersion, config_hash: '' },
      inputs: objects.map((o) => ({ bucket: options.inputBucket, key: o.key, size_bytes: o.size, etag: o.etag })),
      outputs: { report: { bucket: options.outputBucket, key: reportKey } },
      labels: [],
      landmarks: [],
      timings_ms: {},
      warnings: [
        {
          code: 'waiting_for_manifest',
          message: `${objects.length} file(s) in ${folder} unchanged for ${options.quietPeriodSeconds} s and no ${folder}${manifestFileName}: upload the manifest to process the case`,
        },
      ],
    }
    await putJson(output, reportKey, reportSchema.parse(report))
    summary.reported.push(folder)
  }
  return summary
}

/**
 * Case folders holding loose files and nothing that completes a case. Uploads follow
 * <dataset>/<case>/...: a case may keep its series in subfolders (ct/), so the case folder is
 * the second level; a file directly in a dataset folder is its own folder's.
 */
function looseFolders(listed: ObjectInfo[]): Map<string, ObjectInfo[]> {
  const keys = listed.map((o) => o.key)
  const caseFolderOf = (key: string) => {
    const segments = key.split('/')
    return segments.length >= 3 ? `${segments[0]}/${segments[1]}/` : path.dirname(key) === '.' ? '' : `${path.dirname(key)}/`
  }
  const complete = new Set(caseTriggerKeys(keys).map(caseFolderOf))
  const loose = new Set(looseKeys(keys))
  const folders = new Map<string, ObjectInfo[]>()
  for (const o of listed) {
    const folder = caseFolderOf(o.key)
    if (!loose.has(o.key) || complete.has(folder)) continue
    folders.set(folder, [...(folders.get(folder) ?? []), o])
  }
  return folders
}

function fingerprintOf(objects: ObjectInfo[]): string {
  const hash = createHash('sha256')
  for (const o of [...objects].sort((a, b) => (a.key < b.key ? -1 : 1))) hash.update(`${o.key}\n${o.etag}\n`)
  return hash.digest('hex').slice(0, 32)
}
