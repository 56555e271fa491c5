// Separable linear resampling done one output slice at a time (the kernel of resample.ts's
// linear path): each input slice the z taps need is resampled in-plane (x, then y) once into a
// float64 slice buffer, and an output slice is the weighted sum of two such slices, converted
// straight into the output array. Compared with three whole-volume passes this never holds a
// float64 volume (memory: two slices per thread) and reads and writes every array contiguously.
// Work items are runs of consecutive output slices, so it runs on worker threads as is
// (filter-threads.ts): the arrays are then SharedArrayBuffer views.
// Same arithmetic as ITK's LinearInterpolateImageFunction up to the order of the float64 sums.
import type { PixelArray } from '../image/image.js'

/** Taps of one axis: output position o reads idx[2o], idx[2o + 1] with weights w[2o], w[2o + 1]. */
export interface LinearAxisTaps {
  m: number
  identity: boolean
  idx: Int32Array
  w: Float64Array
  valid: Uint8Array
}

export interface LinearSlicesArgs {
  input: PixelArray
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
  /** [next work item] */
  sync: Int32Array
}

export function linearSlicesKernel(args: LinearSlicesArgs): void {
  const { input, out, inDims, axes, defaultValue, integer, lo, hi, block, sync } = args
  const [tx, ty, tz] = axes
  const [nx, ny] = inDims
  const mx = tx.m, my = ty.m, mz = tz.m
  const planeOut = mx * my
  const rowsX = new Float64Array(mx * ny)
  // two cached in-plane slices: the two input slices the current output slice blends
  const slots = [new Float64Array(planeOut), new Float64Array(planeOut)]
  const slotZ = [-1, -1]
  const blend = new Float64Array(mx)
  let allX = true
  for (let i = 0; i < mx; i++) if (!tx.valid[i]) allX = false

  const inPlane = (z: number, keep: number): Float64Array => {
    if (slotZ[0] === z) return slots[0]
    if (slotZ[1] === z) return slots[1]
    const s = slotZ[0] === keep ? 1 : 0
    resampleSliceXY(input, z * nx * ny, nx, ny, tx, ty, rowsX, slots[s])
    slotZ[s] = z
    return slots[s]
  }

  for (;;) {
    const k0 = Atomics.add(sync, 0, 1) * block
    if (k0 >= mz) break
    const k1 = Math.min(mz, k0 + block)
    for (let k = k0; k < k1; k++) {
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
      for (let j = 0; j < my; j++) {
        const row = base + j * mx
        if (!ty.valid[j]) {
          out.fill(defaultValue, row, row + mx)
          continue
        }
        const r = j * mx
        if (!integer) {
          // float output: blend straight into it
          if (b === a) for (let i = 0; i < mx; i++) out[row + i] = wa * a[r + i]
          else for (let i = 0; i < mx; i++) out[row + i] = w0 * a[r + i] + w1 * b[r + i]
        } else {
          if (b === a) for (let i = 0; i < mx; i++) blend[i] = wa * a[r + i]
          else for (let i = 0; i < mx; i++) blend[i] = w0 * a[r + i] + w1 * b[r + i]
          for (let i = 0; i < mx; i++) {
            const v = blend[i]
            out[row + i] = v <= lo ? lo : v >= hi ? hi : v !== v ? 0 : Math.round(v)
          }
        }
        if (!allX) for (let i = 0; i < mx; i++) if (!tx.valid[i]) out[row + i] = defaultValue
      }
    }
  }
}

/** Input slice at `off` -> x taps -> y taps -> dst (mx * my, float64). */
function resampleSliceXY(
  input: PixelArray, off: number, nx: number, ny: number, tx: LinearAxisTaps, ty: LinearAxisTaps, rowsX: Float64Array, dst: Float64Array,
): void {
  const mx = tx.m, my = ty.m
  const ix = tx.idx, wx = tx.w
  for (let y = 0; y < ny; y++) {
    const s = off + y * nx, d = y * mx
    if (tx.identity) for (let i = 0; i < mx; i++) rowsX[d + i] = input[s + i]
    else for (let i = 0, p = 0; i < mx; i++, p += 2) rowsX[d + i] = wx[p] * input[s + ix[p]] + wx[p + 1] * input[s + ix[p + 1]]
  }
  if (ty.identity) {
    dst.set(rowsX.subarray(0, mx * my))
    return
  }
  for (let j = 0; j < my; j++) {
    const a = ty.idx[2 * j] * mx, b = ty.idx[2 * j + 1] * mx
    const w0 = ty.w[2 * j], w1 = ty.w[2 * j + 1]
    const d = j * mx
    if (w1 === 0) for (let i = 0; i < mx; i++) dst[d + i] = w0 * rowsX[a + i]
    else for (let i = 0; i < mx; i++) dst[d + i] = w0 * rowsX[a + i] + w1 * rowsX[b + i]
  }
}
