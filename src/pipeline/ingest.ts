// Ingest: an upload arrived; is a case complete? A case is complete when its manifest
// (case.json) lands, or when a single NIfTI or archive lands. Loose DICOM files wait for a manifest.
import path from 'node:path/posix'
import { z } from 'zod'
import { type PipelineConfig, parseConfig } from './config.js'
import { BadInputError } from './errors.js'
import { getJson } from './object-io.js'
import { planRun } from './plan-run.js'
import type { CaseObject } from './state.js'
import type { ExecutionStarter } from './task-callbacks.js'
import type { StoreResolver } from '../store/object-store.js'
import { isNiftiPath } from '../io/nifti.js'
import { archiveStem, isArchivePath } from '../io/archive.js'
import { reportRefusedManifest } from './report-refused-manifest.js'

export const manifestFileName = 'case.json'

/** The manifest users upload next to a case's files. */
export const uploadedManifestSchema = z.strictObject({
  dataset: z.string().min(1).max(128).optional(),
  case_id: z.string().min(1).max(128).optional(),
  /** Keys relative to the manifest's folder; default: every object in that folder. */
  files: z.array(z.string().min(1)).optional(),
  /** A reference label map (NIfTI), relative to the manifest's folder. */
  reference_labels: z.string().min(1).optional(),
  /** A segmentation (NIfTI) to evaluate against the reference, relative to the manifest's folder. */
  prediction_labels: z.string().min(1).optional(),
  /** Reference landmarks (landmarks JSON), in addition to the SR's, relative to the manifest's folder. */
  reference_landmarks: z.string().min(1).optional(),
  /** Predicted landmarks (landmarks JSON) to compare with the reference landmarks, relative to the manifest's folder. */
  prediction_landmarks: z.string().min(1).optional(),
  /** An image (NIfTI) to register to the case's output image, relative to the manifest's folder. */
  moving_image: z.string().min(1).optional(),
  /** A label map (NIfTI) in the moving image's space, carried along by its registration. */
  moving_labels: z.string().min(1).optional(),
  /** Overrides of the pipeline settings for this case. */
  config: z.record(z.string(), z.unknown()).optional(),
})

export interface IngestDependencies {
  stores: StoreResolver
  workBucket: string
  outputBucket: string
  starter: ExecutionStarter
  /** Deployment-wide settings (overridden per case by a manifest's config). */
  config: Record<string, unknown>
}

export type IngestOutcome =
  | { key: string; action: 'started' | 'duplicate'; executionName: string; caseId: string }
  | { key: string; action: 'waiting' | 'ignored'; reason: string }

export async function ingestObject(bucket: string, key: string, deps: IngestDependencies): Promise<IngestOutcome> {
  const store = deps.stores(bucket)
  const folder = path.dirname(key) === '.' ? '' : `${path.dirname(key)}/`
  if (path.basename(key) === manifestFileName) {
    return startManifestCase(bucket, key, folder, deps).catch(reportRefusedManifest({ bucket, key, stores: deps.stores, workBucket: deps.workBucket, outputBucket: deps.outputBucket, config: deps.config }))
  }
  // One NIfTI at the top of a dataset, or one archive (.zip, .tar, .tar.gz) anywhere, is a whole case.
  if (isLoneNiftiKey(key) || isArchivePath(key)) {
    if (await store.head(`${folder}${manifestFileName}`)) return { key, action: 'ignored', reason: 'part of a case with a manifest' }
    const info = await store.head(key)
    if (!info) return { key, action: 'ignored', reason: 'object no longer exists' }
    const caseId = isArchivePath(key) ? archiveStem(key) : path.basename(key).replace(/\.nii(\.gz)?$/i, '')
    return start(deps, datasetOf(key), caseId, [{ bucket, key, size: info.size, etag: info.etag, role: 'auto' }], deps.config)
  }
  return { key, action: 'waiting', reason: `waiting for ${folder}${manifestFileName}` }
}

async function startManifestCase(bucket: string, key: string, folder: string, deps: IngestDependencies): Promise<IngestOutcome> {
  const store = deps.stores(bucket)
  const json = await getJson(store, key).catch((error: unknown) => {
    if (error instanceof SyntaxError) throw new BadInputError(`the case manifest is not JSON (${error.message})`, { file: key })
    return undefined
  })
  const parsed = uploadedManifestSchema.safeParse(json)
  if (!parsed.success) throw new BadInputError(`invalid case manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { file: key })
  const manifest = parsed.data
  const listed = await store.list(folder)
  const byKey = new Map(listed.map((o) => [o.key, o]))
  const wanted = manifest.files ? manifest.files.map((f) => folder + f) : listed.map((o) => o.key).filter((k) => k !== key)
  const labelsKey = manifest.reference_labels ? folder + manifest.reference_labels : undefined
  const predictionKey = manifest.prediction_labels ? folder + manifest.prediction_labels : undefined
  const roles: [string | undefined, CaseObject['role']][] = [
    [labelsKey, 'labels'],
    [predictionKey, 'prediction'],
    [manifest.reference_landmarks && folder + manifest.reference_landmarks, 'reference_landmarks'],
    [manifest.prediction_landmarks && folder + manifest.prediction_landmarks, 'prediction_landmarks'],
    [manifest.moving_image && folder + manifest.moving_image, 'moving'],
    [manifest.moving_labels && folder + manifest.moving_labels, 'moving_labels'],
  ]
  const roleOf = (k: string): CaseObject['role'] => roles.find(([key]) => key === k)?.[1] ?? 'auto'
  const objects: CaseObject[] = []
  for (const wantedKey of new Set([...wanted, ...roles.flatMap(([k]) => (k ? [k] : []))])) {
    const info = byKey.get(wantedKey)
    if (!info) throw new BadInputError(`manifest lists ${wantedKey}, which is not in the bucket`, { file: key })
    objects.push({ bucket, key: wantedKey, size: info.size, etag: info.etag, role: roleOf(wantedKey) })
  }
  const caseId = manifest.case_id ?? (path.basename(folder) || 'case')
  const config = { ...deps.config, ...(manifest.config ?? {}) }
  return start(deps, manifest.dataset ?? datasetOf(key), caseId, objects, config, key)
}

async function start(deps: IngestDependencies, dataset: string, caseId: string, objects: CaseObject[], settings: Record<string, unknown>, source = 'config'): Promise<IngestOutcome> {
  const config: PipelineConfig = parseConfig(mergeDeep(deps.config, settings), source)
  const planned = await planRun({
    dataset,
    caseId,
    objects,
    config,
    work: deps.stores(deps.workBucket),
    outputBucket: deps.outputBucket,
    outputRoot: `${dataset}/`,
  })
  const { started } = await deps.starter.start(planned.executionName, planned.input)
  return { key: objects[0].key, action: started ? 'started' : 'duplicate', executionName: planned.executionName, caseId }
}

/**
 * A NIfTI that is a case by itself: `<dataset>/<name>.nii.gz` (or at the top). One inside a case
 * folder (`<dataset>/<case>/...`) belongs to that case and waits for its case.json: during a
 * `aws s3 sync` its event may arrive before the manifest is uploaded.
 */
export function isLoneNiftiKey(key: string): boolean {
  return isNiftiPath(key) && !/\.labels\.nii(\.gz)?$/i.test(key) && key.split('/').length <= 2
}

/** The dataset is the first path segment of an upload (`pelvis/case-001/...` -> "pelvis"). */
function datasetOf(key: string): string {
  const segments = key.split('/')
  return segments.length > 1 ? segments[0] : 'default'
}

export function mergeDeep(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(override)) {
    const b = out[k]
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeDeep(b, v) : v
  }
  return out
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
