// Phase 1 of the slab-wise B-spline resampling (resample-slab.ts) on the filter threads: the
// cubic B-spline coefficients along k of every (i, j) column. Columns are independent, so blocks
// of neighbouring columns are handed out through a shared counter; every column goes through
// prefilterTile's float64 operations in the same order whatever the block or thread, so the
// result is bit-identical to prefilterAxisInPlace(Float64Array.from(pixels), dims, 2).
// It was the longest serial step of prepare (~1.5 s on a 512 x 512 x 141 CT).
import type { PixelArray } from '../image/image.js'
import { asShared, defaultThreadCount, runOnThreads, sharedCounter } from './filter-threads.js'
import { prefilterTile } from './resample.js'

interface CoefficientsArgs {
  input: PixelArray
  out: Float64Array
  /** Columns (nx * ny) and samples per column (nz). */
  columns: number
  n: number
  block: number
  counter: Int32Array
}

/** Coefficients along the last axis of an (nx, ny, nz) volume, as float64 in shared memory. */
export async function bsplineCoefficientsAlongK(pixels: PixelArray, dims: readonly number[], threads?: number): Promise<Float64Array> {
  const columns = dims[0] * dims[1]
  const n = dims[2]
  const out = new Float64Array(new SharedArrayBuffer(columns * n * 8))
  // the tile width prefilterAxisInPlace uses: a tile of ~256 KB stays in cache
  const block = Math.min(columns, Math.max(16, Math.floor(32768 / n)))
  const count = threads ?? (columns * n >= 1 << 21 ? defaultThreadCount() : 1)
  const args: CoefficientsArgs = { input: count > 1 ? asShared(pixels) : pixels, out, columns, n, block, counter: sharedCounter() }
  if (count > 1) await runOnThreads({ module: import.meta.url, name: 'coefficientsAlongKKernel', args }, count, coefficientsAlongKKernel)
  else coefficientsAlongKKernel(args)
  return out
}

/** Thread kernel: column blocks from the shared counter until none is left. */
export function coefficientsAlongKKernel({ input, out, columns, n, block, counter }: CoefficientsArgs): void {
  const tile = new Float64Array(n * block)
  for (;;) {
    const r0 = Atomics.add(counter, 0, 1) * block
    if (r0 >= columns) return
    const bw = Math.min(block, columns - r0)
    for (let q = 0; q < n; q++) {
      const row = q * columns + r0
      for (let r = 0; r < bw; r++) tile[q * bw + r] = input[row + r]
    }
    prefilterTile(tile, n, bw)
    for (let q = 0; q < n; q++) {
      const row = q * columns + r0
      for (let r = 0; r < bw; r++) out[row + r] = tile[q * bw + r]
    }
  }
}
