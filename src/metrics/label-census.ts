// One pass over a reference and a prediction label image on the same grid: for every label
// value, its voxel counts in each image and in both, and the bounding box of its voxels in
// either image (the crop every later step of that label works in).
import { BadInputError } from '../pipeline/errors.js'
import type { IndexBox } from './mask-crop.js'
import { type RowExtents, unionRowExtents } from './row-extents.js'

export interface LabelCount {
  reference: number
  prediction: number
  intersection: number
  /** Bounding box of the label in either image; null when it is in neither. */
  box: IndexBox | null
}

/** Counts of every non-zero value of either image (Map keyed by label value, ascending). */
export function labelCensus(
  size: readonly [number, number, number],
  reference: ArrayLike<number>,
  prediction: ArrayLike<number>,
  rows: RowExtents = unionRowExtents(reference, prediction, size),
): Map<number, LabelCount> {
  return denseCensus(size, reference, prediction, rows) ?? mapCensus(size, reference, prediction, rows)
}

const DENSE_LIMIT = 1 << 16
const FIELDS = 9 // per label: ref, pred, both, min i/j/k, max i/j/k

/** Labels that are integers in [0, 65536): plain arrays indexed by value. null otherwise. */
function denseCensus(
  size: readonly [number, number, number], ref: ArrayLike<number>, pred: ArrayLike<number>, rows: RowExtents,
): Map<number, LabelCount> | null {
  const [n0, n1, n2] = size
  let stats = growStats(new Int32Array(0), 255)
  for (let k = 0; k < n2; k++) {
    for (let j = 0; j < n1; j++) {
      const r = j + n1 * k
      const lo = rows.first[r]
      if (lo < 0) continue
      const grown = censusRow(ref, pred, n0 * r, lo, rows.last[r], j, k, stats)
      if (grown === null) return null
      stats = grown
    }
  }
  const out = new Map<number, LabelCount>()
  for (let l = 1; l * FIELDS < stats.length; l++) {
    const s = l * FIELDS
    if (stats[s] === 0 && stats[s + 1] === 0) continue
    out.set(l, {
      reference: stats[s], prediction: stats[s + 1], intersection: stats[s + 2],
      box: { min: [stats[s + 3], stats[s + 4], stats[s + 5]], max: [stats[s + 6], stats[s + 7], stats[s + 8]] },
    })
  }
  return out
}

/** Count one row's span [lo, hi]; returns the (possibly grown) stats, null for a non-dense label. */
function censusRow(ref: ArrayLike<number>, pred: ArrayLike<number>, base: number, lo: number, hi: number, j: number, k: number, stats: Int32Array): Int32Array | null {
  for (let i = lo; i <= hi; i++) {
    const a = ref[base + i]
    const b = pred[base + i]
    if (a === 0 && b === 0) continue
    if (a !== 0) {
      if (!(a > 0 && a < DENSE_LIMIT && a === Math.floor(a))) return null
      if (a * FIELDS >= stats.length) stats = growStats(stats, a)
      const s = a * FIELDS
      stats[s]++
      if (a === b) stats[s + 2]++
      touch(stats, s, i, j, k)
    }
    if (b !== 0) {
      if (b === a) {
        stats[b * FIELDS + 1]++
        continue
      }
      if (!(b > 0 && b < DENSE_LIMIT && b === Math.floor(b))) return null
      if (b * FIELDS >= stats.length) stats = growStats(stats, b)
      const s = b * FIELDS
      stats[s + 1]++
      touch(stats, s, i, j, k)
    }
  }
  return stats
}

/** A copy of `stats` with room for label `value` (capacity doubled). */
function growStats(stats: Int32Array, value: number): Int32Array {
  let labels = Math.max(256, stats.length / FIELDS)
  while (labels <= value) labels *= 2
  const next = new Int32Array(labels * FIELDS)
  next.set(stats)
  for (let l = stats.length / FIELDS; l < labels; l++) initBox(next, l)
  return next
}

function initBox(stats: Int32Array, l: number): void {
  const s = l * FIELDS
  stats[s + 3] = stats[s + 4] = stats[s + 5] = 0x7fffffff
  stats[s + 6] = stats[s + 7] = stats[s + 8] = -1
}

function touch(stats: Int32Array, s: number, i: number, j: number, k: number): void {
  if (i < stats[s + 3]) stats[s + 3] = i
  if (j < stats[s + 4]) stats[s + 4] = j
  if (k < stats[s + 5]) stats[s + 5] = k
  if (i > stats[s + 6]) stats[s + 6] = i
  if (j > stats[s + 7]) stats[s + 7] = j
  if (k > stats[s + 8]) stats[s + 8] = k
}

/** Any other label values (negative, fractional, huge): a Map per value. */
function mapCensus(size: readonly [number, number, number], ref: ArrayLike<number>, pred: ArrayLike<number>, rows: RowExtents): Map<number, LabelCount> {
  const [n0, n1, n2] = size
  const out = new Map<number, LabelCount>()
  const get = (l: number): LabelCount => {
    if (Number.isNaN(l)) throw new BadInputError('label image holds NaN values')
    let c = out.get(l)
    if (!c) out.set(l, (c = { reference: 0, prediction: 0, intersection: 0, box: { min: [n0, n1, n2], max: [-1, -1, -1] } }))
    return c
  }
  const grow = (box: IndexBox, i: number, j: number, k: number) => {
    box.min[0] = Math.min(box.min[0], i); box.min[1] = Math.min(box.min[1], j); box.min[2] = Math.min(box.min[2], k)
    box.max[0] = Math.max(box.max[0], i); box.max[1] = Math.max(box.max[1], j); box.max[2] = Math.max(box.max[2], k)
  }
  for (let k = 0; k < n2; k++) {
    for (let j = 0; j < n1; j++) {
      const r = j + n1 * k
      if (rows.first[r] < 0) continue
      const base = n0 * r
      for (let i = rows.first[r]; i <= rows.last[r]; i++) {
        const a = ref[base + i], b = pred[base + i]
        if (a === 0 && b === 0) continue
        if (a !== 0) {
          const c = get(a)
          c.reference++
          if (a === b) c.intersection++
          grow(c.box!, i, j, k)
        }
        if (b !== 0) {
          const c = get(b)
          c.prediction++
          if (b !== a) grow(c.box!, i, j, k)
        }
      }
    }
  }
  return new Map([...out.entries()].sort((x, y) => x[0] - y[0]))
}
