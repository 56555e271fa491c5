// Separable cubic B-spline resampling in two phases (the kernel of resample.ts's B-spline path
// when the output axes map one-to-one onto the input axes), so that no float64 volume is held:
// (1) each input slice on its own: prefilter + taps along x, then along y, into an
//     in-plane volume `mid` (output x/y size, input z size);
// (2) after a barrier, blocks of (x, y) columns of `mid`: prefilter + taps along z, converted
//     straight into the output (default value where a position maps outside the input).
// Every slice of phase 1 and every column of phase 2 is independent, so both phases pull work
// items from a shared counter and run on the calling thread and the filter thread pool
// (filter-threads.ts) with the same result. The three prefilters and taps commute (they act on
// different axes), so the result equals the whole-volume passes up to float64 rounding. `mid` is
// float64 for integer outputs, so they round exactly as the chunked path (resample-slab.ts);
// float32 (the default for float32 outputs, ResampleOptions.intermediate) halves it: rounding of
// relative 6e-8 (about 2e-4 HU on CT values), far below the 1e-3 tolerance against ITK, but int16
// outputs would then differ by 1 from the chunked path where a value lies within that of a half.
// Memory: the input, `mid` (8 or 4 bytes per in-plane output voxel per input slice), the output,
// and per thread one float64 slice and one column tile.
import type { PixelArray } from '../image/image.js'
import { prefilterTile } from './resample.js'

/** Taps of one axis: output position o reads idx[4o .. 4o + 3] with weights w[4o .. 4o + 3]. */
export interface CubicAxisTaps {
  n: number
  m: number
  identity: boolean
  idx: Int32Array
  w: Float64Array
  valid: Uint8Array
}

export interface BsplineSlicesArgs {
  input: PixelArray
  /** In-plane results: output x/y size, input z size. */
  mid: Float64Array | Float32Array
  out: PixelArray
  inDims: [number, number, number]
  axes: [CubicAxisTaps, CubicAxisTaps, CubicAxisTaps]
  defaultValue: number
  /** Integer output: rounded, clamped to [lo, hi], NaN -> 0 (as toType in resample.ts). */
  integer: boolean
  lo: number
  hi: number
  /** Input slices per phase-1 work item, columns per phase-2 work item. */
  slab: number
  columns: number
  /** [next slab, slices done, next column block] */
  sync: Int32Array
}

export function bsplineSlicesKernel(args: BsplineSlicesArgs): void {
  const { input, mid, inDims, axes, slab, sync } = args
  const [tx, ty] = axes
  const [nx, ny, nz] = inDims
  const mx = tx.m, my = ty.m
  // phase 1: in-plane passes, slice by slice
  const rowsX = new Float64Array(mx * ny)
  const line = new Float64Array(nx)
  for (;;) {
    const z0 = Atomics.add(sync, 0, 1) * slab
    if (z0 >= nz) break
    const z1 = Math.min(nz, z0 + slab)
    for (let z = z0; z < z1; z++) {
      sliceAlongX(input, z * nx * ny, nx, ny, tx, line, rowsX)
      sliceAlongY(rowsX, mx, ny, ty, mid, z * mx * my)
    }
    if (Atomics.add(sync, 1, z1 - z0) + (z1 - z0) >= nz) Atomics.notify(sync, 1)
  }
  // barrier: every slice of `mid` must be done before any column is read
  for (let done = Atomics.load(sync, 1), waited = 0; done < nz; done = Atomics.load(sync, 1)) {
    if (waited++ > 600) throw new Error('resample (B-spline): a thread did not finish its slices')
    Atomics.wait(sync, 1, done, 1000)
  }
  // phase 2: along z, column blocks
  const plane = mx * my
  const tile = new Float64Array(nz * args.columns)
  const vals = new Float64Array(args.columns)
  const outside = new Int32Array(args.columns)
  for (;;) {
    const c0 = Atomics.add(sync, 2, 1) * args.columns
    if (c0 >= plane) break
    columnsAlongZ(args, c0, Math.min(plane, c0 + args.columns), tile, vals, outside)
  }
}

/** x pass of input slice at `off`: each row prefiltered and tapped into rowsX (mx per row). */
function sliceAlongX(input: PixelArray, off: number, nx: number, ny: number, tx: CubicAxisTaps, line: Float64Array, rowsX: Float64Array): void {
  const mx = tx.m
  const { idx, w } = tx
  for (let y = 0; y < ny; y++) {
    const s = off + y * nx, d = y * mx
    if (tx.identity) {
      for (let i = 0; i < mx; i++) rowsX[d + i] = input[s + i]
      continue
    }
    for (let q = 0; q < nx; q++) line[q] = input[s + q]
    prefilterTile(line, nx, 1)
    for (let i = 0, p = 0; i < mx; i++, p += 4) {
      rowsX[d + i] = w[p] * line[idx[p]] + w[p + 1] * line[idx[p + 1]] + w[p + 2] * line[idx[p + 2]] + w[p + 3] * line[idx[p + 3]]
    }
  }
}

/** y pass: rowsX (ny rows of mx) prefiltered along y in place, tapped into mid[off ..] (my rows). */
function sliceAlongY(rowsX: Float64Array, mx: number, ny: number, ty: CubicAxisTaps, mid: Float64Array | Float32Array, off: number): void {
  if (ty.identity) {
    for (let i = 0; i < mx * ny; i++) mid[off + i] = rowsX[i]
    return
  }
  // rows of mx values are exactly prefilterTile's layout (n = ny samples, bw = mx columns)
  prefilterTile(rowsX, ny, mx)
  const { idx, w } = ty
  for (let j = 0, p = 0; j < ty.m; j++, p += 4) {
    const w0 = w[p], w1 = w[p + 1], w2 = w[p + 2], w3 = w[p + 3]
    const a0 = idx[p] * mx, a1 = idx[p + 1] * mx, a2 = idx[p + 2] * mx, a3 = idx[p + 3] * mx
    const d = off + j * mx
    for (let i = 0; i < mx; i++) mid[d + i] = w0 * rowsX[a0 + i] + w1 * rowsX[a1 + i] + w2 * rowsX[a2 + i] + w3 * rowsX[a3 + i]
  }
}

/**
 * Columns [c0, c1) of the output plane: gathered from mid (nz rows of bw values: contiguous
 * reads per slice), prefiltered along z, tapped, converted and written one output slice row
 * piece at a time; positions outside the input get the default value.
 */
function columnsAlongZ(args: BsplineSlicesArgs, c0: number, c1: number, tile: Float64Array, vals: Float64Array, outside: Int32Array): void {
  const { mid, out, axes, defaultValue, integer, lo, hi } = args
  const [tx, ty, tz] = axes
  const nz = args.inDims[2]
  const mx = tx.m
  const plane = mx * ty.m
  const bw = c1 - c0
  // columns whose x or y maps outside the input
  let nOutside = 0
  for (let r = 0; r < bw; r++) {
    const c = c0 + r
    const j = (c / mx) | 0
    if (!ty.valid[j] || !tx.valid[c - j * mx]) outside[nOutside++] = r
  }
  for (let q = 0; q < nz; q++) {
    const s = q * plane + c0, t = q * bw
    for (let r = 0; r < bw; r++) tile[t + r] = mid[s + r]
  }
  if (!tz.identity) prefilterTile(tile, nz, bw)
  const { idx, w } = tz
  for (let k = 0; k < tz.m; k++) {
    const d = k * plane + c0
    if (!tz.valid[k]) {
      out.fill(defaultValue, d, d + bw)
      continue
    }
    if (tz.identity) {
      for (let r = 0; r < bw; r++) vals[r] = tile[k * bw + r]
    } else {
      const p = 4 * k
      const w0 = w[p], w1 = w[p + 1], w2 = w[p + 2], w3 = w[p + 3]
      const a0 = idx[p] * bw, a1 = idx[p + 1] * bw, a2 = idx[p + 2] * bw, a3 = idx[p + 3] * bw
      for (let r = 0; r < bw; r++) vals[r] = w0 * tile[a0 + r] + w1 * tile[a1 + r] + w2 * tile[a2 + r] + w3 * tile[a3 + r]
    }
    if (integer) {
      for (let r = 0; r < bw; r++) {
        const v = vals[r]
        out[d + r] = v <= lo ? lo : v >= hi ? hi : v !== v ? 0 : Math.round(v)
      }
    } else {
      for (let r = 0; r < bw; r++) out[d + r] = vals[r]
    }
    for (let u = 0; u < nOutside; u++) out[d + outside[u]] = defaultValue
  }
}
