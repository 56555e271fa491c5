// `voxelflow run`: the embedded default. Folders play the buckets, a worker pool plays the
// chunk queue, and aws-local-stepfunctions runs the deployed state-machine definition.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type PipelineConfig, defaultConfig } from '../pipeline/config.js'
import { planRun } from '../pipeline/plan-run.js'
import { prefetchCodeVersion } from '../pipeline/code-version.js'
import { BadInputError } from '../pipeline/errors.js'
import { type Report, reportSchema } from '../pipeline/report-schema.js'
import type { CaseObject } from '../pipeline/state.js'
import { outputKeys } from '../pipeline/work-keys.js'
import { ChunkPool, type ChunkPoolOptions, type ChunkSpan } from './chunk-pool.js'
import { type LocalCase, discoverCases } from './discover-cases.js'
import { type BucketFolders, folderStores } from './folder-stores.js'
import { type EventLog, LocalStateMachine } from './local-state-machine.js'
import { localStageHandlers } from './stage-handlers.js'
import type { StageContext } from '../pipeline/stage-context.js'

export interface LocalRunOptions {
  input: string
  out: string
  config?: PipelineConfig
  /** A reference label map (NIfTI) for a single-case input. */
  reference?: string
  /** A segmentation (NIfTI) to evaluate against the reference, for a single-case input. */
  prediction?: string
  /** Reference landmarks (landmarks JSON), besides the SR's, for a single-case input. */
  referenceLandmarks?: string
  /** Predicted landmarks (landmarks JSON) to compare with the reference landmarks, for a single-case input. */
  predictionLandmarks?: string
  /** An image (NIfTI) to register to the output image, for a single-case input. */
  moving?: string
  /** A label map (NIfTI) in the moving image's space, to follow its registration. */
  movingLabels?: string
  workers?: number
  keepWork?: boolean
  /** Fault injection for tests: chunk messages whose worker is killed before it answers. */
  interruptChunk?: ChunkPoolOptions['interrupt']
  onProgress?: (event: ProgressEvent) => void
}

export type ProgressEvent =
  | { type: 'cases'; caseIds: string[] }
  | { type: 'stage'; caseId: string; stage: string }
  | { type: 'chunk-done'; caseId: string }
  | { type: 'case-done'; caseId: string; status: Report['status'] }

export interface LocalCaseResult {
  caseId: string
  outputDir: string
  report: Report
}

export interface LocalRunSummary {
  cases: LocalCaseResult[]
  ms: number
  /** Chunks per worker thread, ms since the run started (benchmarks: were the workers busy?). */
  chunkTimeline: ChunkSpan[]
}

const workBucket = 'work'
const outputBucket = 'output'

export async function runLocal(options: LocalRunOptions): Promise<LocalRunSummary> {
  const started = Date.now()
  void prefetchCodeVersion()
  const config = options.config ?? defaultConfig
  const out = path.resolve(options.out)
  await fs.mkdir(out, { recursive: true })
  const cases = await discoverCases(options.input)
  if (options.reference && cases.length !== 1) throw new Error('--reference needs a single-case input')
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'voxelflow-work-'))

  const buckets: BucketFolders = { [workBucket]: workDir, [outputBucket]: out }
  const inputBucketOf = bucketNamer(buckets)
  const caseObjects = new Map<LocalCase, CaseObject[]>()
  for (const c of cases) caseObjects.set(c, c.keys.map((key) => ({ bucket: inputBucketOf(c.root), key, size: 0, etag: '', role: 'auto' as const })))
  if (options.reference) {
    const ref = path.resolve(options.reference)
    caseObjects.get(cases[0])!.push({ bucket: inputBucketOf(path.dirname(ref)), key: path.basename(ref), size: 0, etag: '', role: 'labels' })
  }
  if (options.prediction) {
    if (!options.reference || cases.length !== 1) throw new BadInputError('--prediction needs --reference and a single-case input')
    const predicted = path.resolve(options.prediction)
    caseObjects.get(cases[0])!.push({ bucket: inputBucketOf(path.dirname(predicted)), key: path.basename(predicted), size: 0, etag: '', role: 'prediction' })
  }
  for (const [file, role, flag] of [[options.referenceLandmarks, 'reference_landmarks', '--reference-landmarks'], [options.predictionLandmarks, 'prediction_landmarks', '--prediction-landmarks'], [options.moving, 'moving', '--moving'], [options.movingLabels, 'moving_labels', '--moving-labels']] as const) {
    if (!file) continue
    if (cases.length !== 1) throw new BadInputError(`${flag} needs a single-case input`)
    const absolute = path.resolve(file)
    caseObjects.get(cases[0])!.push({ bucket: inputBucketOf(path.dirname(absolute)), key: path.basename(absolute), size: 0, etag: '', role })
  }
  const stores = folderStores(buckets)
  const pool = new ChunkPool({ buckets, workers: options.workers, interrupt: options.interruptChunk })
  // chunks start as soon as prepare has written their inputs (a NIfTI's first slabs while it reads the rest)
  const context: StageContext = { stores, chunkParallelism: pool.parallelism, startChunkEarly: (message) => pool.startEarly(message) }
  const caseOfExecution = new Map<string, string>()
  const machine = new LocalStateMachine(
    localStageHandlers(context, (body) => pool.run(body)),
    (execution, event) => forwardProgress(caseOfExecution.get(execution) ?? execution, event, options.onProgress),
  )

  options.onProgress?.({ type: 'cases', caseIds: cases.map((c) => c.caseId) })
  const results: LocalCaseResult[] = []
  try {
    for (const c of cases) {
      // Sizes and ETags make the run id content-derived, as S3 listings do in the cloud.
      const objects = await Promise.all(
        caseObjects.get(c)!.map(async (o) => {
          const info = await stores(o.bucket).head(o.key)
          if (!info) throw new Error(`${o.key} vanished`)
          return { ...o, size: info.size, etag: info.etag }
        }),
      )
      const planned = await planRun({ dataset: '', caseId: c.caseId, objects, config, work: stores(workBucket), outputBucket, outputRoot: '' })
      caseOfExecution.set(planned.executionName, c.caseId)
      await machine.start(planned.executionName, planned.input)
      await machine.wait(planned.executionName).catch(() => undefined) // a failed case still has its report
      pool.dropEarly() // chunks a failed prepare handed over: not the next case's work
      const reportKey = outputKeys.report(planned.input.run)
      const report = reportSchema.parse(JSON.parse(await fs.readFile(path.join(out, reportKey), 'utf8')))
      options.onProgress?.({ type: 'case-done', caseId: c.caseId, status: report.status })
      results.push({ caseId: c.caseId, outputDir: path.join(out, planned.input.run.outputPrefix), report })
    }
  } finally {
    await pool.close()
    if (!options.keepWork) await fs.rm(workDir, { recursive: true, force: true })
  }
  const chunkTimeline = pool.timeline.map((s) => ({ ...s, startMs: s.startMs - started, endMs: s.endMs - started }))
  return { cases: results, ms: Date.now() - started, chunkTimeline }
}

function bucketNamer(buckets: BucketFolders) {
  const byRoot = new Map<string, string>()
  return (root: string) => {
    let name = byRoot.get(root)
    if (!name) {
      name = `input-${byRoot.size}`
      byRoot.set(root, name)
      buckets[name] = root
    }
    return name
  }
}

function forwardProgress(caseId: string, event: EventLog, onProgress?: (event: ProgressEvent) => void) {
  if (!onProgress) return
  if (event.type === 'StateEntered' && event.state.type === 'Task' && event.index === undefined) onProgress({ type: 'stage', caseId, stage: event.state.name })
  if (event.type === 'StateEntered' && event.state.type === 'Map') onProgress({ type: 'stage', caseId, stage: event.state.name })
  if (event.type === 'MapIterationSucceeded') onProgress({ type: 'chunk-done', caseId })
}
