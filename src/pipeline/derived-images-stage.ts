// Derived images as a pipeline stage (config `derived_images`): each a list of intensity steps
// applied to the output image (image.nii.gz's values: resampled HU, or the N4-corrected MR),
// written as `<case>/<name>.nii.gz` (float32). Two-phase, so chunked output equals the library
// functions applied to the whole image:
// 1. prepare (global): every statistic a step needs (z-score mean/sigma, min-max, percentiles,
//    log's minimum, power/exp's z-score, AHE's range, the Laplacian's rescaling sums) computed
//    once over the step's whole input. Prepare does not otherwise hold the resampled image (the
//    chunks resample their own slices), so it resamples the whole image exactly as the chunks
//    do (once, shared with N4's fit), applies the N4 field when it runs, and runs the preceding steps on it, so a
//    step that needs the statistics of an earlier step's output (AHE then min-max, say) gets
//    exactly those. Statistics are not reduced from chunk partials instead: percentiles of float
//    images and statistics after a neighbourhood step have no exact partial form, and partials
//    would need a second Map round over the chunks before the steps could apply them. The pass
//    runs only when some step needs statistics.
// 2. chunks: every step applied to the slab with its halo (AHE: its radius; Laplacian: one plane;
//    halos of one image's steps add up, the slab gets the largest), then the slab's own planes
//    are compressed as gzip members (output-parts.ts); assemble prepends the header.
import { gunzipSync } from 'node:zlib'
import { cropSlices } from '../chunks/slab-image.js'
import { composeFootprints, pointwiseFootprint } from '../chunks/footprint.js'
import { applyN4Field, type N4Field } from '../filters/n4-two-phase.js'
import { type Grid, type Image, componentTypeOf, makeImage, pixelsOf } from '../image/image.js'
import type { ObjectStore } from '../store/object-store.js'
import type { PipelineConfig } from './config.js'
import type { DerivedStep } from './derived-images-config.js'
import { type StepStatistics, applyStep, stepFootprint, stepNeedsStatistics, stepStatistics } from './derived-step-ops.js'
import { getJson, putImage, putJson } from './object-io.js'
import { niftiHeaderFor, putOutputPart, putVolumeFromParts } from './output-parts.js'
import type { ChunkRef, RunRef } from './state.js'

/** Stored by prepare, read by every chunk and by the report. */
export interface DerivedPlan {
  images: { name: string; steps: DerivedStep[]; statistics: (StepStatistics | null)[] }[]
}

export const derivedKeys = {
  plan: (run: RunRef) => `${run.workPrefix}derived-plan.json`,
  chunkPart: (run: RunRef, index: number, name: string) => `${run.workPrefix}chunks/${String(index).padStart(5, '0')}/derived-${name}.part.gz`,
  output: (run: RunRef, name: string) => `${run.outputPrefix}${name}.nii.gz`,
}

export function derivedImagesOf(config: PipelineConfig) {
  return config.derived_images ?? []
}

/** Slices of context along k the derived images need: the steps of one image add up. */
export function derivedHaloSlices(config: PipelineConfig): number {
  let halo = 0
  for (const image of derivedImagesOf(config)) {
    const footprint = image.steps.reduce((sum, step) => composeFootprints(sum, stepFootprint(step)), pointwiseFootprint)
    if (footprint.kind === 'neighbourhood') halo = Math.max(halo, footprint.haloVoxels[2])
  }
  return halo
}

/** Phase 1 (prepare): the statistics of every step, stored as the plan. */
export async function planDerivedImages(
  resampled: () => Image, n4FieldKey: string | undefined, config: PipelineConfig, run: RunRef, work: ObjectStore,
): Promise<void> {
  const images = derivedImagesOf(config)
  if (images.length === 0) return
  let whole: Image | undefined
  const outputImage = async () => {
    if (whole) return whole
    whole = resampled()
    if (n4FieldKey) whole = applyN4Field(whole, await getJson<N4Field>(work, n4FieldKey), 0)
    return whole
  }
  const plan: DerivedPlan = { images: [] }
  for (const { name, steps } of images) {
    const statistics: (StepStatistics | null)[] = []
    let current: Image | undefined // the whole image after steps [0, done)
    let done = 0
    for (const [n, step] of steps.entries()) {
      if (!stepNeedsStatistics(step)) {
        statistics.push(null)
        continue
      }
      current ??= await outputImage()
      for (; done < n; done++) current = applyStep(current, steps[done], statistics[done])
      statistics.push(stepStatistics(current, step))
    }
    plan.images.push({ name, steps, statistics })
  }
  await putJson(work, derivedKeys.plan(run), plan)
}

/** Phase 2 (each chunk): the derived images of the chunk's planes, as output parts. */
export async function putDerivedChunkParts(withHalo: Image, chunk: ChunkRef, config: PipelineConfig, run: RunRef, work: ObjectStore): Promise<void> {
  if (derivedImagesOf(config).length === 0) return
  const plan = await getJson<DerivedPlan>(work, derivedKeys.plan(run))
  for (const { name, steps, statistics } of plan.images) {
    let slab = withHalo
    for (const [n, step] of steps.entries()) slab = applyStep(slab, step, statistics[n])
    const own = cropSlices(slab, chunk.haloBefore, chunk.k1 - chunk.k0)
    if (componentTypeOf(pixelsOf(own)) !== 'float32') throw new Error(`derived image ${name}: expected float32 voxels, got ${componentTypeOf(pixelsOf(own))}`)
    await putOutputPart(work, derivedKeys.chunkPart(run, chunk.index, name), own, config.output.compression_level)
  }
}

/** Phase 3 (assemble): header + every chunk's part, in slice order, as `<case>/<name>.nii.gz`. */
export async function assembleDerivedImages(
  chunkIndexes: number[], outputGrid: Grid, config: PipelineConfig, run: RunRef, work: ObjectStore, output: ObjectStore, scratch: string,
): Promise<void> {
  const images = derivedImagesOf(config)
  if (images.length === 0) return
  const level = config.output.compression_level
  const header = await niftiHeaderFor(outputGrid, 'float32', scratch)
  for (const { name } of images) {
    const parts = await Promise.all(chunkIndexes.map((index) => work.get(derivedKeys.chunkPart(run, index, name))))
    const key = derivedKeys.output(run, name)
    if (header) {
      await putVolumeFromParts(output, key, header, parts, level)
      continue
    }
    // more than 32767 planes: NIfTI-1 cannot hold the size, ITK's writer picks NIfTI-2
    const voxels = gunzipSync(Buffer.concat(parts))
    const pixels = new Float32Array(voxels.buffer.slice(voxels.byteOffset, voxels.byteOffset + voxels.byteLength))
    await putImage(output, key, makeImage(outputGrid, pixels), scratch, level)
  }
}

/**
 * What report.json says about the derived images (absent when none are configured). Decided by
 * the config, not by heading the plan: without ListBucket a missing key answers 403, not 404.
 */
export async function derivedImagesReport(config: PipelineConfig, run: RunRef, work: ObjectStore, output: ObjectStore) {
  if (derivedImagesOf(config).length === 0) return undefined
  const plan = await getJson<DerivedPlan>(work, derivedKeys.plan(run))
  return Promise.all(
    plan.images.map(async ({ name, steps, statistics }) => {
      const key = derivedKeys.output(run, name)
      return { name, output: { bucket: output.bucket, key, size_bytes: (await output.head(key))?.size }, steps, statistics: statistics as (Record<string, number | boolean> | null)[] }
    }),
  )
}
