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
// for radii <= 6 (cost 2R + 1 per voxel and axis; byte distances in WebAssembly SIMD,
// binary-morphology-simd.ts), the linear-time EDT beyond; only the mask's bounding box grown by
// R is processed. Each ball operation is two passes split by z slices (in-plane distance, then
// the z minimum thresholded straight into the output), which binary-morphology-threads.ts runs
// on the filter pool. The output is always a uint8 0/1 mask (ITK copies non-foreground input
// values through, which only matters for multi-label inputs).
import { type Image, pixelsOf, withPixels } from '../image/image.js'
import { squaredDistanceTransformInPlace } from './distance-transform.js'
import { neighbourhoodFootprint, type Footprint } from '../chunks/footprint.js'
import { ballDistanceInPlane, ballThresholdAcrossSlices, distanceArray, type AcrossArgs, type DistanceArray, type InPlaneArgs } from './binary-morphology-passes.js'

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
  return runPasses(dilatePasses(mask, size, r, plainBuffers))
}

/** Erosion of a 0/1 mask; outside the image counts as foreground (ITK's BoundaryToForeground). */
export function erodeMask(mask: Uint8Array, size: readonly number[], r: BallRadius): Uint8Array {
  return runPasses(erodePasses(mask, size, r, plainBuffers))
}

/**
 * Closing (dilate, then erode). With safeBorder (ITK's default) as ITK: zero-pad by R, dilate,
 * erode, crop. That equals the closing in an unbounded zero background, which lies inside the
 * mask's bounding box, so only that box grown by R (zero-filled past the image) is processed.
 */
export function closeMask(mask: Uint8Array, size: readonly number[], r: BallRadius, safeBorder = true): Uint8Array {
  return runPasses(closePasses(mask, size, r, safeBorder, plainBuffers))
}

/** Opening as ITK's BinaryMorphologicalOpeningImageFilter: erode (border = foreground), then dilate. */
export function openMask(mask: Uint8Array, size: readonly number[], r: BallRadius): Uint8Array {
  return runPasses(openPasses(mask, size, r, plainBuffers))
}

/**
 * A morphology operation as a sequence of whole-volume passes (kernels of
 * binary-morphology-passes.ts) with a barrier after each: the serial functions above run each
 * pass on the calling thread, binary-morphology-threads.ts on the filter pool. The generator
 * does the cheap serial steps (bounds, extraction) itself and returns the output mask.
 */
export type MorphologyPasses = Generator<BallPass, Uint8Array, void>
export type BallPass =
  | { kernel: 'ballDistanceInPlane'; args: InPlaneArgs }
  | { kernel: 'ballThresholdAcrossSlices'; args: AcrossArgs }

/** Allocates the buffers the passes write: plain for one thread, shared for the pool. */
export interface PassBuffers {
  uint8(n: number): Uint8Array
  distance(n: number, cap: number): DistanceArray
  /** A fresh counter handing out work items (z slices). */
  counter(): Int32Array
}

const plainBuffers: PassBuffers = {
  uint8: (n) => new Uint8Array(n),
  distance: (n, cap) => distanceArray(n, cap),
  counter: () => new Int32Array(1),
}

export const passKernels = { ballDistanceInPlane, ballThresholdAcrossSlices }

function runPasses(passes: MorphologyPasses): Uint8Array {
  for (let step = passes.next(); ; step = passes.next()) {
    if (step.done) return step.value
    passKernels[step.value.kernel](step.value.args as InPlaneArgs & AcrossArgs)
  }
}

export function* dilatePasses(mask: Uint8Array, size: readonly number[], r: BallRadius, buffers: PassBuffers): MorphologyPasses {
  const dims = dims3(size, mask.length)
  const R = radiusVector(r)
  const out = buffers.uint8(mask.length)
  const b = boundsOf(mask, dims)
  if (!b) return out
  // only voxels within R of the mask's bounding box can change
  const box = clipBox(growBox(b, R), dims)
  yield* ballPasses(extract(mask, dims, box, buffers), false, box, R, { target: out, targetDims: dims, targetLo: box.lo, region: box, invert: false }, buffers)
  return out
}

export function* erodePasses(mask: Uint8Array, size: readonly number[], r: BallRadius, buffers: PassBuffers): MorphologyPasses {
  const dims = dims3(size, mask.length)
  const R = radiusVector(r)
  const out = buffers.uint8(mask.length)
  const b = boundsOf(mask, dims)
  if (!b) return out
  // the result lies inside the bounding box; background sites within R of it decide
  const box = clipBox(growBox(b, R), dims)
  yield* ballPasses(extract(mask, dims, box, buffers), true, box, R, { target: out, targetDims: dims, targetLo: box.lo, region: b, invert: true }, buffers)
  return out
}

export function* closePasses(mask: Uint8Array, size: readonly number[], r: BallRadius, safeBorder: boolean, buffers: PassBuffers): MorphologyPasses {
  if (!safeBorder) return yield* erodePasses(yield* dilatePasses(mask, size, r, buffers), size, r, buffers)
  const dims = dims3(size, mask.length)
  const R = radiusVector(r)
  const out = buffers.uint8(mask.length)
  const b = boundsOf(mask, dims)
  if (!b) return out
  const box = growBox(b, R)
  const sub = extract(mask, dims, box, buffers)
  // both ball operations use the same distance volume (the second overwrites every slice)
  const metric = integerBallMetric(R)
  const scratch = metric && Math.max(...R) <= WINDOW_MAX_RADIUS ? buffers.distance(sub.length, metric.limit + 1) : undefined
  // dilated, in place (the first pass reads sub, the second writes it)
  yield* ballPasses(sub, false, box, R, { target: sub, targetDims: box.size, targetLo: [0, 0, 0], region: box, invert: false }, buffers, scratch)
  // eroded: voxels of b not within R of a voxel outside the dilated set
  // ITK finally copies the input's foreground back; closing with a ball (which holds the
  // origin) is extensive, so the exact result already contains it
  yield* ballPasses(sub, true, box, R, { target: out, targetDims: dims, targetLo: box.lo, region: b, invert: true }, buffers, scratch)
  return out
}

export function* openPasses(mask: Uint8Array, size: readonly number[], r: BallRadius, buffers: PassBuffers): MorphologyPasses {
  return yield* dilatePasses(yield* erodePasses(mask, size, r, buffers), size, r, buffers)
}

/** Where and how one ball operation writes: target[targetLo + v] = within(v) xor invert for v in region (image coordinates). */
interface BallTarget {
  target: Uint8Array
  targetDims: number[]
  targetLo: number[]
  region: Box
  invert: boolean
}

/**
 * "Some site (a non-zero voxel, or with zeroSites a zero voxel) lies within the ball around v", for the voxels of the
 * region, written into the target. Small radii: the two passes. Larger radii (or anisotropic
 * radii whose integer metric would not fit 32 bits): the float64 exact EDT on the calling thread.
 */
function* ballPasses(
  sites: Uint8Array, zeroSites: boolean, box: Box, R: number[], t: BallTarget, buffers: PassBuffers,
  /** The distance volume to use (box-sized, of the type buffers.distance gives for this ball). */
  scratch?: DistanceArray,
): Generator<BallPass, void, void> {
  const dims = box.size
  const regionLo = t.region.lo.map((v, d) => v - box.lo[d])
  const metric = integerBallMetric(R)
  if (metric && Math.max(R[0], R[1], R[2]) <= WINDOW_MAX_RADIUS) {
    const cap = metric.limit + 1
    const dist = scratch ?? buffers.distance(sites.length, cap)
    yield { kernel: 'ballDistanceInPlane', args: { sites, zeroSites, dist, dims, R, W: metric.weights, cap, next: buffers.counter() } }
    yield {
      kernel: 'ballThresholdAcrossSlices',
      args: {
        dist, dims, R, W: metric.weights, cap, limit: metric.limit, target: t.target, targetDims: t.targetDims,
        targetLo: t.targetLo, regionLo, regionSize: t.region.size, invert: t.invert, next: buffers.counter(),
      },
    }
    return
  }
  const within = edtWithinBall(sites, zeroSites, dims, R)
  const [bx, by] = dims
  const [tnx, tny] = t.targetDims
  for (let z = regionLo[2]; z < regionLo[2] + t.region.size[2]; z++) {
    for (let y = regionLo[1]; y < regionLo[1] + t.region.size[1]; y++) {
      const s = (z * by + y) * bx
      const o = ((z + t.targetLo[2]) * tny + y + t.targetLo[1]) * tnx + t.targetLo[0]
      for (let x = regionLo[0]; x < regionLo[0] + t.region.size[0]; x++) t.target[o + x] = within[s + x] ^ (t.invert ? 1 : 0)
    }
  }
}

/** An axis-aligned voxel box: first voxel `lo` (may be negative) and `size`. */
interface Box {
  lo: number[]
  size: number[]
}

/** Bounding box of the non-zero voxels, or undefined for an empty mask. */
function boundsOf(mask: Uint8Array, dims: number[]): Box | undefined {
  const [nx, ny, nz] = dims
  // most rows of a body mask are empty: test 4 bytes at a time where the mask is 4-byte aligned
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : undefined
  let x0 = nx, x1 = -1, y0 = ny, y1 = -1, z0 = nz, z1 = -1
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx
      const first = firstNonZero(mask, words, row, row + nx)
      if (first < 0) continue
      const last = lastNonZero(mask, words, row, row + nx)
      if (first - row < x0) x0 = first - row
      if (last - row > x1) x1 = last - row
      if (y < y0) y0 = y
      if (y > y1) y1 = y
      if (z < z0) z0 = z
      z1 = z
    }
  }
  if (x1 < 0) return undefined
  return { lo: [x0, y0, z0], size: [x1 - x0 + 1, y1 - y0 + 1, z1 - z0 + 1] }
}

/** Index of the first non-zero byte in [from, to), or -1; `words` views the same bytes. */
function firstNonZero(mask: Uint8Array, words: Uint32Array | undefined, from: number, to: number): number {
  let i = from
  if (words) {
    for (; i < to && (i & 3) !== 0; i++) if (mask[i] !== 0) return i
    while (i + 4 <= to && words[i >> 2] === 0) i += 4
  }
  for (; i < to; i++) if (mask[i] !== 0) return i
  return -1
}

/** Index of the last non-zero byte in [from, to) (one exists). */
function lastNonZero(mask: Uint8Array, words: Uint32Array | undefined, from: number, to: number): number {
  let i = to - 1
  if (words) {
    for (; i >= from && ((i + 1) & 3) !== 0; i--) if (mask[i] !== 0) return i
    while (i - 3 >= from && words[(i - 3) >> 2] === 0) i -= 4
  }
  for (; i >= from; i--) if (mask[i] !== 0) return i
  return -1
}

function growBox(b: Box, R: readonly number[]): Box {
  return { lo: b.lo.map((v, d) => v - R[d]), size: b.size.map((v, d) => v + 2 * R[d]) }
}

function clipBox(b: Box, dims: number[]): Box {
  const lo = b.lo.map((v) => Math.max(0, v))
  const hi = b.lo.map((v, d) => Math.min(dims[d], v + b.size[d]))
  return { lo, size: hi.map((v, d) => v - lo[d]) }
}

/** The box's voxels of `mask` (0 past the image). */
function extract(mask: Uint8Array, dims: number[], box: Box, buffers: PassBuffers = plainBuffers): Uint8Array {
  const [nx, ny, nz] = dims
  const [bx, by, bz] = box.size
  const sub = buffers.uint8(bx * by * bz)
  const xs = Math.max(0, -box.lo[0]), xe = Math.min(bx, nx - box.lo[0])
  for (let k = 0; k < bz; k++) {
    const z = box.lo[2] + k
    if (z < 0 || z >= nz) continue
    for (let j = 0; j < by; j++) {
      const y = box.lo[1] + j
      if (y < 0 || y >= ny) continue
      const src = (z * ny + y) * nx + box.lo[0]
      const dst = (k * by + j) * bx
      // copied as is: the passes read "non-zero", so no 0/1 conversion is needed
      if (xe > xs) sub.set(mask.subarray(src + xs, src + xe), dst + xs)
    }
  }
  return sub
}

/** Largest per-axis radius handled by the windowed bounded-distance path (cost 2R + 1 per axis). */
const WINDOW_MAX_RADIUS = 6

/** 1 where some site lies within the ball (float64 exact EDT, for radii past the windowed path). */
function edtWithinBall(sites: Uint8Array, zeroSites: boolean, dims: number[], R: readonly number[]): Uint8Array {
  const { weights, limit } = ballMetric(R)
  const buf = new Float64Array(sites.length)
  for (let i = 0; i < sites.length; i++) buf[i] = (sites[i] === 0) === zeroSites ? 0 : Infinity
  squaredDistanceTransformInPlace(buf, dims, weights, true)
  const out = new Uint8Array(sites.length)
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
