// Mirrors itk::ResampleImageFilter with an identity or a linear (rigid, affine) transform and a
// Nearest/Linear/BSpline (order 3) interpolate image function; B-spline coefficients as itk::BSplineDecompositionImageFilter
// (mirror boundaries, Unser's recursive prefilter, float64). A point is interpolated only if its
// continuous input index lies in [-0.5, n - 0.5) on every axis, else it gets defaultValue.
// Differs on purpose:
// * when the output axes map one-to-one onto the input axes (same direction matrix, the usual
//   case) the work is done separably, one 1-D pass per axis (prefilter + taps), and axes whose
//   sampling is unchanged are skipped; linear works one output slice at a time
//   (resample-linear-slices.ts), B-spline in-plane slice by slice and then along z over columns
//   (resample-bspline-slices.ts; float64 in-between, or float32 to save memory); both run on
//   the filter thread pool in resampleAsync;
// * integer output types are rounded to nearest (half up) and clamped to the type's range;
//   ITK clamps and then truncates toward zero.
import { allocatePixels, componentTypeOf, gridOf, makeImage, pixelsOf, voxelCount, type ComponentType, type Grid, type Image, type PixelArray } from '../image/image.js'
import { asShared, defaultThreadCount, runOnThreads } from './filter-threads.js'
import { linearSlicesKernel, type LinearSlicesArgs } from './resample-linear-slices.js'
import { bsplineSlicesKernel, type BsplineSlicesArgs } from './resample-bspline-slices.js'
import { invert3 } from '../image/geometry.js'
import { identityTransform, type AffineTransform } from '../image/affine-transform.js'
import { neighbourhoodFootprint, type Footprint } from '../chunks/footprint.js'

export type Interpolator = 'nearest' | 'linear' | 'bspline'

export interface ResampleOptions {
  interpolator: Interpolator
  /** Value of output voxels that map outside the input (ITK's DefaultPixelValue); default 0. */
  defaultValue?: number
  /** Output pixel type; default float32. Integer types are rounded to nearest and clamped. */
  outputType?: ComponentType
  /**
   * Maps OUTPUT physical points to INPUT physical points, as ResampleImageFilter's transform
   * (default identity). Rotations make the output axes oblique: the general path runs.
   */
  transform?: AffineTransform
  /**
   * B-spline only: type of the in-between volume of the separable passes. float32 saves 4 bytes
   * per voxel of (output x, output y, input z) at a relative rounding of 6e-8 (about 2e-4 HU),
   * the size of the float32 output's own rounding. Default: float32 for float32 outputs (a CT to
   * 1 mm then peaks at ~525 MB instead of ~625 MB: 3x the float32 volume is 600 MB); float64 for
   * integer and float64 outputs, whose rounding then matches the chunked path (resample-slab.ts)
   * exactly, as the pipeline's one-chunk == resample() tests require.
   */
  intermediate?: 'float64' | 'float32'
}

/** Pole of the cubic B-spline prefilter. */
const POLE = Math.sqrt(3) - 2
/** Taps before the prefilter's influence falls below 1e-9 of a sample, plus the cubic support. */
const BSPLINE_HALO = 2 + Math.ceil(Math.log(1e-9) / Math.log(-POLE))

/**
 * Halo in input voxels needed to resample one chunk as the whole image would. Nearest and linear
 * are exact with 1 voxel; the B-spline prefilter is recursive (infinite support) and its influence
 * decays as |pole|^distance: with 18 voxels a chunk border changes values by about 1e-9 of
 * the data range (not bit-identical to resampling the whole image).
 */
export function resampleFootprint(interpolator: Interpolator): Footprint {
  return neighbourhoodFootprint(interpolator === 'bspline' ? BSPLINE_HALO : 1)
}

/**
 * Isotropic grid over the same physical extent: spacing defaults to the smallest in-plane
 * spacing min(spacing[0], spacing[1]); size[d] = round(size[d] * spacing[d] / spacing), as the
 * golden ITK outputs; origin (centre of voxel 0) and direction are kept.
 */
export function isotropicGrid(grid: Grid, spacing?: number): Grid {
  const s = spacing ?? Math.min(grid.spacing[0], grid.spacing[1])
  if (!(s > 0) || !Number.isFinite(s)) throw new Error(`isotropic spacing must be a positive number, got ${s}`)
  return {
    size: grid.size.map((n, d) => Math.max(1, Math.round((n * grid.spacing[d]) / s))),
    spacing: grid.size.map(() => s),
    origin: [...grid.origin],
    direction: [...grid.direction],
  }
}

/**
 * Isotropic grid centred on the input's physical extent (voxel edges, not centres): the same
 * size and direction as isotropicGrid, but the origin moves by half the extent difference so
 * the output covers the input's slab from first to last voxel edge. ITK's origin-kept grid
 * loses half an input voxel at the start and samples past the end, which shrinks every label
 * that reaches the first or last slice (-2.3 % on ct-abdomen-dicom's liver); this one does not.
 */
export function extentCenteredIsotropicGrid(grid: Grid, spacing?: number): Grid {
  const iso = isotropicGrid(grid, spacing)
  // Shift of voxel 0's centre along each index axis, in mm: the input extent starts at
  // -spacing/2, the output's at -s/2 + shift, and both extents share the same centre.
  const shift = grid.size.map((n, d) => (iso.spacing[d] - grid.spacing[d]) / 2 + (n * grid.spacing[d] - iso.size[d] * iso.spacing[d]) / 2)
  const origin = grid.origin.map((o, r) => o + [0, 1, 2].reduce((sum, c) => sum + grid.direction[r * 3 + c] * shift[c], 0))
  return { ...iso, origin }
}

/** Nearest-neighbour resampling that keeps the label pixel type; outside voxels get 0. */
export function resampleLabels(labels: Image, outputGrid: Grid, transform?: AffineTransform): Image {
  return resample(labels, outputGrid, {
    interpolator: 'nearest',
    defaultValue: 0,
    outputType: componentTypeOf(pixelsOf(labels)),
    transform,
  })
}

export function resample(image: Image, outputGrid: Grid, options: ResampleOptions): Image {
  const plan = planResample(image, outputGrid, options)
  const { input, inDims, outDims, A, a, interpolator, out, range, defaultValue } = plan
  if (plan.axes) {
    if (interpolator === 'linear') linearSlicesKernel(linearSlicesArgs(plan, plan.axes, 1))
    else if (interpolator === 'bspline') bsplineSlicesKernel(bsplineSlicesArgs(plan, plan.axes, input, out, 1))
    else {
      nearestSeparable(input, inDims, plan.axes, out, range)
      applyDefault(out, outDims, plan.axes, defaultValue)
    }
  } else {
    resampleGeneral(input, inDims, A, a, interpolator, out, outDims, range, defaultValue)
  }
  return makeImage(outputGrid, out, image.name)
}

export interface ResampleThreadOptions extends ResampleOptions {
  /** Threads in total (the calling one included); default: the available cores for large outputs. */
  threads?: number
}

/**
 * The same as resample, with the separable linear path (the common "to 1 mm" case) on worker
 * threads; identical results. The output pixels are then a SharedArrayBuffer view.
 */
export async function resampleAsync(image: Image, outputGrid: Grid, options: ResampleThreadOptions): Promise<Image> {
  const outCount = voxelCount(outputGrid.size)
  const threads = options.threads ?? (outCount >= 1 << 22 ? defaultThreadCount() : 1)
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`resample: threads must be an integer >= 1, got ${threads}`)
  if (threads === 1 || options.interpolator === 'nearest') return resample(image, outputGrid, options)
  const plan = planResample(image, outputGrid, options, true)
  if (!plan.axes) return resample(image, outputGrid, options)
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  if (options.interpolator === 'bspline') {
    const args = bsplineSlicesArgs(plan, plan.axes, asShared(plan.input), plan.out, threads)
    const kernelModule = new URL(`./resample-bspline-slices.${ext}`, import.meta.url).href
    await runOnThreads({ module: kernelModule, name: 'bsplineSlicesKernel', args }, threads, bsplineSlicesKernel)
  } else {
    // the calling thread reads the caller's input, which is not posted to the workers
    const args = linearSlicesArgs(plan, plan.axes, threads)
    const kernelModule = new URL(`./resample-linear-slices.${ext}`, import.meta.url).href
    const local = (a: LinearSlicesArgs) => linearSlicesKernel({ ...a, inputs: [plan.input, ...a.inputs.slice(1)], thread: 0 })
    await runOnThreads({ module: kernelModule, name: 'linearSlicesKernel', args }, threads, local)
  }
  return makeImage(outputGrid, plan.out, image.name)
}

interface ResamplePlan {
  input: PixelArray
  inDims: [number, number, number]
  outDims: [number, number, number]
  A: number[]
  a: number[]
  interpolator: Interpolator
  out: PixelArray
  range: Range
  defaultValue: number
  intermediate: 'float64' | 'float32'
  /** Per-axis taps when the output axes map one-to-one onto the input axes. */
  axes?: AxisTaps[]
}

function planResample(image: Image, outputGrid: Grid, options: ResampleOptions, sharedOutput = false): ResamplePlan {
  const { interpolator } = options
  if (interpolator !== 'nearest' && interpolator !== 'linear' && interpolator !== 'bspline') {
    throw new Error(`resample: unknown interpolator '${String(interpolator)}'`)
  }
  checkGrid(outputGrid, 'output grid')
  const input = pixelsOf(image)
  const inDims: [number, number, number] = [image.size[0], image.size[1], image.size[2]]
  if (image.size.length !== 3 || input.length !== inDims[0] * inDims[1] * inDims[2]) {
    throw new Error(`resample: expected a 3-D scalar image, got size ${image.size.join('x')} with ${input.length} pixels`)
  }
  const outType = options.outputType ?? 'float32'
  const range = rangeOf(outType)
  const defaultValue = toType(options.defaultValue ?? 0, range)
  const outDims: [number, number, number] = [outputGrid.size[0], outputGrid.size[1], outputGrid.size[2]]
  const { A, a } = indexMap(gridOf(image), outputGrid, options.transform ?? identityTransform)
  const count = outDims[0] * outDims[1] * outDims[2]
  const out = sharedOutput ? toShared(allocatePixels(outType, 0), count) : allocatePixels(outType, count)
  const axes = isSeparable(A, outDims) ? [0, 1, 2].map((d) => axisTaps(interpolator, inDims[d], outDims[d], a[d], A[d * 3 + d])) : undefined
  const intermediate = options.intermediate ?? (outType === 'float32' ? 'float32' : 'float64')
  if (intermediate !== 'float64' && intermediate !== 'float32') throw new Error(`resample: intermediate must be float64 or float32, got '${String(intermediate)}'`)
  return { input, inDims, outDims, A, a, interpolator, out, range, defaultValue, intermediate, axes }
}

/**
 * The linear kernel's arguments. With threads, the output slices are cut into items of a few
 * slices, the items into one range per thread; each worker's input is a shared copy of the input
 * slices its range reads (a view when the input is already shared), the calling thread's entry
 * an empty placeholder (it reads plan.input, see resampleAsync).
 */
function linearSlicesArgs(plan: ResamplePlan, axes: AxisTaps[], threads: number): LinearSlicesArgs {
  const mz = plan.outDims[2]
  const taps = axes.map((t) => ({ m: t.m, identity: t.identity, idx: t.idx, w: t.w, valid: t.valid })) as LinearSlicesArgs['axes']
  // a few items per thread, so that the calling thread can take over part of a late worker's range
  const block = threads > 1 ? Math.max(1, Math.ceil(mz / (8 * threads))) : mz
  const items = Math.ceil(mz / block)
  const rangeStarts = Array.from({ length: threads + 1 }, (_, t) => Math.floor((t * items) / threads))
  // (a fresh empty array: a view of the input, even an empty one, would post its whole buffer)
  const inputs: PixelArray[] = [threads > 1 ? allocatePixels(componentTypeOf(plan.input), 0) : plan.input]
  const firstSlices = [0]
  const plane = plan.inDims[0] * plan.inDims[1]
  for (let t = 1; t < threads; t++) {
    const [z0, z1] = linearSourceSlices(axes[2], rangeStarts[t] * block, Math.min(mz, rangeStarts[t + 1] * block))
    inputs.push(asShared(plan.input.subarray(z0 * plane, z1 * plane)))
    firstSlices.push(z0)
  }
  return {
    inputs, firstSlices, out: plan.out, inDims: plan.inDims, axes: taps, defaultValue: plan.defaultValue,
    integer: plan.range.integer, lo: plan.range.lo, hi: plan.range.hi,
    block, rangeStarts,
    claimed: threads > 1 ? new Int32Array(new SharedArrayBuffer(4 * items)) : new Int32Array(items),
    started: threads > 1 ? new Int32Array(new SharedArrayBuffer(4)) : new Int32Array(1),
    thread: threads > 1 ? undefined : 0,
  }
}

/** Input slices [z0, z1) the z taps of output slices [k0, k1) read (an empty range when none is valid). */
function linearSourceSlices(tz: AxisTaps, k0: number, k1: number): [number, number] {
  let lo = Infinity, hi = -Infinity
  for (let k = k0; k < k1; k++) {
    if (!tz.valid[k]) continue
    lo = Math.min(lo, tz.idx[2 * k], tz.idx[2 * k + 1])
    hi = Math.max(hi, tz.idx[2 * k], tz.idx[2 * k + 1])
  }
  return lo > hi ? [0, 0] : [lo, hi + 1]
}

function bsplineSlicesArgs(plan: ResamplePlan, axes: AxisTaps[], input: PixelArray, out: PixelArray, threads: number): BsplineSlicesArgs {
  const nz = plan.inDims[2]
  const midCount = axes[0].m * axes[1].m * nz
  const shared = threads > 1
  const taps = axes.map((t) => ({ n: t.n, m: t.m, identity: t.identity, idx: t.idx, w: t.w, valid: t.valid })) as BsplineSlicesArgs['axes']
  return {
    input, out, inDims: plan.inDims, axes: taps, defaultValue: plan.defaultValue,
    mid: plan.intermediate === 'float32'
      ? (shared ? new Float32Array(new SharedArrayBuffer(4 * midCount)) : new Float32Array(midCount))
      : (shared ? new Float64Array(new SharedArrayBuffer(8 * midCount)) : new Float64Array(midCount)),
    integer: plan.range.integer, lo: plan.range.lo, hi: plan.range.hi,
    slab: Math.max(1, Math.ceil(nz / (8 * threads))),
    // 256 columns x nz float64 values per tile: a few hundred KB, in L2
    columns: 256,
    sync: shared ? new Int32Array(new SharedArrayBuffer(12)) : new Int32Array(3),
  }
}

/** A SharedArrayBuffer view of the same type holding a copy of `a` (or `length` zeros). */
function toShared(a: PixelArray, length = a.length): PixelArray {
  const ctor = a.constructor as unknown as new (b: SharedArrayBuffer) => PixelArray
  const shared = new ctor(new SharedArrayBuffer(length * a.BYTES_PER_ELEMENT))
  if (a.length) shared.set(a)
  return shared
}

// ---------------------------------------------------------------------------------------------
// Geometry: output index o -> continuous input index x = A o + a.
// (The building blocks below are exported for resample-slab.ts, the two-phase chunked form.)

export function indexMap(image: Grid, g: Grid, t: AffineTransform = identityTransform): { A: number[]; a: number[] } {
  const inDir = Array.from(image.direction as ArrayLike<number>)
  const inv = invert3(inDir)
  const A = new Array<number>(9).fill(0)
  const a = [0, 0, 0]
  // output voxel -> output point p -> input point M p + t: direction M D_out, origin M O_out + t
  const m = t.matrix
  const dir = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => m[r * 3] * g.direction[c] + m[r * 3 + 1] * g.direction[3 + c] + m[r * 3 + 2] * g.direction[6 + c]))
  const origin = [0, 1, 2].map((r) => m[r * 3] * g.origin[0] + m[r * 3 + 1] * g.origin[1] + m[r * 3 + 2] * g.origin[2] + t.translation[r])
  const delta = [origin[0] - image.origin[0], origin[1] - image.origin[1], origin[2] - image.origin[2]]
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = 0
      for (let k = 0; k < 3; k++) s += inv[r * 3 + k] * dir[k * 3 + c]
      A[r * 3 + c] = (s * g.spacing[c]) / image.spacing[r]
    }
    let s = 0
    for (let k = 0; k < 3; k++) s += inv[r * 3 + k] * delta[k]
    a[r] = s / image.spacing[r]
  }
  return { A, a }
}

/** Each output axis moves along one input axis only (off-diagonal terms negligible over the grid). */
export function isSeparable(A: number[], outDims: number[]): boolean {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      if (r !== c && Math.abs(A[r * 3 + c]) * Math.max(1, outDims[c] - 1) > 1e-9) return false
    }
  }
  return true
}

function checkGrid(g: Grid, what: string): void {
  if (g.size.length !== 3 || g.spacing.length !== 3 || g.origin.length !== 3 || g.direction.length !== 9) {
    throw new Error(`resample: ${what} must be 3-D (size, spacing, origin of length 3 and a 3x3 direction)`)
  }
  for (const n of g.size) if (!Number.isInteger(n) || n < 1) throw new Error(`resample: ${what} has bad size ${g.size.join('x')}`)
  for (const s of g.spacing) if (!(s > 0)) throw new Error(`resample: ${what} has bad spacing ${g.spacing.join('x')}`)
}

// ---------------------------------------------------------------------------------------------
// Output pixel type.

export interface Range {
  integer: boolean
  lo: number
  hi: number
}

export function rangeOf(type: ComponentType): Range {
  switch (type) {
    case 'int8': return { integer: true, lo: -128, hi: 127 }
    case 'uint8': return { integer: true, lo: 0, hi: 255 }
    case 'int16': return { integer: true, lo: -32768, hi: 32767 }
    case 'uint16': return { integer: true, lo: 0, hi: 65535 }
    case 'int32': return { integer: true, lo: -2147483648, hi: 2147483647 }
    case 'uint32': return { integer: true, lo: 0, hi: 4294967295 }
    default: return { integer: false, lo: -Infinity, hi: Infinity }
  }
}

export function toType(v: number, r: Range): number {
  if (!r.integer) return v
  if (v !== v) return 0
  return v <= r.lo ? r.lo : v >= r.hi ? r.hi : Math.round(v)
}

/** dst[i] = src[i] converted (rounded and clamped for integer outputs). */
export function convertInto(src: ArrayLike<number>, dst: PixelArray, r: Range): void {
  const n = dst.length
  if (!r.integer) {
    for (let i = 0; i < n; i++) dst[i] = src[i]
    return
  }
  const lo = r.lo, hi = r.hi
  for (let i = 0; i < n; i++) {
    const v = src[i]
    dst[i] = v <= lo ? lo : v >= hi ? hi : v !== v ? 0 : Math.round(v)
  }
}

// ---------------------------------------------------------------------------------------------
// Per-axis taps: output position o along an axis reads input samples idx[o*T + t] with weights.

export interface AxisTaps {
  n: number
  m: number
  /** The axis samples the input at its own voxel centres: no pass needed. */
  identity: boolean
  T: number
  idx: Int32Array
  w: Float64Array
  valid: Uint8Array
}

function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0
  const period = 2 * n - 2
  let k = i % period
  if (k < 0) k += period
  return k >= n ? period - k : k
}

export function axisTaps(kind: Interpolator, n: number, m: number, a: number, b: number): AxisTaps {
  const T = kind === 'nearest' ? 1 : kind === 'linear' ? 2 : 4
  const idx = new Int32Array(m * T)
  const w = new Float64Array(m * T)
  const valid = new Uint8Array(m)
  const identity = m === n && Math.abs(a) <= 1e-9 && Math.abs(b - 1) * Math.max(1, m - 1) <= 1e-9
  for (let o = 0; o < m; o++) {
    const x = a + b * o
    if (!(x >= -0.5 && x < n - 0.5)) continue // idx 0, weight 0; overwritten by the default value
    valid[o] = 1
    const p = o * T
    if (kind === 'nearest') {
      idx[p] = Math.floor(x + 0.5) // ITK rounds half up
      w[p] = 1
    } else if (kind === 'linear') {
      linearTaps(x, n, idx, w, p)
    } else {
      cubicTaps(x, n, idx, w, p)
    }
  }
  return { n, m, identity, T, idx, w, valid }
}

// ---------------------------------------------------------------------------------------------
// Separable paths.

export function nearestSeparable(input: PixelArray, inDims: number[], axes: AxisTaps[], out: PixelArray, r: Range): void {
  const [tx, ty, tz] = axes
  const nx = inDims[0], nxy = inDims[0] * inDims[1]
  const mx = tx.m, my = ty.m, mz = tz.m
  const ix = tx.idx
  // a plain copy is exact when the output type holds every input value as is
  const srcType = componentTypeOf(input)
  const direct = !r.integer || srcType === componentTypeOf(out) || fitsIn(srcType, r)
  let p = 0
  for (let k = 0; k < mz; k++) {
    const zBase = tz.idx[k] * nxy
    for (let j = 0; j < my; j++) {
      const base = zBase + ty.idx[j] * nx
      if (direct) {
        for (let i = 0; i < mx; i++) out[p + i] = input[base + ix[i]]
      } else {
        for (let i = 0; i < mx; i++) out[p + i] = toType(input[base + ix[i]], r)
      }
      p += mx
    }
  }
}

function fitsIn(src: ComponentType, r: Range): boolean {
  if (src === 'float32' || src === 'float64') return false
  const s = rangeOf(src)
  return s.lo >= r.lo && s.hi <= r.hi
}

/**
 * One axis: dst = taps applied along `axis` to src (after the B-spline prefilter along that
 * axis when `prefilter`). Layout (outer, n, inner) with inner = stride of the axis.
 */
export function axisPass(src: ArrayLike<number>, dims: number[], axis: number, taps: AxisTaps, prefilter: boolean, dst: Float64Array): void {
  const n = dims[axis]
  const m = taps.m
  let inner = 1
  for (let d = 0; d < axis; d++) inner *= dims[d]
  let outer = 1
  for (let d = axis + 1; d < 3; d++) outer *= dims[d]
  const { T, idx, w } = taps
  const doPrefilter = prefilter && n > 1

  if (inner === 1) {
    const line = new Float64Array(n)
    for (let o = 0; o < outer; o++) {
      const sb = o * n
      for (let q = 0; q < n; q++) line[q] = src[sb + q]
      if (doPrefilter) prefilterTile(line, n, 1)
      const db = o * m
      if (T === 4) {
        for (let q = 0, p = 0; q < m; q++, p += 4) {
          dst[db + q] = w[p] * line[idx[p]] + w[p + 1] * line[idx[p + 1]] + w[p + 2] * line[idx[p + 2]] + w[p + 3] * line[idx[p + 3]]
        }
      } else {
        for (let q = 0, p = 0; q < m; q++, p += 2) dst[db + q] = w[p] * line[idx[p]] + w[p + 1] * line[idx[p + 1]]
      }
    }
    return
  }

  const B = Math.min(inner, Math.max(16, Math.floor(32768 / n)))
  const tile = new Float64Array(n * B)
  for (let o = 0; o < outer; o++) {
    const sSlab = o * n * inner
    const dSlab = o * m * inner
    for (let r0 = 0; r0 < inner; r0 += B) {
      const bw = Math.min(B, inner - r0)
      for (let q = 0; q < n; q++) {
        const sRow = sSlab + q * inner + r0
        const tRow = q * bw
        for (let r = 0; r < bw; r++) tile[tRow + r] = src[sRow + r]
      }
      if (doPrefilter) prefilterTile(tile, n, bw)
      // one fused pass per output row: taps of whole rows of the tile
      for (let q = 0; q < m; q++) {
        const p = q * T
        const dRow = dSlab + q * inner + r0
        if (T === 4) {
          const w0 = w[p], w1 = w[p + 1], w2 = w[p + 2], w3 = w[p + 3]
          const a0 = idx[p] * bw, a1 = idx[p + 1] * bw, a2 = idx[p + 2] * bw, a3 = idx[p + 3] * bw
          for (let r = 0; r < bw; r++) dst[dRow + r] = w0 * tile[a0 + r] + w1 * tile[a1 + r] + w2 * tile[a2 + r] + w3 * tile[a3 + r]
        } else {
          const w0 = w[p], w1 = w[p + 1]
          const a0 = idx[p] * bw, a1 = idx[p + 1] * bw
          for (let r = 0; r < bw; r++) dst[dRow + r] = w0 * tile[a0 + r] + w1 * tile[a1 + r]
        }
      }
    }
  }
}

/**
 * Cubic B-spline coefficients along the rows of a tile (n samples per column, bw columns,
 * row-major, columns independent), in place: gain 6, causal and anticausal first-order
 * recursions with pole sqrt(3) - 2 and mirror ("whole-sample symmetric") boundaries.
 */
export function prefilterTile(c: Float64Array, n: number, bw: number): void {
  const z = POLE
  if (n === 1) return // a single sample is its own coefficient (ITK leaves it unchanged)
  const total = n * bw
  for (let i = 0; i < total; i++) c[i] *= 6
  // causal initial value: sum_k z^k c[k], over the mirrored signal (exact) or truncated
  // where z^k falls below 1e-10 (ITK's tolerance)
  const horizon = Math.ceil(Math.log(1e-10) / Math.log(Math.abs(z)))
  if (horizon < n) {
    let zk = z
    for (let k = 1; k < horizon; k++) {
      const row = k * bw
      for (let r = 0; r < bw; r++) c[r] += zk * c[row + r]
      zk *= z
    }
  } else {
    const period = 2 * n - 2
    let zk = z
    for (let k = 1; k < period; k++) {
      const row = (k < n ? k : period - k) * bw
      for (let r = 0; r < bw; r++) c[r] += zk * c[row + r]
      zk *= z
    }
    // zk is now z^period
    const norm = 1 / (1 - zk)
    for (let r = 0; r < bw; r++) c[r] *= norm
  }
  for (let k = 1; k < n; k++) {
    const row = k * bw, prev = row - bw
    for (let r = 0; r < bw; r++) c[row + r] += z * c[prev + r]
  }
  const lastRow = (n - 1) * bw, prevRow = (n - 2) * bw
  const g = z / (z * z - 1)
  for (let r = 0; r < bw; r++) c[lastRow + r] = g * (c[lastRow + r] + z * c[prevRow + r])
  for (let k = n - 2; k >= 0; k--) {
    const row = k * bw, next = row + bw
    for (let r = 0; r < bw; r++) c[row + r] = z * (c[next + r] - c[row + r])
  }
}

export function applyDefault(out: PixelArray, outDims: number[], axes: AxisTaps[], value: number): void {
  const [mx, my, mz] = outDims
  const vx = axes[0].valid, vy = axes[1].valid, vz = axes[2].valid
  let allX = true
  for (let i = 0; i < mx; i++) if (!vx[i]) allX = false
  for (let k = 0; k < mz; k++) {
    for (let j = 0; j < my; j++) {
      const row = (k * my + j) * mx
      if (!vz[k] || !vy[j]) out.fill(value, row, row + mx)
      else if (!allX) for (let i = 0; i < mx; i++) if (!vx[i]) out[row + i] = value
    }
  }
}

// ---------------------------------------------------------------------------------------------
// General path (output axes oblique to the input axes): one point at a time.

function resampleGeneral(
  input: PixelArray, inDims: number[], A: number[], a: number[], kind: Interpolator,
  out: PixelArray, outDims: number[], r: Range, defaultValue: number,
): void {
  const [nx, ny, nz] = inDims
  const nxy = nx * ny
  const [mx, my, mz] = outDims
  let coeff: ArrayLike<number> = input
  if (kind === 'bspline') {
    const c = Float64Array.from(input as ArrayLike<number>)
    for (let d = 0; d < 3; d++) prefilterAxisInPlace(c, inDims, d)
    coeff = c
  }
  const ix = new Int32Array(4), iy = new Int32Array(4), iz = new Int32Array(4)
  const wx = new Float64Array(4), wy = new Float64Array(4), wz = new Float64Array(4)
  const lo = -0.5
  let p = 0
  for (let k = 0; k < mz; k++) {
    for (let j = 0; j < my; j++) {
      const bx = a[0] + A[1] * j + A[2] * k
      const by = a[1] + A[4] * j + A[5] * k
      const bz = a[2] + A[7] * j + A[8] * k
      for (let i = 0; i < mx; i++, p++) {
        const x = bx + A[0] * i, y = by + A[3] * i, z = bz + A[6] * i
        if (!(x >= lo && x < nx - 0.5 && y >= lo && y < ny - 0.5 && z >= lo && z < nz - 0.5)) {
          out[p] = defaultValue
          continue
        }
        let v: number
        if (kind === 'nearest') {
          v = input[Math.floor(z + 0.5) * nxy + Math.floor(y + 0.5) * nx + Math.floor(x + 0.5)]
        } else if (kind === 'linear') {
          linearTaps(x, nx, ix, wx)
          linearTaps(y, ny, iy, wy)
          linearTaps(z, nz, iz, wz)
          v = 0
          for (let c = 0; c < 2; c++) {
            if (wz[c] === 0) continue
            for (let b = 0; b < 2; b++) {
              const wyz = wz[c] * wy[b]
              if (wyz === 0) continue
              const row = iz[c] * nxy + iy[b] * nx
              v += wyz * (wx[0] * input[row + ix[0]] + wx[1] * input[row + ix[1]])
            }
          }
        } else {
          cubicTaps(x, nx, ix, wx)
          cubicTaps(y, ny, iy, wy)
          cubicTaps(z, nz, iz, wz)
          v = 0
          for (let c = 0; c < 4; c++) {
            const plane = iz[c] * nxy
            for (let b = 0; b < 4; b++) {
              const row = plane + iy[b] * nx
              v += wz[c] * wy[b] * (wx[0] * coeff[row + ix[0]] + wx[1] * coeff[row + ix[1]] + wx[2] * coeff[row + ix[2]] + wx[3] * coeff[row + ix[3]])
            }
          }
        }
        out[p] = r.integer ? toType(v, r) : v
      }
    }
  }
}

/** LinearInterpolateImageFunction's taps: base index clamped to the image, none past the end. Written at idx[p..p+1]. */
function linearTaps(x: number, n: number, idx: Int32Array, w: Float64Array, p = 0): void {
  let i0 = Math.floor(x)
  let t = x - i0
  if (i0 < 0) {
    i0 = 0
    t = 0
  }
  if (i0 >= n - 1) {
    i0 = n - 1
    t = 0
  }
  idx[p] = i0
  idx[p + 1] = i0 + 1 < n ? i0 + 1 : n - 1
  w[p] = 1 - t
  w[p + 1] = t
}

/** Cubic B-spline taps floor(x)-1 .. floor(x)+2 with mirrored indices. Written at idx[p..p+3]. */
function cubicTaps(x: number, n: number, idx: Int32Array, w: Float64Array, p = 0): void {
  const f = Math.floor(x)
  const t = x - f
  const t2 = t * t, t3 = t2 * t
  const u = 1 - t
  w[p] = (u * u * u) / 6
  w[p + 1] = (3 * t3 - 6 * t2 + 4) / 6
  w[p + 2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6
  w[p + 3] = t3 / 6
  for (let k = 0; k < 4; k++) idx[p + k] = mirrorIndex(f - 1 + k, n)
}

/** B-spline coefficients along one axis of a float64 volume, in place (tiles of neighbouring lines). */
export function prefilterAxisInPlace(c: Float64Array, dims: number[], axis: number): void {
  const n = dims[axis]
  if (n === 1) return // a single sample is its own coefficient
  let inner = 1
  for (let d = 0; d < axis; d++) inner *= dims[d]
  let outer = 1
  for (let d = axis + 1; d < 3; d++) outer *= dims[d]
  const B = Math.min(inner, Math.max(16, Math.floor(32768 / n)))
  const tile = new Float64Array(n * B)
  for (let o = 0; o < outer; o++) {
    const slab = o * n * inner
    for (let r0 = 0; r0 < inner; r0 += B) {
      const bw = Math.min(B, inner - r0)
      for (let q = 0; q < n; q++) {
        const row = slab + q * inner + r0
        for (let r = 0; r < bw; r++) tile[q * bw + r] = c[row + r]
      }
      prefilterTile(tile, n, bw)
      for (let q = 0; q < n; q++) {
        const row = slab + q * inner + r0
        for (let r = 0; r < bw; r++) c[row + r] = tile[q * bw + r]
      }
    }
  }
}
