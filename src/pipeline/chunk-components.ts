// The baseline segmentation's minimum component size (segmentation.min_component_ml) in
// chunks: a global operation in two phases. Each chunk labels the components of its own slices
// and measures partial statistics per local component; assemble joins components across slab
// borders (union-find, src/filters/connected-components.ts), drops those under the minimum, and
// folds each chunk's partials into label_value (kept) and 0 (background, dropped included).
// Counts, boxes and index sums are integers and intensity sums double-double, so the folded
// statistics equal those measured on the whole filtered mask.
import { type SlabComponents, labelComponents, mergeSlabComponents, minVoxelsForVolume } from '../filters/connected-components.js'
import type { Image } from '../image/image.js'
import { pixelsOf, withPixels } from '../image/image.js'
import type { LabelPartial, LabelPartials } from '../measure/label-partials.js'
import { mergeLabel } from '../measure/reduce-partials.js'
import type { PipelineConfig } from './config.js'

export type ComponentSummary = Pick<SlabComponents, 'k0' | 'count' | 'sizes' | 'first'>

/** Phase 1 (chunk): local component labels (int32) of the slab's binary mask. */
export function labelSlabComponents(mask: Image, k0: number): { labels: Image; summary: ComponentSummary } {
  const c = labelComponents(pixelsOf(mask), mask.size, k0)
  return { labels: withPixels(mask, c.labels), summary: { k0, count: c.count, sizes: c.sizes, first: c.first } }
}

export interface ChunkComponents {
  summary: ComponentSummary
  labels: Int32Array
  partials: LabelPartials
}

/** Phase 2 (assemble): the filtered binary mask of each slab and its folded partials. */
export function resolveChunkComponents(chunks: ChunkComponents[], grid: { size: number[]; spacing: number[] }, config: PipelineConfig): { masks: Uint8Array[]; partials: LabelPartials[] } {
  const minMl = config.segmentation.min_component_ml
  const minVoxels = minMl === null ? 1 : minVoxelsForVolume(minMl, grid.spacing)
  const merged = mergeSlabComponents(chunks.map((c) => ({ ...c.summary, labels: c.labels })), grid.size, { minVoxels })
  const value = config.segmentation.label_value
  const masks = chunks.map((c, n) => {
    const map = merged.maps[n]
    const mask = new Uint8Array(c.labels.length)
    for (let p = 0; p < mask.length; p++) if (map[c.labels[p]]) mask[p] = value
    return mask
  })
  const partials = chunks.map((c, n) => {
    const labels: Record<string, LabelPartial> = {}
    for (const [key, entry] of Object.entries(c.partials.labels)) {
      const to = String(merged.maps[n][Number(key)] ? value : 0)
      labels[to] = labels[to] ? mergeLabel(labels[to], entry, to) : entry
    }
    const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => Number(a) - Number(b)))
    return { ...c.partials, labels: sorted }
  })
  return { masks, partials }
}
