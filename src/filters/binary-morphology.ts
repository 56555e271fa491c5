// Mirrors itk::BinaryDilateImageFilter, BinaryErodeImageFilter, BinaryMorphologicalClosingImageFilter
// and BinaryMorphologicalOpeningImageFilter with a BinaryBallStructuringElement (radius in voxels,
// per axis): the ball holds the offsets o with sum_d (o_d / (R_d + 0.5))^2 <= 1, i.e. |o|^2 <= (R + 0.5)^2
// for an isotropic radius (81 of 125 offsets for R = 2, 179 of 343 for R = 3).
// Same border conventions as ITK: dilation treats voxels outside the image as background, erosion
// as foreground; closing uses SafeBorder by default (zero-pad by R, dilate, erode, crop), opening
// has no SafeBorder (as in ITK: erode, then dilate).
// Differs on purpose: computed from exact squared Euclidean distances in integer ball units
// (x is in the dilation iff its ball distance to the foreground is <= the ball's limit), so the
// result is exact and the cost does not grow with the ball's volume: a windowed minimum per axis
// for radii <= 6 (cost 2R + 1 per voxel and axis), the linear-time EDT beyond; only the mask's
// bounding box grown by R is processed. The output is always a uint8 0/1 mask (ITK copies
// non-foreground input values through, which only matters for multi-label inputs).
import { type Image, pixelsOf, withPixels } from '../image/image.js'
import { squaredDistanceTransformInPlace } from './distance-transform.js'
import { neighbourhoodFootprint, type Footprint } from '../chunks/footprint.js'

/** Ball radius in voxels: one integer for every axis or one per axis (ITK's radius vector). */
export type BallRadius = number | readonly [number, number, number]

export interface MorphologyOptions {
  /** The foreground value; default: every non-zero voxel is foreground. */
  foreground?: number
}

export interface ClosingOptions extends MorphologyOptions {
  /** ITK's SafeBorder (default true): the image border does not erode the closed result. */
  safeBorder?: boolean
}

export const dilateFootprint = (r: BallRadius): Footprint => neighbourhoodFootprint(radiusVector(r))
export const erodeFootprint = (r: BallRadius): Footprint => neighbourhoodFootprint(radiusVector(r))
/** Closing and opening chain two ball operations, so the output depends on inputs within 2R. */
export const closingFootprint = (r: BallRadius): Footprint => neighbourhoodFootprint(radiusVector(r).map((v) => 2 * v) as [number, number, number])
export const openingFootprint = closingFootprint

/**
 * Per-axis integer ball radius for a physical radius, the way one drives ITK's ball from mm
 * (radius_d = round(radiusMm / spacing_d)); the resulting voxel ellipsoid has semi-axes R_d + 0.5.
 */
export function ballRadiusFromMm(radiusMm: number, spacing: readonly number[]): [number, number, number] {
  if (!(radiusMm >= 0)) throw new Error(`ball radius ${radiusMm} mm must be >= 0`)
  return [0, 1, 2].map((d) => Math.round(radiusMm / spacing[d])) as [number, number, number]
}

/** Number of offsets in the ball (81 for radius 2, 179 for radius 3). */
export function ballOffsetCount(r: BallRadius): number {
  const R = radiusVector(r)
  const { weights, limit } = ballMetric(R)
  let count = 0
  for (let z = -R[2]; z <= R[2]; z++) {
    for (let y = -R[1]; y <= R[1]; y++) {
      for (let x = -R[0]; x <= R[0]; x++) {
        if (weights[0] * x * x + weights[1] * y * y + weights[2] * z * z <= limit) count++
      }
    }
  }
  return count
}

export function dilate(image: Image, r: BallRadius, options: MorphologyOptions = {}): Image {
  return withPixels(image, dilateMask(maskOf(image, options.foreground), image.size, r))
}

export function erode(image: Image, r: BallRadius, options: MorphologyOptions = {}): Image {
  return withPixels(image, erodeMask(maskOf(image, options.foreground), image.size, r))
}

export function close(image: Image, r: BallRadius, options: ClosingOptions = {}): Image {
  return withPixels(image, closeMask(maskOf(image, options.foreground), image.size, r, options.safeBorder ?? true))
}

export function open(image: Image, r: BallRadius, options: MorphologyOptions = {}): Image {
  return withPixels(image, openMask(maskOf(image, options.foreground), image.size, r))
}

/** Dilation of a 0/1 mask (x fastest, size [nx, ny, nz]); outside the image is background. */
export function dilateMask(mask: Uint8Array, size: readonly number[], r: BallRadius): Uint8Array {
  const dims = dims3(size, mask.length)
  const R = radiusVector(r)
  const out = new Uint8Array(mask.length)
  const b = boundsOf(mask, dims)
  if (!b) return out
  // only voxels within R of the mask's bounding box can change
  const box = clipBox(growBox(b, R), dims)
  const sub = extract(mask, dims, box)
  withinBall(sub, box.size, R, sub)
  paste(sub, box, box, dims, out)
  return out
}

/** Erosion of a 0/1 mask; outside the image counts as foreground (ITK's BoundaryToForeground). */
export function erodeMask(mask: Uint8Array, size: readonly number[], r: BallRadius): Uint8Array {
  const dims = dims3(size, mask.length)
  const R = radiusVector(r)
  const out = new Uint8Array(mask.length)
  const b = boundsOf(mask, dims)
  if (!b) return out
  // the result lies inside the bounding box; background sites within R of it decide
  const box = clipBox(growBox(b, R), dims)
  const sub = invertInPlace(extract(mask, dims, box))
  invertInPlace(withinBall(sub, box.size, R, sub))
  paste(sub, box, b, dims, out)
  return out
}

/**
 * Closing (dilate, then erode). With safeBorder (ITK's default) as ITK: zero-pad by R, dilate,
 * erode, crop. That equals the closing in an unbounded zero background, which lies inside the
 * mask's bounding box, so only that box grown by R (zero-filled past the image) is processed.
 */
export function closeMask(mask: Uint8Array, size: readonly number[], r: BallRadius, safeBorder = true): Uint8Array {
  if (!safeBorder) return erodeMask(dilateMask(mask, size, r), size, r)
  const dims = dims3(size, mask.length)
  const R = radiusVector(r)
  const out = new Uint8Array(mask.length)
  const b = boundsOf(mask, dims)
  if (!b) return out
  const box = growBox(b, R)
  const sub = extract(mask, dims, box)
  withinBall(sub, box.size, R, sub) // dilated, in place
  invertInPlace(sub) // sites of the erosion: voxels outside the dilated set
  invertInPlace(withinBall(sub, box.size, R, sub)) // not within R of them: the closing
  // ITK finally copies the input's foreground back; closing with a ball (which holds the
  // origin) is extensive, so the exact result already contains it
  paste(sub, box, b, dims, out)
  return out
}

/** Opening as ITK's BinaryMorphologicalOpeningImageFilter: erode (border = foreground), then dilate. */
export function openMask(mask: Uint8Array, size: readonly number[], r: BallRadius): Uint8Array {
  return dilateMask(erodeMask(mask, size, r), size, r)
}

/** An axis-aligned voxel box: first voxel `lo` (may be negative) and `size`. */
interface Box {
  lo: number[]
  size: number[]
}

/** Bounding box of the non-zero voxels, or undefined for an empty mask. */
function boundsOf(mask: Uint8Array, dims: number[]): Box | undefined {
  const [nx, ny, nz] = dims
  let x0 = nx, x1 = -1, y0 = ny, y1 = -1, z0 = nz, z1 = -1
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx
      let first = 0
      while (first < nx && mask[row + first] === 0) first++
      if (first === nx) continue
      let last = nx - 1
      while (mask[row + last] === 0) last--
      if (first < x0) x0 = first
      if (last > x1) x1 = last
      if (y < y0) y0 = y
      if (y > y1) y1 = y
      if (z < z0) z0 = z
      z1 = z
    }
  }
  if (x1 < 0) return undefined
  return { lo: [x0, y0, z0], size: [x1 - x0 + 1, y1 - y0 + 1, z1 - z0 + 1] }
}

function growBox(b: Box, R: readonly number[]): Box {
  return { lo: b.lo.map((v, d) => v - R[d]), size: b.size.map((v, d) => v + 2 * R[d]) }
}

function clipBox(b: Box, dims: number[]): Box {
  const lo = b.lo.map((v) => Math.max(0, v))
  const hi = b.lo.map((v, d) => Math.min(dims[d], v + b.size[d]))
  return { lo, size: hi.map((v, d) => v - lo[d]) }
}

/** The box's voxels of `mask` as 0/1 (0 past the image). */
function extract(mask: Uint8Array, dims: number[], box: Box): Uint8Array {
  const [nx, ny, nz] = dims
  const [bx, by, bz] = box.size
  const sub = new Uint8Array(bx * by * bz)
  const xs = Math.max(0, -box.lo[0]), xe = Math.min(bx, nx - box.lo[0])
  for (let k = 0; k < bz; k++) {
    const z = box.lo[2] + k
    if (z < 0 || z >= nz) continue
    for (let j = 0; j < by; j++) {
      const y = box.lo[1] + j
      if (y < 0 || y >= ny) continue
      const src = (z * ny + y) * nx + box.lo[0]
      const dst = (k * by + j) * bx
      for (let i = xs; i < xe; i++) sub[dst + i] = mask[src + i] !== 0 ? 1 : 0
    }
  }
  return sub
}

/** Copy the part `region` (inside the image and inside `box`) of box-shaped `sub` into `out`. */
function paste(sub: Uint8Array, box: Box, region: Box, dims: number[], out: Uint8Array): void {
  const [nx, ny] = dims
  const [bx, by] = box.size
  for (let z = region.lo[2]; z < region.lo[2] + region.size[2]; z++) {
    for (let y = region.lo[1]; y < region.lo[1] + region.size[1]; y++) {
      const src = ((z - box.lo[2]) * by + (y - box.lo[1])) * bx - box.lo[0]
      const dst = (z * ny + y) * nx
      for (let x = region.lo[0]; x < region.lo[0] + region.size[0]; x++) out[dst + x] = sub[src + x]
    }
  }
}

function invertInPlace(m: Uint8Array): Uint8Array {
  for (let i = 0; i < m.length; i++) m[i] = m[i] !== 0 ? 0 : 1
  return m
}

/** Largest per-axis radius handled by the windowed bounded-distance path (cost 2R + 1 per axis). */
const WINDOW_MAX_RADIUS = 6

/**
 * out[i] = 1 where some site (sites[i] != 0) lies within the ball around voxel i, else 0; `out`
 * may be `sites` itself. Small radii: exact squared ball distances capped just above the ball's
 * limit, in integers, with one windowed minimum per axis. Larger radii: the float64 exact EDT.
 */
function withinBall(sites: Uint8Array, dims: number[], R: readonly number[], out: Uint8Array): Uint8Array {
  const metric = integerBallMetric(R)
  if (metric && Math.max(R[0], R[1], R[2]) <= WINDOW_MAX_RADIUS) {
    const dist = boundedBallDistance(sites, dims, R, metric.weights, metric.limit + 1)
    const limit = metric.limit
    for (let i = 0; i < out.length; i++) out[i] = dist[i] <= limit ? 1 : 0
    return out
  }
  const { weights, limit } = ballMetric(R)
  const buf = new Float64Array(sites.length)
  for (let i = 0; i < sites.length; i++) buf[i] = sites[i] !== 0 ? 0 : Infinity
  squaredDistanceTransformInPlace(buf, dims, weights, true)
  for (let i = 0; i < out.length; i++) out[i] = buf[i] <= limit ? 1 : 0
  return out
}

/**
 * The ball metric scaled to integers: offset o is in the ball iff sum_d weights[d] o_d^2 <= limit.
 * Isotropic: weights 1, limit R^2 + R. Anisotropic: with m_d = 2 R_d + 1 and L = lcm(m_d),
 * weights 4 (L / m_d)^2 and limit L^2. Undefined when the numbers would not fit 32 bits.
 */
function integerBallMetric(R: readonly number[]): { weights: number[]; limit: number } | undefined {
  if (R[0] === R[1] && R[1] === R[2]) return { weights: [1, 1, 1], limit: R[0] * R[0] + R[0] }
  const m = R.map((v) => 2 * v + 1)
  const L = lcm(lcm(m[0], m[1]), m[2])
  const limit = L * L
  if (limit >= 2 ** 30) return undefined
  return { weights: m.map((v) => 4 * (L / v) * (L / v)), limit }
}

function lcm(a: number, b: number): number {
  let x = a, y = b
  while (y) [x, y] = [y, x % y]
  return (a / x) * b
}

/**
 * min(cap, squared ball distance to the nearest site) per voxel, exact for values below cap.
 * Only offsets with |o_d| <= R_d can be below cap, so each axis is a windowed minimum.
 */
function boundedBallDistance(sites: Uint8Array, dims: number[], R: readonly number[], W: number[], cap: number): DistanceArray {
  const [nx, ny, nz] = dims
  const alloc = (): DistanceArray =>
    cap <= 0xff ? new Uint8Array(sites.length) : cap <= 0xffff ? new Uint16Array(sites.length) : new Uint32Array(sites.length)
  let dist = alloc()
  // axis 0: the nearest site within R0 on the line (the first hit going outwards is the nearest)
  const w0 = W[0], r0 = R[0]
  const lines = ny * nz
  for (let l = 0; l < lines; l++) {
    const base = l * nx
    for (let q = 0; q < nx; q++) {
      const p = base + q
      if (sites[p] !== 0) {
        dist[p] = 0
        continue
      }
      let v = cap
      for (let k = 1; k <= r0; k++) {
        if ((q >= k && sites[p - k] !== 0) || (q + k < nx && sites[p + k] !== 0)) {
          v = w0 * k * k
          break
        }
      }
      dist[p] = v
    }
  }
  // axes 1 and 2: windowed minima between two buffers
  let spare: DistanceArray | undefined
  for (const [axis, inner, outer] of [[1, nx, nz], [2, nx * ny, 1]]) {
    if (dims[axis] === 1 || R[axis] === 0) continue
    spare ??= alloc()
    windowedMin(dist, spare, dims[axis], inner, outer, R[axis], W[axis], cap)
    const t = dist
    dist = spare
    spare = t
  }
  return dist
}

type DistanceArray = Uint8Array | Uint16Array | Uint32Array

/**
 * Along an axis of length n and stride inner (layout outer x n x inner):
 * dst[q] = min(cap, min over |k| <= radius of src[q + k] + w k^2), whole rows at a time.
 */
function windowedMin(src: DistanceArray, dst: DistanceArray, n: number, inner: number, outer: number, radius: number, w: number, cap: number): void {
  // neighbour rows of the current row and their added cost (row-level bounds)
  const rowOff = new Int32Array(2 * radius)
  const rowCost = new Float64Array(2 * radius)
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < n; a++) {
      let cnt = 0
      for (let k = 1; k <= radius; k++) {
        const wk = w * k * k
        if (wk >= cap) break
        if (a - k >= 0) {
          rowOff[cnt] = -k * inner
          rowCost[cnt++] = wk
        }
        if (a + k < n) {
          rowOff[cnt] = k * inner
          rowCost[cnt++] = wk
        }
      }
      const row = (o * n + a) * inner
      const end = row + inner
      if (cnt === 2) {
        const s0 = rowOff[0], s1 = rowOff[1], c0 = rowCost[0], c1 = rowCost[1]
        for (let p = row; p < end; p++) {
          let m = src[p]
          const v0 = src[p + s0] + c0
          const v1 = src[p + s1] + c1
          if (v0 < m) m = v0
          if (v1 < m) m = v1
          dst[p] = m < cap ? m : cap
        }
      } else {
        for (let p = row; p < end; p++) {
          let m = src[p]
          for (let j = 0; j < cnt; j++) {
            const v = src[p + rowOff[j]] + rowCost[j]
            if (v < m) m = v
          }
          dst[p] = m < cap ? m : cap
        }
      }
    }
  }
}

function radiusVector(r: BallRadius): [number, number, number] {
  const R = typeof r === 'number' ? [r, r, r] : [r[0], r[1], r[2]]
  for (const v of R) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`ball radius must be a non-negative integer number of voxels, got ${R.join(',')}`)
  }
  return R as [number, number, number]
}

/**
 * Squared-distance weights and limit such that offset o is in the ball iff
 * sum_d weights[d] * o_d^2 <= limit. Isotropic: weights 1, limit R^2 + R (integers, so the
 * comparison with (R + 0.5)^2 is exact). Anisotropic: weights 4 / (2 R_d + 1)^2, limit 1 (no
 * integer offset lies exactly on that ellipsoid: the sum is a fraction with odd denominator
 * and even numerator, so rounding cannot flip a decision).
 */
function ballMetric(R: readonly number[]): { weights: number[]; limit: number } {
  if (R[0] === R[1] && R[1] === R[2]) return { weights: [1, 1, 1], limit: R[0] * R[0] + R[0] }
  return { weights: R.map((v) => 4 / ((2 * v + 1) * (2 * v + 1))), limit: 1 }
}

function dims3(size: readonly number[], count: number): number[] {
  const dims = size.length === 2 ? [size[0], size[1], 1] : [...size]
  if (dims.length !== 3 || dims[0] * dims[1] * dims[2] !== count) {
    throw new Error(`morphology: mask of ${count} voxels does not match size ${size.join('x')}`)
  }
  return dims
}

function maskOf(image: Image, foreground: number | undefined): Uint8Array {
  const data = pixelsOf(image)
  // the mask functions read "non-zero" and never write their input: a uint8 image serves as is
  if (foreground === undefined && data instanceof Uint8Array) return data
  const out = new Uint8Array(data.length)
  if (foreground === undefined) for (let i = 0; i < data.length; i++) out[i] = data[i] !== 0 ? 1 : 0
  else for (let i = 0; i < data.length; i++) out[i] = data[i] === foreground ? 1 : 0
  return out
}
