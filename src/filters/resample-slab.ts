// Resampling one output slab at a time, for chunk workers: the separable form of resample.ts
// split in two phases so that every slab gives exactly what one slab over the whole volume gives.
//
// Why two phases: nearest and linear taps read at most two input slices per output slice, so
// an output slab maps to a short input slab range and is exact. The cubic B-spline needs its
// coefficients first, and the prefilter along k is recursive over the whole column (infinite
// support): a halo would only approximate it (|pole|^d decay, ~1e-9 at 16 slices). Instead:
//   phase 1 (global, once): B-spline coefficients along k only (float64, a 1-D recursion per
//            column, cheap next to the interpolation), cut into input slabs;
//   phase 2 (per slab):     the k taps on the coefficient slab, then prefilter + taps along i
//            and j inside each slice (those lines never cross a slab border).
// The separable operators commute, so this is the same tensor-product B-spline as resample();
// every output voxel goes through the same float64 operations in the same order whatever the
// slab sizes, so chunked output is bit-identical to one slab, for integer and float outputs.
// Against resample() on the whole image (prefilter of every axis before the taps of the next)
// only the float64 operation order differs: agreement within 1e-6 of the data range.
// Only grids whose axes map one-to-one onto the input axes (isSeparable) are supported; the
// pipeline's isotropic grids keep the input direction, so they always are.
import { indexToPhysical } from '../image/geometry.js'
import { type ComponentType, type Grid, type Image, allocatePixels, makeImage, pixelsOf } from '../image/image.js'
import {
  type AxisTaps, type Interpolator, applyDefault, axisPass, axisTaps, convertInto, indexMap, isSeparable, nearestSeparable, prefilterAxisInPlace, rangeOf, toType,
} from './resample.js'

/** Everything a slab worker needs besides its source slab (small JSON, stored once per case). */
export interface SlabResamplePlan {
  interpolator: Interpolator
  inputGrid: Grid
  outputGrid: Grid
  defaultValue: number
  outputType: ComponentType
  /** Phase 1 ran: the source holds B-spline coefficients along k instead of samples. */
  coefficientsAlongK: boolean
}

export interface SlabResampleOptions {
  interpolator: Interpolator
  defaultValue?: number
  outputType?: ComponentType
}

/** Whether the output grid can be resampled slab by slab (axes map one-to-one). */
export function canResampleInSlabs(inputGrid: Grid, outputGrid: Grid): boolean {
  const { A } = indexMap(inputGrid, outputGrid)
  return isSeparable(A, outputGrid.size)
}

export function slabResamplePlan(inputGrid: Grid, outputGrid: Grid, options: SlabResampleOptions): SlabResamplePlan {
  if (!canResampleInSlabs(inputGrid, outputGrid)) throw new Error('resample-slab: the output axes are oblique to the input axes; resample the whole image')
  const plan: SlabResamplePlan = {
    interpolator: options.interpolator,
    inputGrid,
    outputGrid,
    defaultValue: options.defaultValue ?? 0,
    outputType: options.outputType ?? 'float32',
    coefficientsAlongK: false,
  }
  // Along an identity k axis (same slices) no taps run, so no coefficients are wanted either.
  plan.coefficientsAlongK = options.interpolator === 'bspline' && inputGrid.size[2] > 1 && !globalTaps(plan)[2].identity
  return plan
}

/** Phase 1: what the slabs are cut from (coefficients along k for B-spline, else the image). */
export function resampleSource(image: Image, plan: SlabResamplePlan): Image {
  if (!plan.coefficientsAlongK) return image
  const c = Float64Array.from(pixelsOf(image) as ArrayLike<number>)
  prefilterAxisInPlace(c, [image.size[0], image.size[1], image.size[2]], 2)
  return makeImage(plan.inputGrid, c, image.name)
}

/** Input slices [z0, z1) the output slices [k0, k1) read (at least one slice). */
export function sourceSlicesFor(plan: SlabResamplePlan, k0: number, k1: number): [number, number] {
  const taps = globalTaps(plan)[2]
  if (taps.identity) return [k0, k1]
  let lo = Infinity
  let hi = -Infinity
  for (let o = k0; o < k1; o++) {
    if (!taps.valid[o]) continue
    for (let t = 0; t < taps.T; t++) {
      const i = taps.idx[o * taps.T + t]
      if (i < lo) lo = i
      if (i > hi) hi = i
    }
  }
  return lo > hi ? [0, 1] : [lo, hi + 1]
}

/** Phase 2: output slices [k0, k1) from the source's slices [z0, z0 + source depth). */
export function resampleSlab(source: Image, z0: number, plan: SlabResamplePlan, k0: number, k1: number): Image {
  const { outputGrid } = plan
  const depth = source.size[2]
  const [want0, want1] = sourceSlicesFor(plan, k0, k1)
  if (want0 < z0 || want1 > z0 + depth) throw new Error(`resample-slab: output slices [${k0}, ${k1}) need input slices [${want0}, ${want1}), the source holds [${z0}, ${z0 + depth})`)
  const global = globalTaps(plan)
  const axes = [global[0], global[1], sliceTaps(global[2], k0, k1, z0)]
  const inDims = [plan.inputGrid.size[0], plan.inputGrid.size[1], depth]
  const outDims = [outputGrid.size[0], outputGrid.size[1], k1 - k0]
  const range = rangeOf(plan.outputType)
  const out = allocatePixels(plan.outputType, outDims[0] * outDims[1] * outDims[2])
  const input = pixelsOf(source)
  if (plan.interpolator === 'nearest') {
    nearestSeparable(input, inDims, axes, out, range)
  } else {
    // The pass order comes from the whole grids, never from the slab, so it is the same for
    // every slab (shrinking axes first keeps the intermediates small).
    const order = [0, 1, 2].filter((d) => !global[d].identity).sort((p, q) => global[p].m / global[p].n - global[q].m / global[q].n || p - q)
    const dims = [...inDims]
    let cur: ArrayLike<number> = input
    for (let s = 0; s < order.length; s++) {
      const d = order[s]
      const count = ((dims[0] * dims[1] * dims[2]) / dims[d]) * axes[d].m
      const dst = s === order.length - 1 && !range.integer ? out : new Float64Array(count)
      // along k the coefficients are ready (phase 1); along i and j the lines lie in one slice
      const prefilter = plan.interpolator === 'bspline' && d !== 2
      axisPass(cur, dims, d, axes[d], prefilter, dst as Float64Array)
      dims[d] = axes[d].m
      cur = dst
    }
    if (cur !== out) convertInto(cur, out, range)
  }
  applyDefault(out, outDims, axes, toType(plan.defaultValue, range))
  return makeImage({ ...outputGrid, size: outDims, origin: indexToPhysical(outputGrid, [0, 0, k0]) }, out)
}

function globalTaps(plan: SlabResamplePlan): AxisTaps[] {
  const { A, a } = indexMap(plan.inputGrid, plan.outputGrid)
  return [0, 1, 2].map((d) => axisTaps(plan.interpolator, plan.inputGrid.size[d], plan.outputGrid.size[d], a[d], A[d * 3 + d]))
}

/** The k taps of output slices [k0, k1), indices moved into a source slab starting at z0. */
function sliceTaps(taps: AxisTaps, k0: number, k1: number, z0: number): AxisTaps {
  const { T } = taps
  const m = k1 - k0
  const idx = new Int32Array(m * T)
  const w = new Float64Array(m * T)
  const valid = taps.valid.slice(k0, k1)
  for (let o = 0; o < m; o++) {
    if (!valid[o]) continue // weight 0 at index 0; the default value overwrites it
    for (let t = 0; t < T; t++) {
      idx[o * T + t] = taps.idx[(k0 + o) * T + t] - z0
      w[o * T + t] = taps.w[(k0 + o) * T + t]
    }
  }
  return { n: taps.n, m, identity: taps.identity, T, idx, w, valid }
}
