// Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher's / Meijster's
// separable lower envelope of parabolas), linear time in the voxel count for any distance.
// It computes what itk::SignedMaurerDistanceMapImageFilter (squared, unsigned, spacing on)
// and itk::DanielssonDistanceMapImageFilter compute for the distance to a feature set, but
// on purpose: distances are measured to the feature voxels themselves (not to a boundary
// layer), are squared, unsigned, float64, and voxels with no feature anywhere get Infinity.
import { type Image, pixelsOf } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'

export const distanceTransformFootprint: Footprint = globalFootprint

export interface DistanceTransformOptions {
  /** Per-axis voxel spacing (distances in the same unit); default 1 on every axis (voxel units). */
  spacing?: readonly number[]
}

/**
 * Squared distance from every voxel to the nearest feature voxel (0 on features; Infinity
 * where the image holds no feature at all). `size` is [nx, ny] or [nx, ny, nz], x fastest.
 * `feature` is a mask (non-zero = feature) or a predicate on the linear voxel index.
 */
export function squaredDistanceTransform(
  size: readonly number[],
  feature: ArrayLike<number> | ((index: number) => boolean),
  options: DistanceTransformOptions = {},
): Float64Array {
  const dims = checkSize(size)
  const count = dims[0] * dims[1] * dims[2]
  const out = new Float64Array(count)
  if (typeof feature === 'function') {
    for (let i = 0; i < count; i++) out[i] = feature(i) ? 0 : Infinity
  } else {
    if (feature.length !== count) throw new Error(`distance transform: mask has ${feature.length} voxels, size ${size.join('x')} needs ${count}`)
    for (let i = 0; i < count; i++) out[i] = feature[i] !== 0 ? 0 : Infinity
  }
  return squaredDistanceTransformInPlace(out, size, weightsOf(size, options.spacing), true)
}

/** Squared distance (mm^2, image spacing) to the nearest voxel where `isFeature(value)` (default: non-zero). */
export function squaredDistanceMap(image: Image, isFeature: (value: number) => boolean = (v) => v !== 0): Float64Array {
  const data = pixelsOf(image)
  return squaredDistanceTransform(image.size, (i) => isFeature(data[i]), { spacing: image.spacing })
}

/**
 * The general form, in place: on entry `buf` holds f >= 0 per voxel (Infinity = no site);
 * on exit min over voxels p of f(p) + sum_d weights[d] * (x_d - p_d)^2. With f = 0 on
 * features and Infinity elsewhere (`binaryInput` true allows a faster first pass) this is the
 * squared EDT with weights = spacing^2.
 */
export function squaredDistanceTransformInPlace(
  buf: Float64Array,
  size: readonly number[],
  weights: readonly number[],
  binaryInput = false,
): Float64Array {
  const dims = checkSize(size)
  if (buf.length !== dims[0] * dims[1] * dims[2]) throw new Error('distance transform: buffer length does not match size')
  for (let d = 0; d < size.length; d++) {
    if (!(weights[d] > 0) || !Number.isFinite(weights[d])) throw new Error(`distance transform: weight ${weights[d]} on axis ${d} must be positive`)
  }
  const maxN = Math.max(dims[0], dims[1], dims[2])
  const scratch = new Scratch(maxN)
  let inner = 1
  for (let axis = 0; axis < 3; axis++) {
    const n = dims[axis]
    const outer = buf.length / (n * inner)
    if (n > 1) {
      if (axis === 0) {
        if (binaryInput) binaryFirstPass(buf, n, outer, weights[0])
        else contiguousPass(buf, n, outer, weights[0], scratch)
      } else {
        stridedPass(buf, n, inner, outer, weights[axis], scratch)
      }
    }
    inner *= n
  }
  return buf
}

function checkSize(size: readonly number[]): [number, number, number] {
  if (size.length !== 2 && size.length !== 3) throw new Error(`distance transform: size must have 2 or 3 axes, got ${size.length}`)
  for (const s of size) if (!Number.isInteger(s) || s < 1) throw new Error(`distance transform: bad size ${size.join('x')}`)
  return [size[0], size[1], size.length === 3 ? size[2] : 1]
}

function weightsOf(size: readonly number[], spacing: readonly number[] | undefined): number[] {
  const w: number[] = []
  for (let d = 0; d < size.length; d++) {
    const s = spacing ? spacing[d] : 1
    if (!(s > 0) || !Number.isFinite(s)) throw new Error(`distance transform: spacing ${s} on axis ${d} must be positive`)
    w.push(s * s)
  }
  return w
}

/** Tile width for strided passes: a tile of n x B float64 values stays cache-sized. */
const TILE_VALUES = 1 << 15

class Scratch {
  v: Int32Array
  z: Float64Array
  tileF: Float64Array
  tileD: Float64Array
  constructor(maxN: number) {
    this.v = new Int32Array(maxN)
    this.z = new Float64Array(maxN + 1)
    const b = Math.max(8, Math.floor(TILE_VALUES / maxN))
    this.tileF = new Float64Array(maxN * b)
    this.tileD = new Float64Array(maxN * b)
  }
}

/**
 * One line: dst[q] = min_p f[p] + w (q - p)^2 for q in [0, n), reading f at src[srcOff..] and
 * writing dst[dstOff..] (distinct storage). Sites with f = Infinity are skipped.
 */
function lowerEnvelope(
  src: Float64Array, srcOff: number, n: number, w: number,
  dst: Float64Array, dstOff: number, v: Int32Array, z: Float64Array,
): void {
  let k = -1
  const w2 = 2 * w
  for (let q = 0; q < n; q++) {
    const fq = src[srcOff + q]
    if (fq === Infinity) continue
    if (k < 0) {
      k = 0
      v[0] = q
      z[0] = -Infinity
      continue
    }
    const hq = fq + w * q * q
    let s: number
    for (;;) {
      const p = v[k]
      s = (hq - (src[srcOff + p] + w * p * p)) / (w2 * (q - p))
      if (s > z[k]) break
      k-- // never below 0: z[0] = -Infinity
    }
    k++
    v[k] = q
    z[k] = s
  }
  if (k < 0) {
    for (let q = 0; q < n; q++) dst[dstOff + q] = Infinity
    return
  }
  z[k + 1] = Infinity
  let j = 0
  for (let q = 0; q < n; q++) {
    while (z[j + 1] < q) j++
    const p = v[j]
    const dq = q - p
    dst[dstOff + q] = w * dq * dq + src[srcOff + p]
  }
}

/** Axis 0 when f is 0 / Infinity: distance to the nearest site along the line, two scans. */
function binaryFirstPass(buf: Float64Array, n: number, lines: number, w: number): void {
  for (let l = 0; l < lines; l++) {
    const base = l * n
    let last = -1
    for (let q = 0; q < n; q++) {
      if (buf[base + q] === 0) last = q
      else if (last >= 0) {
        const dq = q - last
        buf[base + q] = w * dq * dq
      }
    }
    let next = -1
    for (let q = n - 1; q >= 0; q--) {
      const cur = buf[base + q]
      if (cur === 0) next = q
      else if (next >= 0) {
        const dq = next - q
        const cand = w * dq * dq
        if (cand < cur) buf[base + q] = cand
      }
    }
  }
}

function contiguousPass(buf: Float64Array, n: number, lines: number, w: number, s: Scratch): void {
  const line = s.tileD
  for (let l = 0; l < lines; l++) {
    const base = l * n
    lowerEnvelope(buf, base, n, w, line, 0, s.v, s.z)
    for (let q = 0; q < n; q++) buf[base + q] = line[q]
  }
}

/** An axis with stride `inner`: gather tiles of B neighbouring lines (contiguous reads), solve, scatter. */
function stridedPass(buf: Float64Array, n: number, inner: number, outer: number, w: number, s: Scratch): void {
  const B = Math.min(inner, Math.floor(s.tileF.length / n))
  const tf = s.tileF
  const td = s.tileD
  for (let o = 0; o < outer; o++) {
    const slab = o * n * inner
    for (let r0 = 0; r0 < inner; r0 += B) {
      const bw = Math.min(B, inner - r0)
      for (let a = 0; a < n; a++) {
        const row = slab + a * inner + r0
        for (let r = 0; r < bw; r++) tf[r * n + a] = buf[row + r]
      }
      for (let r = 0; r < bw; r++) lowerEnvelope(tf, r * n, n, w, td, r * n, s.v, s.z)
      for (let a = 0; a < n; a++) {
        const row = slab + a * inner + r0
        for (let r = 0; r < bw; r++) buf[row + r] = td[r * n + a]
      }
    }
  }
}
