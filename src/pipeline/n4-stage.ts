// N4 bias-field correction in the pipeline, in its two-phase form (src/filters/n4-two-phase.ts):
// prepare fits the field once on the whole resampled image (a global step: Otsu mask over every
// voxel, fit on the shrunk copy) and stores it as JSON; every chunk applies it to its own
// planes (pointwise), so chunked output equals the one-call filter on the whole image.
// intensity.n4: "auto" corrects MR only (the bias of a coil; CT has none), "on"/"off" force it.
import type { ResampleOptions } from '../filters/resample.js'
import { type N4Field, applyN4Field, fitN4Field } from '../filters/n4-two-phase.js'
import type { Grid, Image } from '../image/image.js'
import type { ObjectStore } from '../store/object-store.js'
import { resampleAsChunksDo } from './chunk-inputs.js'
import type { PipelineConfig } from './config.js'
import { getJson, putJson } from './object-io.js'
import type { RunRef } from './state.js'
import { workKeys } from './work-keys.js'

/** What the report says about N4 (report.intensity.n4). */
export interface N4Facts {
  mode: PipelineConfig['intensity']['n4']
  applied: boolean
  shrink_factor?: number
  iterations_run?: number[]
  convergence?: number[]
  otsu_threshold?: number
  offset?: number
}

export function n4Applies(config: PipelineConfig, modality: string): boolean {
  const mode = config.intensity.n4
  return mode === 'on' || (mode === 'auto' && modality === 'MR')
}

/**
 * Phase 1 (in prepare): fit and store the field when N4 applies to this case. `resampled` gives
 * the whole resampled image (prepare shares it with the derived images' statistics).
 */
export async function fitCaseN4(
  image: Image, outputGrid: Grid, resampleOptions: ResampleOptions, config: PipelineConfig, modality: string, run: RunRef, work: ObjectStore,
  resampled: () => Image = () => resampleAsChunksDo(image, outputGrid, resampleOptions),
): Promise<{ fieldKey?: string; facts: N4Facts }> {
  const mode = config.intensity.n4
  if (!n4Applies(config, modality)) return { facts: { mode, applied: false } }
  const shrinkFactor = config.intensity.n4_shrink_factor
  const field = fitN4Field(resampled(), { shrinkFactor })
  const fieldKey = workKeys.n4Field(run)
  await putJson(work, fieldKey, field)
  return {
    fieldKey,
    facts: {
      mode,
      applied: true,
      shrink_factor: shrinkFactor,
      iterations_run: field.iterationsRun,
      convergence: field.convergence,
      otsu_threshold: field.threshold,
      offset: field.offset,
    },
  }
}

/** Phase 2 (per chunk): the corrected float32 slab whose first plane is plane `kStart`. */
export async function applyCaseN4(slab: Image, fieldKey: string, kStart: number, work: ObjectStore): Promise<Image> {
  return applyN4Field(slab, await getJson<N4Field>(work, fieldKey), kStart)
}
