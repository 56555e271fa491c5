// Per-label partial statistics of one slab (a range of k planes) of a label map and an
// optional intensity image. Partials of disjoint slabs are merged by reduce-partials.ts and
// turned into final numbers by label-statistics.ts; the split never changes the result.
//
// Accumulation scheme (what makes the reduction exact):
// * Within one image row (fixed j, k; all i) values are summed in plain float64. Rows are never
//   split by a k-slab plan, so the row sums do not depend on the split.
// * Row sums are added into double-double accumulators (see double-double.ts). For
//   integer-valued intensities (int16 HU, or float32 holding integers) row sums are exact while
//   |row sum of v^2| < 2^53 (e.g. |v| <= 32768 and rows up to 2^23 voxels), and the dd totals are
//   exact up to ~2^104, so partials and their reductions are bit-identical whatever the split.
//   (Plain float64 would already be exact for sum of squares of HU over 1e6 voxels, ~1e12,
//   but not for 512x512x300 at high HU: 7.9e7 * 3000^2 = 7e14 is close to 2^53 = 9.0e15, and
//   sum^2 in the variance formula is far beyond it; dd removes the question.)
// * Counts and index sums (for the centroid) are integers kept in float64: exact below 2^53.
import type { Image } from '../image/image.js'
import { componentTypeOf, pixelsOf, type PixelArray } from '../image/image.js'
import type { Grid } from '../image/image.js'
import { physicalToIndex } from '../image/geometry.js'
import { ddNormalize, type DD } from './double-double.js'

export type Vec3 = [number, number, number]

/** Partial statistics of one label over one or more slabs. All numbers JSON-safe. */
export interface LabelPartial {
  count: number
  /** Index bounding box (inclusive), in the FULL image index space. */
  bboxMin: Vec3
  bboxMax: Vec3
  /** Sum of i, j, k over the label's voxels (full index space): centroid = indexSum / count. */
  indexSum: Vec3
  /** Intensity fields: present only when an intensity image was given. */
  sum?: DD
  sumSquares?: DD
  min?: number
  max?: number
}

export interface LabelPartials {
  kind: 'voxelflow.label-partials'
  version: 1
  /** nx, ny of the grid (k extent is what kRanges cover). Reduction checks they agree. */
  sliceSize: [number, number]
  /** Half-open global k ranges covered, sorted, adjacent ranges coalesced. */
  kRanges: [number, number][]
  hasIntensity: boolean
  /** Keyed by the label value (decimal string). Sort keys numerically to iterate in order. */
  labels: Record<string, LabelPartial>
}

export interface LabelPartialsOptions {
  /** Half-open range [k0, k1) of k planes of the GIVEN image to visit (default: all). */
  kRange?: [number, number]
  /**
   * Global index of the given image's k = 0 plane, when the image is a slab cropped from a
   * larger volume (see kOffsetOf). Reported k indices and kRanges are local k + kOffset.
   */
  kOffset?: number
  /** Include label 0 (the background) like ITK's LabelStatisticsImageFilter. Default true. */
  includeBackground?: boolean
}

/**
 * Global k of a slab image's first plane in the full volume's index space, from the slab's
 * origin (throws unless the slab lies exactly on the full grid's k planes with the same i, j).
 */
export function kOffsetOf(slab: Pick<Grid, 'origin'>, full: Pick<Grid, 'origin' | 'spacing' | 'direction'>): number {
  const idx = physicalToIndex(full, slab.origin)
  const k = Math.round(idx[2])
  if (Math.abs(idx[0]) > 1e-3 || Math.abs(idx[1]) > 1e-3 || Math.abs(idx[2] - k) > 1e-3) {
    throw new Error(
      `slab origin ${slab.origin.join(', ')} is not on a k plane of the full grid (continuous index ${idx.map((x) => x.toFixed(4)).join(', ')})`,
    )
  }
  return k
}

const SMALL_INT_TABLE: Partial<Record<string, { size: number; offset: number }>> = {
  uint8: { size: 256, offset: 0 },
  int8: { size: 256, offset: 128 },
  uint16: { size: 65536, offset: 0 },
  int16: { size: 65536, offset: 32768 },
}

const SKIP = -2
const NONE = -1

/** Partial statistics of every label value present in labels[kRange] (see module comment). */
export function labelPartials(labels: Image, intensity?: Image | null, options: LabelPartialsOptions = {}): LabelPartials {
  const size = labels.size
  if (size.length !== 3) throw new Error(`labelPartials: label image must be 3-D, got size ${size.join('x')}`)
  const [nx, ny, nz] = size
  const lab = pixelsOf(labels)
  let val: PixelArray | null = null
  if (intensity) {
    if (intensity.size.length !== 3 || intensity.size.some((n, d) => n !== size[d])) {
      throw new Error(`labelPartials: intensity size ${intensity.size.join('x')} differs from label size ${size.join('x')}`)
    }
    for (let d = 0; d < 3; d++) {
      const tol = 1e-4 * Math.max(1, Math.abs(labels.spacing[d]))
      if (Math.abs(intensity.spacing[d] - labels.spacing[d]) > tol || Math.abs(intensity.origin[d] - labels.origin[d]) > 1e-3 * Math.max(1, labels.spacing[d])) {
        throw new Error('labelPartials: intensity and label images are not on the same grid (origin/spacing differ)')
      }
    }
    if ((intensity.imageType as { components?: number }).components !== undefined && (intensity.imageType as { components: number }).components !== 1) {
      throw new Error('labelPartials: intensity image must be scalar')
    }
    val = pixelsOf(intensity)
  }
  const [k0, k1] = options.kRange ?? [0, nz]
  if (!(Number.isInteger(k0) && Number.isInteger(k1) && 0 <= k0 && k0 <= k1 && k1 <= nz)) {
    throw new Error(`labelPartials: kRange [${k0}, ${k1}) outside the image's k extent [0, ${nz})`)
  }
  const kOffset = options.kOffset ?? 0
  if (!Number.isInteger(kOffset)) throw new Error(`labelPartials: kOffset must be an integer, got ${kOffset}`)
  const includeBackground = options.includeBackground ?? true

  // ---- label value -> slot lookup ----
  const table = SMALL_INT_TABLE[componentTypeOf(lab)]
  const direct = table ? new Int32Array(table.size).fill(NONE) : null
  const tableOffset = table ? table.offset : 0
  const map = new Map<number, number>()
  if (!includeBackground) {
    if (direct) direct[tableOffset] = SKIP
    else map.set(0, SKIP)
  }
  const slotLabel: number[] = []

  // ---- per-slot accumulators (struct of arrays, grown on demand) ----
  let cap = 16
  let count = new Float64Array(cap), sumHi = new Float64Array(cap), sumLo = new Float64Array(cap)
  let sqHi = new Float64Array(cap), sqLo = new Float64Array(cap)
  let vmin = new Float64Array(cap), vmax = new Float64Array(cap)
  let bb = new Float64Array(cap * 6) // iMin iMax jMin jMax kMin kMax
  let isum = new Float64Array(cap * 3)
  // per-row accumulators
  let rCount = new Float64Array(cap), rSum = new Float64Array(cap), rSq = new Float64Array(cap)
  let rIFirst = new Float64Array(cap), rILast = new Float64Array(cap), rISum = new Float64Array(cap)
  let touched = new Int32Array(cap)
  let nTouched = 0

  const grow = (): void => {
    const n = cap * 2
    const g = (a: Float64Array<ArrayBuffer>, m = 1): Float64Array<ArrayBuffer> => { const b = new Float64Array(n * m); b.set(a); return b }
    count = g(count); sumHi = g(sumHi); sumLo = g(sumLo); sqHi = g(sqHi); sqLo = g(sqLo)
    vmin = g(vmin); vmax = g(vmax); bb = g(bb, 6); isum = g(isum, 3)
    rCount = g(rCount); rSum = g(rSum); rSq = g(rSq); rIFirst = g(rIFirst); rILast = g(rILast); rISum = g(rISum)
    const t = new Int32Array(n); t.set(touched); touched = t
    cap = n
  }
  const newSlot = (value: number): number => {
    if (!Number.isInteger(value)) {
      throw new Error(`labelPartials: label image holds a non-integer value ${value}; labels must be integers`)
    }
    const s = slotLabel.length
    if (s >= cap) grow()
    slotLabel.push(value)
    vmin[s] = Infinity; vmax[s] = -Infinity
    bb[s * 6] = Infinity; bb[s * 6 + 1] = -Infinity
    bb[s * 6 + 2] = Infinity; bb[s * 6 + 3] = -Infinity
    bb[s * 6 + 4] = Infinity; bb[s * 6 + 5] = -Infinity
    return s
  }

  /** Sum, sum of squares, min and max of val[from, to) into slot s's row accumulators. */
  const runIntensity = (values: PixelArray, from: number, to: number, s: number): void => {
    let sum = rSum[s], sq = rSq[s], lo = vmin[s], hi = vmax[s]
    for (let p = from; p < to; p++) {
      const v = values[p]
      sum += v
      sq += v * v
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    rSum[s] = sum; rSq[s] = sq; vmin[s] = lo; vmax[s] = hi
  }

  const sliceLen = nx * ny
  for (let k = k0; k < k1; k++) {
    const kg = k + kOffset
    for (let j = 0; j < ny; j++) {
      const base = k * sliceLen + j * nx
      // Runs of one label: the slot is looked up once per run, and the run's voxels add into
      // locals loaded from and stored back to the row accumulators, so every float64 sum sees
      // the same additions in the same order as voxel by voxel (counts and index sums are
      // integers: exact in any grouping).
      for (let i = 0; i < nx;) {
        const l = lab[base + i]
        let e = i + 1
        while (e < nx && lab[base + e] === l) e++
        let s: number
        if (direct) {
          s = direct[l + tableOffset]
          if (s === NONE) { s = newSlot(l); direct[l + tableOffset] = s }
        } else {
          const m = map.get(l)
          if (m === undefined) { s = newSlot(l); map.set(l, s) } else s = m
        }
        if (s !== SKIP) {
          if (rCount[s] === 0) { touched[nTouched++] = s; rIFirst[s] = i }
          rCount[s] += e - i
          rILast[s] = e - 1
          rISum[s] += ((i + e - 1) * (e - i)) / 2
          if (val !== null) runIntensity(val, base + i, base + e, s)
        }
        i = e
      }
      // flush the row into the slab accumulators
      for (let t = 0; t < nTouched; t++) {
        const s = touched[t]
        const c = rCount[s]
        count[s] += c
        if (val !== null) {
          // twoSum (double-double.ts) inlined: hi + lo += row sum, error-free
          let a = sumHi[s], b = rSum[s], x = a + b, bv = x - a
          sumLo[s] += (a - (x - bv)) + (b - bv)
          sumHi[s] = x
          a = sqHi[s]; b = rSq[s]; x = a + b; bv = x - a
          sqLo[s] += (a - (x - bv)) + (b - bv)
          sqHi[s] = x
        }
        const o = s * 6
        if (rIFirst[s] < bb[o]) bb[o] = rIFirst[s]
        if (rILast[s] > bb[o + 1]) bb[o + 1] = rILast[s]
        if (j < bb[o + 2]) bb[o + 2] = j
        if (j > bb[o + 3]) bb[o + 3] = j
        if (kg < bb[o + 4]) bb[o + 4] = kg
        if (kg > bb[o + 5]) bb[o + 5] = kg
        isum[s * 3] += rISum[s]
        isum[s * 3 + 1] += c * j
        isum[s * 3 + 2] += c * kg
        rCount[s] = 0; rSum[s] = 0; rSq[s] = 0; rISum[s] = 0
      }
      nTouched = 0
    }
  }

  const order = slotLabel.map((value, s) => ({ value, s })).filter(({ s }) => count[s] > 0).sort((a, b) => a.value - b.value)
  const out: Record<string, LabelPartial> = {}
  for (const { value, s } of order) {
    const p: LabelPartial = {
      count: count[s],
      bboxMin: [bb[s * 6], bb[s * 6 + 2], bb[s * 6 + 4]],
      bboxMax: [bb[s * 6 + 1], bb[s * 6 + 3], bb[s * 6 + 5]],
      indexSum: [isum[s * 3], isum[s * 3 + 1], isum[s * 3 + 2]],
    }
    if (val !== null) {
      p.sum = ddNormalize(sumHi[s], sumLo[s])
      p.sumSquares = ddNormalize(sqHi[s], sqLo[s])
      p.min = vmin[s] === 0 ? 0 : vmin[s]
      p.max = vmax[s] === 0 ? 0 : vmax[s]
    }
    out[String(value)] = p
  }
  return {
    kind: 'voxelflow.label-partials',
    version: 1,
    sliceSize: [nx, ny],
    kRanges: k1 > k0 ? [[k0 + kOffset, k1 + kOffset]] : [],
    hasIntensity: val !== null,
    labels: out,
  }
}
