// Reprocess a dataset prefix: find every complete case under it (a manifest, or a lone NIfTI),
// and start it through the same ingest path, at a bounded rate, skipping cases whose report
// already carries the run id this config would give (same content, config hash and pipeline version).
import path from 'node:path/posix'
import { isNiftiPath } from '../io/nifti.js'
import { type IngestDependencies, type IngestOutcome, ingestObject, isLoneNiftiKey, manifestFileName } from './ingest.js'
import { getJson } from './object-io.js'
import type { ExecutionInput } from './state.js'
import type { ExecutionStarter } from './task-callbacks.js'
import { outputKeys } from './work-keys.js'

export interface ReprocessOptions {
  inputBucket: string
  /** Dataset prefix, e.g. "pelvis/" ('' = the whole bucket). */
  prefix: string
  deps: IngestDependencies
  /** Upper bound on executions started per second (default 2). */
  maxStartsPerSecond?: number
  /** Injected for tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export interface ReprocessSummary {
  /** Execution names started. */
  started: string[]
  /** Cases whose report already has this run id (same content, config hash and pipeline version). */
  skipped: { caseId: string; executionName: string }[]
  /** Start refused by the state machine: an execution with that name exists. */
  duplicate: string[]
  /** Keys that do not complete a case (loose DICOM waiting for a manifest, ...). */
  waiting: string[]
}

const folderOf = (key: string) => (path.dirname(key) === '.' ? '' : `${path.dirname(key)}/`)

/** A manifest covers every object in its folder and below (ingest lists the folder recursively). */
function manifestCover(keys: string[]): (key: string) => boolean {
  const manifestFolders = new Set(keys.filter((k) => path.basename(k) === manifestFileName).map(folderOf))
  return (key) => {
    for (let folder = folderOf(key); ; folder = folderOf(folder.slice(0, -1))) {
      if (manifestFolders.has(folder)) return true
      if (folder === '') return false
    }
  }
}

/** Keys that complete a case: manifests, and lone NIfTIs (`<dataset>/<name>.nii.gz`) no manifest covers. */
export function caseTriggerKeys(keys: string[]): string[] {
  const covered = manifestCover(keys)
  return keys.filter((key) => (path.basename(key) === manifestFileName ? true : !covered(key) && isLoneNiftiKey(key)))
}

/** Keys that belong to no complete case (files in a case folder whose manifest has not arrived). */
export function looseKeys(keys: string[]): string[] {
  const covered = manifestCover(keys)
  return keys.filter((key) => !covered(key) && !(isNiftiPath(key) && key.split('/').length <= 2))
}

export async function reprocessPrefix(options: ReprocessOptions): Promise<ReprocessSummary> {
  const { deps } = options
  const summary: ReprocessSummary = { started: [], skipped: [], duplicate: [], waiting: [] }
  const listed = await deps.stores(options.inputBucket).list(options.prefix)
  summary.waiting.push(...looseKeys(listed.map((o) => o.key)))
  // The rate bounds real starts only: skipping a processed case costs the state machine nothing.
  const starter = skipReported(boundedStarter(deps.starter, options), deps, summary)
  for (const key of caseTriggerKeys(listed.map((o) => o.key))) {
    const outcome: IngestOutcome = await ingestObject(options.inputBucket, key, { ...deps, starter })
    if (outcome.action === 'started') summary.started.push(outcome.executionName)
    else if (outcome.action === 'duplicate' && !summary.skipped.some((s) => s.executionName === outcome.executionName)) {
      summary.duplicate.push(outcome.executionName)
    } else if (outcome.action === 'waiting' || outcome.action === 'ignored') summary.waiting.push(key)
  }
  return summary
}

/** Starts nothing when the case's report already names this run (the report is the commit point). */
function skipReported(inner: ExecutionStarter, deps: IngestDependencies, summary: ReprocessSummary): ExecutionStarter {
  return {
    async start(name, input) {
      const { run, case: caseRef } = input as ExecutionInput
      const output = deps.stores(run.outputBucket)
      const reportKey = outputKeys.report(run)
      if (await output.head(reportKey)) {
        const report = await getJson<{ run_id?: string; status?: string }>(output, reportKey)
        if (report.run_id === run.runId && report.status === 'processed') {
          summary.skipped.push({ caseId: caseRef.caseId, executionName: name })
          return { started: false, executionId: name }
        }
      }
      return inner.start(name, input)
    },
  }
}

/** Spaces the starts at least 1/rate seconds apart. */
function boundedStarter(inner: ExecutionStarter, options: ReprocessOptions): ExecutionStarter {
  const interval = 1000 / (options.maxStartsPerSecond ?? 2)
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const now = options.now ?? Date.now
  let nextAt = -Infinity
  return {
    async start(name, input) {
      const wait = nextAt - now()
      if (wait > 0) await sleep(wait)
      const result = await inner.start(name, input)
      nextAt = now() + interval
      return result
    },
  }
}
