// Chunk stage "baseline-segmentation": the classical CT baseline, HU threshold then binary
// closing with ITK's ball. Its closing reaches 2R slices, which the planner adds as halo.
import { closingFootprint, close } from '../../filters/binary-morphology.js'
import { binaryThreshold, binaryThresholdFootprint } from '../../filters/binary-threshold.js'
import { composeFootprints } from '../../chunks/footprint.js'
import { type Image, pixelsOf } from '../../image/image.js'
import type { PipelineConfig } from '../config.js'
import type { ChunkStage } from '../stage-registry.js'

export function baselineSegmentation(image: Image, config: PipelineConfig): Image {
  const { lower_hu, upper_hu, closing_radius_voxels, label_value } = config.segmentation
  const mask = binaryThreshold(image, lower_hu, upper_hu ?? Infinity, 1, 0)
  const closed = closing_radius_voxels > 0 ? close(mask, closing_radius_voxels) : mask
  if (label_value !== 1) {
    const pixels = pixelsOf(closed)
    for (let i = 0; i < pixels.length; i++) if (pixels[i]) pixels[i] = label_value
  }
  return closed
}

export const baselineSegmentationStage: ChunkStage = {
  name: 'baseline-segmentation',
  description: 'HU threshold (segmentation.lower_hu/upper_hu) and binary closing with a ball of segmentation.closing_radius_voxels',
  enabled: (labelSource) => labelSource === 'baseline',
  footprint: (config) =>
    composeFootprints(binaryThresholdFootprint, config.segmentation.closing_radius_voxels > 0 ? closingFootprint(config.segmentation.closing_radius_voxels) : binaryThresholdFootprint),
  apply: (slab, config) => ({ ...slab, labels: baselineSegmentation(slab.image, config) }),
}
