// The registry of pipeline stages. Steps of the state machine run in this order; the chunk
// stages run inside "ProcessChunk" on one slab with its halo. Each chunk stage declares its
// footprint and the planner gives every slab the halo of all enabled stages together, so no
// stage knows about chunks.
import { type Footprint, composeFootprints, pointwiseFootprint } from '../chunks/footprint.js'
import type { Image } from '../image/image.js'
import type { PipelineConfig } from './config.js'
import type { LabelSource } from './state.js'
import { baselineSegmentationStage } from './stages/baseline-segmentation.js'
import { derivedHaloSlices } from './derived-images-stage.js'

/** A slab with its halo slices: the image, and labels once a stage has made them. */
export interface Slab {
  image: Image
  labels?: Image
}

export interface ChunkStage {
  name: string
  description: string
  enabled(labelSource: LabelSource, config: PipelineConfig): boolean
  footprint(config: PipelineConfig): Footprint
  apply(slab: Slab, config: PipelineConfig): Slab
}

/** Steps of the state machine, in order, and what each does (for docs, progress and reports). */
export const pipelineSteps = [
  { step: 'Prepare', footprint: 'global', does: 'read the case, plan slabs on the isotropic grid, store each slab\'s resampling input (B-spline coefficients along k), fit the N4 field when it applies, compute the whole-image statistics of derived-image steps, carry the reference segmentation' },
  { step: 'ProcessChunk', footprint: 'per slab', does: 'resample the slab, apply the N4 field, the chunk stages below, derived-image steps, then partial label statistics' },
  { step: 'Assemble', footprint: 'global', does: 'stitch slabs into image.nii.gz, labels.nii.gz and derived images, reduce statistics, draw qc.png, write augmented copies' },
  { step: 'Analyze', footprint: 'global', does: 'per-label statistics with names and physical units, landmarks' },
  { step: 'Report', footprint: 'global', does: 'report.json, written last' },
] as const

export const chunkStages: readonly ChunkStage[] = [baselineSegmentationStage]

export function enabledChunkStages(labelSource: LabelSource, config: PipelineConfig): ChunkStage[] {
  return chunkStages.filter((stage) => stage.enabled(labelSource, config))
}

/**
 * Slices of context a slab needs along k: the enabled chunk stages run one after another, and
 * the derived images (derived-images-stage.ts), each from the image; the largest need wins.
 */
export function chunkHaloSlices(labelSource: LabelSource, config: PipelineConfig): number {
  const footprint = enabledChunkStages(labelSource, config).reduce((sum, stage) => composeFootprints(sum, stage.footprint(config)), pointwiseFootprint)
  if (footprint.kind === 'global') throw new Error('a chunk stage with a global footprint cannot run on slabs')
  return Math.max(footprint.kind === 'neighbourhood' ? footprint.haloVoxels[2] : 0, derivedHaloSlices(config))
}
