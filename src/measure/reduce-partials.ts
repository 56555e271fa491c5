// Merge label partials of disjoint k-slabs. Associative and commutative: every field is a count,
// an integer sum below 2^53, a min/max, or a double-double sum (exact for integer-valued data),
// and kRanges are kept as a canonical sorted, coalesced list. Overlapping slabs are an error
// (they would count voxels twice).
import { ddAdd } from './double-double.js'
import type { LabelPartial, LabelPartials, Vec3 } from './label-partials.js'
import { mergeSlabRanges } from '../chunks/merge-slab-ranges.js'

function mergeRanges(a: [number, number][], b: [number, number][]): [number, number][] {
  return mergeSlabRanges(a, b, 'reducePartials')
}

export function mergeLabel(a: LabelPartial, b: LabelPartial, key: string): LabelPartial {
  const count = a.count + b.count
  const indexSum = [0, 1, 2].map((d) => a.indexSum[d] + b.indexSum[d]) as Vec3
  if (!Number.isSafeInteger(count) || indexSum.some((x) => !Number.isSafeInteger(x))) {
    throw new Error(`reducePartials: label ${key}: voxel count or index sums exceed 2^53, centroid would be inexact`)
  }
  const p: LabelPartial = {
    count,
    bboxMin: [0, 1, 2].map((d) => Math.min(a.bboxMin[d], b.bboxMin[d])) as Vec3,
    bboxMax: [0, 1, 2].map((d) => Math.max(a.bboxMax[d], b.bboxMax[d])) as Vec3,
    indexSum,
  }
  if (a.sum && b.sum && a.sumSquares && b.sumSquares) {
    p.sum = ddAdd(a.sum, b.sum)
    p.sumSquares = ddAdd(a.sumSquares, b.sumSquares)
    p.min = Math.min(a.min!, b.min!)
    p.max = Math.max(a.max!, b.max!)
  }
  return p
}

function clone(p: LabelPartial): LabelPartial {
  return JSON.parse(JSON.stringify(p)) as LabelPartial
}

/** Merge two partials (of disjoint k ranges of the same grid). */
export function mergePartials(a: LabelPartials, b: LabelPartials): LabelPartials {
  if (a.sliceSize[0] !== b.sliceSize[0] || a.sliceSize[1] !== b.sliceSize[1]) {
    throw new Error(`reducePartials: slice sizes ${a.sliceSize.join('x')} and ${b.sliceSize.join('x')} differ`)
  }
  // A slab that covers no planes carries no information about intensity presence.
  const aEmpty = a.kRanges.length === 0, bEmpty = b.kRanges.length === 0
  if (!aEmpty && !bEmpty && a.hasIntensity !== b.hasIntensity) {
    throw new Error('reducePartials: cannot merge partials with and without intensity statistics')
  }
  const hasIntensity = aEmpty ? b.hasIntensity : a.hasIntensity
  const keys = [...new Set([...Object.keys(a.labels), ...Object.keys(b.labels)])].sort((x, y) => Number(x) - Number(y))
  const labels: Record<string, LabelPartial> = {}
  for (const key of keys) {
    const pa = a.labels[key], pb = b.labels[key]
    labels[key] = pa && pb ? mergeLabel(pa, pb, key) : clone((pa ?? pb)!)
  }
  return {
    kind: 'voxelflow.label-partials',
    version: 1,
    sliceSize: [a.sliceSize[0], a.sliceSize[1]],
    kRanges: mergeRanges(a.kRanges, b.kRanges),
    hasIntensity,
    labels,
  }
}

/** Reduce any number of partials (any order, any grouping: the result is the same). */
export function reducePartials(parts: readonly LabelPartials[]): LabelPartials {
  if (parts.length === 0) throw new Error('reducePartials: nothing to reduce')
  if (parts.length === 1) return JSON.parse(JSON.stringify(parts[0])) as LabelPartials
  let acc = parts[0]
  for (let i = 1; i < parts.length; i++) acc = mergePartials(acc, parts[i])
  return acc
}
