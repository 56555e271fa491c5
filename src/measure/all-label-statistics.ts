// Every per-label statistic of a label map (and optional intensity image) in one call: the
// count / volume / bbox / centroid / mean / std / min / max of label-statistics.ts joined with
// the principal axes, surface area, border contact and percentiles of shape-statistics.ts.
// Whole-volume convenience for the `stats` command; the pipeline reduces slab partials of both
// kinds instead and joins them with joinLabelStatistics.
import type { Image } from '../image/image.js'
import { gridOf } from '../image/image.js'
import { labelPartials } from './label-partials.js'
import { labelStatistics, type LabelStatistics } from './label-statistics.js'
import { shapePartials } from './shape-partials.js'
import { shapeStatistics, type ShapeStatistics } from './shape-statistics.js'

export type FullLabelStatistics = LabelStatistics & Omit<ShapeStatistics, 'label'>

export interface AllLabelStatisticsOptions {
  /** Leave out label 0 (default true here: the background is rarely wanted in a report). */
  excludeBackground?: boolean
}

/** Join rows of the two kinds by label value (both ascending; every label must be in both). */
export function joinLabelStatistics(basic: LabelStatistics[], shape: ShapeStatistics[]): FullLabelStatistics[] {
  const byLabel = new Map(shape.map((s) => [s.label, s]))
  return basic.map((b) => {
    const s = byLabel.get(b.label)
    if (!s) throw new Error(`joinLabelStatistics: label ${b.label} has no shape statistics`)
    const { label: _label, ...rest } = s
    return { ...b, ...rest }
  })
}

export function allLabelStatistics(labels: Image, intensity?: Image | null, options: AllLabelStatisticsOptions = {}): FullLabelStatistics[] {
  const excludeBackground = options.excludeBackground ?? true
  const grid = gridOf(labels)
  const basic = labelStatistics(labelPartials(labels, intensity, { includeBackground: !excludeBackground }), grid)
  const shape = shapeStatistics(shapePartials(labels, intensity, { includeBackground: !excludeBackground }), grid)
  return joinLabelStatistics(basic, shape)
}
