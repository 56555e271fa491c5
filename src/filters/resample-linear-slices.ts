// Separable linear resampling done one output slice at a time (the kernel of resample.ts's
// linear path): each input slice the z taps need is resampled in-plane (x, then y) once into a
// float64 slice buffer, and an output slice is the weighted sum of two such slices, converted
// straight into the output array. Compared with three whole-volume passes this never holds a
// float64 volume (memory: two slices per thread) and reads and writes every array contiguously.
// Work items are runs of consecutive output slices, so it runs on worker threads as is
// (filter-threads.ts): the output is then a SharedArrayBuffer view. The input is not copied
// whole into shared memory (100 MB more for a 512x512x200 int16 CT, the peak over 3x the
// float32 volume): the items are cut into one range per thread, each worker gets a shared copy
// of just the input slices its range reads (together (threads - 1) / threads of the input, or
// views when the input is already shared) and claims its items from the top of its range down,
// while the calling thread, which reads the caller's input itself, does its own range and then
// claims the other ranges' items from the bottom up until it meets each worker (a late or busy
// worker is not waited for). An item is claimed by compare-and-swap, so each runs once.
// Same arithmetic as ITK's LinearInterpolateImageFunction up to the order of the float64 sums.
// Float32 output runs the in-plane and z steps in WebAssembly SIMD (resample-linear-blend-simd.ts,
// the same operations; ~4x less CPU to 1 mm); other outputs keep the JavaScript loops below.
import { componentTypeOf, type PixelArray } from '../image/image.js'
import { SimdSliceBlender } from './resample-linear-blend-simd.js'

/** Taps of one axis: output position o reads idx[2o], idx[2o + 1] with weights w[2o], w[2o + 1]. */
export interface LinearAxisTaps {
  m: number
  identity: boolean
  idx: Int32Array
  w: Float64Array
  valid: Uint8Array
}

export interface LinearSlicesArgs {
  /** Input slices for each thread (index 0: the calling thread's, usually the whole input). */
  inputs: PixelArray[]
  /** The first input slice each of `inputs` holds. */
  firstSlices: number[]
  out: PixelArray
  inDims: [number, number, number]
  axes: [LinearAxisTaps, LinearAxisTaps, LinearAxisTaps]
  defaultValue: number
  /** Integer output: rounded, clamped to [lo, hi], NaN -> 0 (as toType in resample.ts). */
  integer: boolean
  lo: number
  hi: number
  /** Output slices per work item. */
  block: number
  /** First item of each thread's range, and the end of the last range (threads + 1 numbers). */
  rangeStarts: number[]
  /** Per item: 0 free, 1 claimed. */
  claimed: Int32Array
  /** [worker threads that have started]: a worker's number is 1 + its place here. */
  started: Int32Array
  /** This thread's number: 0 for the calling thread (set by the caller), else from `started`. */
  thread?: number
}

export function linearSlicesKernel(args: LinearSlicesArgs): void {
  const { out, inDims, axes, defaultValue, integer, lo, hi, block, rangeStarts, claimed } = args
  const me = args.thread ?? 1 + Atomics.add(args.started, 0, 1)
  if (me >= args.inputs.length) return
  const input = args.inputs[me], firstSlice = args.firstSlices[me]
  const [tx, ty, tz] = axes
  const [nx, ny] = inDims
  const mx = tx.m, my = ty.m, mz = tz.m
  const planeOut = mx * my
  const ring: RowRing = { rows: [new Float64Array(mx), new Float64Array(mx)], y: new Int32Array(2) }
  // two cached in-plane slices: the two input slices the current output slice blends (float32
  // output: inside the SIMD blender's memory, which blends them)
  const simd = out instanceof Float32Array ? new SimdSliceBlender(planeOut, componentTypeOf(input)) : undefined
  // the in-plane step there too when both in-plane axes have taps (else it is a plain copy/pass)
  const simdInPlane = simd !== undefined && !tx.identity && !ty.identity
  if (simdInPlane) simd.setRowTaps(mx, tx.idx, tx.w, nx * ny, input.BYTES_PER_ELEMENT)
  const slots = simd ? simd.slots : [new Float64Array(planeOut), new Float64Array(planeOut)]
  const simdRing = new Int32Array(2)
  /** Ring row holding input row y x-resampled (made into the row not holding `keep`). */
  const simdRow = (y: number, keep: number): number => {
    if (simdRing[0] === y) return 0
    if (simdRing[1] === y) return 1
    const r = simdRing[0] === keep ? 1 : 0
    simd!.row(r, y, nx)
    simdRing[r] = y
    return r
  }
  const simdSliceXY = (off: number, s: number): void => {
    simd!.loadSlice(input.subarray(off, off + nx * ny))
    simdRing[0] = simdRing[1] = -1
    for (let j = 0; j < my; j++) {
      const w0 = ty.w[2 * j], w1 = ty.w[2 * j + 1]
      const a = simdRow(ty.idx[2 * j], -1)
      simd!.yRow(s, j, a, w0, w1 === 0 ? a : simdRow(ty.idx[2 * j + 1], ty.idx[2 * j]), w1)
    }
  }
  const slotZ = [-1, -1]
  const blend = new Float64Array(mx)
  let allX = true
  for (let i = 0; i < mx; i++) if (!tx.valid[i]) allX = false

  const inPlane = (z: number, keep: number): Float64Array => {
    if (slotZ[0] === z) return slots[0]
    if (slotZ[1] === z) return slots[1]
    const s = slotZ[0] === keep ? 1 : 0
    if (simdInPlane) simdSliceXY((z - firstSlice) * nx * ny, s)
    else resampleSliceXY(input, (z - firstSlice) * nx * ny, nx, tx, ty, ring, slots[s])
    slotZ[s] = z
    return slots[s]
  }

  const runItem = (item: number): void => {
    const k1 = Math.min(mz, (item + 1) * block)
    for (let k = item * block; k < k1; k++) {
      const base = k * planeOut
      if (!tz.valid[k]) {
        out.fill(defaultValue, base, base + planeOut)
        continue
      }
      const z0 = tz.idx[2 * k], z1 = tz.idx[2 * k + 1]
      const w0 = tz.w[2 * k], w1 = tz.w[2 * k + 1]
      const a = inPlane(z0, -1)
      const b = w1 !== 0 && z1 !== z0 ? inPlane(z1, z0) : a
      const wa = b === a ? w0 + w1 : w0
      if (!integer) {
        // float output: the whole slice in one loop, straight into it (a view from 0, one
        // contiguous run); rows and columns outside the input get the default value afterwards
        const o = out.subarray(base, base + planeOut)
        if (simd) {
          const sa = a === slots[0] ? 0 : 1
          o.set(b === a ? simd.scale(sa, wa) : simd.blend(sa, w0, 1 - sa, w1))
        } else if (b === a) for (let i = 0; i < planeOut; i++) o[i] = wa * a[i]
        else for (let i = 0; i < planeOut; i++) o[i] = w0 * a[i] + w1 * b[i]
        for (let j = 0; j < my; j++) {
          if (!ty.valid[j]) o.fill(defaultValue, j * mx, j * mx + mx)
          else if (!allX) for (let i = 0; i < mx; i++) if (!tx.valid[i]) o[j * mx + i] = defaultValue
        }
        continue
      }
      for (let j = 0; j < my; j++) {
        const row = base + j * mx
        if (!ty.valid[j]) {
          out.fill(defaultValue, row, row + mx)
          continue
        }
        const r = j * mx
        if (b === a) for (let i = 0; i < mx; i++) blend[i] = wa * a[r + i]
        else for (let i = 0; i < mx; i++) blend[i] = w0 * a[r + i] + w1 * b[r + i]
        for (let i = 0; i < mx; i++) {
          const v = blend[i]
          out[row + i] = v <= lo ? lo : v >= hi ? hi : v !== v ? 0 : Math.round(v)
        }
        if (!allX) for (let i = 0; i < mx; i++) if (!tx.valid[i]) out[row + i] = defaultValue
      }
    }
  }

  const claim = (item: number): boolean => Atomics.compareExchange(claimed, item, 0, 1) === 0
  if (me > 0) {
    // a worker: its own range from the top down, until the calling thread has met it
    for (let item = rangeStarts[me + 1] - 1; item >= rangeStarts[me] && claim(item); item--) runItem(item)
    return
  }
  // the calling thread: every range from the bottom up (its own is never claimed by others)
  for (let r = 0; r + 1 < rangeStarts.length; r++) {
    for (let item = rangeStarts[r]; item < rangeStarts[r + 1] && claim(item); item++) runItem(item)
  }
}

/**
 * Input slice at `off` -> x taps -> y taps -> dst (mx * my, float64). The x-resampled input rows
 * are made when an output row first needs them, into a ring of two rows that stays in L1 cache
 * (the y taps of consecutive output rows move forward through the input rows).
 */
function resampleSliceXY(input: PixelArray, off: number, nx: number, tx: LinearAxisTaps, ty: LinearAxisTaps, ring: RowRing, dst: Float64Array): void {
  const mx = tx.m, my = ty.m
  if (ty.identity) {
    for (let j = 0; j < my; j++) resampleRowX(input, off + j * nx, tx, dst, j * mx)
    return
  }
  ring.y[0] = ring.y[1] = -1
  for (let j = 0; j < my; j++) {
    const w0 = ty.w[2 * j], w1 = ty.w[2 * j + 1]
    const a = rowOf(input, off, nx, tx, ring, ty.idx[2 * j], -1)
    const d = j * mx
    if (w1 === 0) for (let i = 0; i < mx; i++) dst[d + i] = w0 * a[i]
    else {
      const b = rowOf(input, off, nx, tx, ring, ty.idx[2 * j + 1], ty.idx[2 * j])
      for (let i = 0; i < mx; i++) dst[d + i] = w0 * a[i] + w1 * b[i]
    }
  }
}

/** Two x-resampled input rows and the row index each holds (-1: none). */
export interface RowRing {
  rows: [Float64Array, Float64Array]
  y: Int32Array
}

/** Input row y of the slice at `off`, x-resampled: from the ring, or made into the slot not holding row `keep`. */
function rowOf(input: PixelArray, off: number, nx: number, tx: LinearAxisTaps, ring: RowRing, y: number, keep: number): Float64Array {
  if (ring.y[0] === y) return ring.rows[0]
  if (ring.y[1] === y) return ring.rows[1]
  const s = ring.y[0] === keep ? 1 : 0
  resampleRowX(input, off + y * nx, tx, ring.rows[s], 0)
  ring.y[s] = y
  return ring.rows[s]
}

/** x taps of the input row starting at `s` -> dst[d .. d + mx). */
function resampleRowX(input: PixelArray, s: number, tx: LinearAxisTaps, dst: Float64Array, d: number): void {
  const mx = tx.m, ix = tx.idx, wx = tx.w
  if (tx.identity) for (let i = 0; i < mx; i++) dst[d + i] = input[s + i]
  else for (let i = 0, p = 0; i < mx; i++, p += 2) dst[d + i] = wx[p] * input[s + ix[p]] + wx[p + 1] * input[s + ix[p + 1]]
}
