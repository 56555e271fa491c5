// Cubic B-spline coefficients along k for slab-wise resampling (resample-slab.ts, phase 1)
// without storing them: a chunk's source is its input slices in their own type plus two float64
// slices of recursion state, and the chunk worker finishes the recursion on its own slices.
// Why: the coefficients are float64 (4x an int16 CT), and writing them in prepare and reading
// them in every chunk was the largest part of prepare's serial time.
//
// The prefilter along k (prefilterTile in resample.ts: gain 6, causal c+[k] = 6 s[k] + z c+[k-1],
// last c[n-1] = z / (z^2 - 1) (c+[n-1] + z c+[n-2]), anticausal c[k] = z (c[k+1] - c+[k])) is
// recursive over the whole column, so a slab [z0, z1) needs the causal value c+[z0] and the
// finished coefficient c[z1 - 1] from outside; between them its own samples give every value
// through the same float64 operations in the same order, so the coefficients are bit-identical
// to prefilterTile's. Prepare runs the recursion on bands of 1024 neighbouring columns (a band's
// columns stay in cache) and keeps only the border slices.
import type { PixelArray } from '../image/image.js'
import { asShared, defaultThreadCount, runOnThreads, sharedCounter } from './filter-threads.js'

/** resample.ts's POLE: the same expression, so the same double. */
const z = Math.sqrt(3) - 2

export interface KStates {
  /** c+[z0]: the causal recursion's value on the slab's first slice (one slice, float64). */
  causalFirst: Float64Array
  /** c[z1 - 1]: the finished coefficient on the slab's last slice (one slice, float64). */
  coefficientLast: Float64Array
}

/**
 * The recursion state at the borders of each slab [z0, z1) of an (nx, ny, nz) volume, nz >= 2,
 * on the filter threads: columns are independent, so bands of neighbouring columns are handed
 * out through a shared counter. `callerBusyUntil`: the calling thread joins once it settles.
 */
export async function bsplineKStates(pixels: PixelArray, dims: readonly number[], slabs: readonly (readonly [number, number])[], threads?: number, callerBusyUntil?: Promise<unknown>): Promise<KStates[]> {
  const [nx, ny, n] = dims
  const S = nx * ny
  if (n < 2) throw new Error('bsplineKStates: a single slice has no coefficients along k')
  for (const [z0, z1] of slabs) if (!(0 <= z0 && z0 < z1 && z1 <= n)) throw new Error(`bsplineKStates: slab [${z0}, ${z1}) outside [0, ${n})`)
  const first = new Float64Array(new SharedArrayBuffer(slabs.length * S * 8))
  const last = new Float64Array(new SharedArrayBuffer(slabs.length * S * 8))
  const count = threads ?? (S * n >= 1 << 21 ? defaultThreadCount() : 1)
  const args: KStatesArgs = { input: count > 1 ? asShared(pixels) : pixels, S, n, slabs: slabs.map(([z0, z1]) => [z0, z1]), first, last, band: 1024, counter: sharedCounter() }
  if (count > 1) await runOnThreads({ module: import.meta.url, name: 'kStatesKernel', args }, count, kStatesKernel, callerBusyUntil)
  else {
    await callerBusyUntil
    kStatesKernel(args)
  }
  return slabs.map((_, s) => ({ causalFirst: first.subarray(s * S, (s + 1) * S), coefficientLast: last.subarray(s * S, (s + 1) * S) }))
}

interface KStatesArgs {
  input: PixelArray
  /** Voxels per slice, slices. */
  S: number
  n: number
  slabs: [number, number][]
  /** Slab s's c+[z0] at [s * S, (s + 1) * S), and its c[z1 - 1] (shared memory). */
  first: Float64Array
  last: Float64Array
  band: number
  counter: Int32Array
}

/** Thread kernel: bands of columns from the shared counter until none is left. */
export function kStatesKernel({ input, S, n, slabs, first, last, band, counter }: KStatesArgs): void {
  // the band's whole columns, c+ then c in place: n x band float64, in cache for a CT's depth
  const c = new Float64Array(n * Math.min(band, S))
  // the anticausal pass goes down only to the lowest last slice asked for (half the volume for two slabs)
  const lowest = Math.min(...slabs.map(([, z1]) => z1 - 1))
  for (;;) {
    const p0 = Atomics.add(counter, 0, 1) * band
    if (p0 >= S) return
    const bw = Math.min(band, S - p0)
    const row = (k: number) => c.subarray(k * bw, (k + 1) * bw)
    causalInitial(input, S, n, p0, row(0))
    for (let k = 1; k < n; k++) causalStep(input, k * S + p0, row(k - 1), row(k))
    slabs.forEach(([z0], s) => first.set(row(z0), s * S + p0))
    lastCoefficient(row(n - 1), row(n - 2))
    for (let k = n - 2; k >= lowest; k--) anticausalStep(row(k + 1), row(k))
    slabs.forEach(([, z1], s) => last.set(row(z1 - 1), s * S + p0))
  }
}

// Small loops, one slice's band each (V8 optimises them well); the float64 operations and their
// order are prefilterTile's.
function causalStep(input: PixelArray, off: number, prev: Float64Array, cur: Float64Array): void {
  for (let p = 0; p < cur.length; p++) cur[p] = input[off + p] * 6 + z * prev[p]
}

/** c[k] = z (c[k+1] - c+[k]), in place over c+[k]. */
function anticausalStep(next: Float64Array, c: Float64Array): void {
  for (let p = 0; p < c.length; p++) c[p] = z * (next[p] - c[p])
}

/** c[n-1] = z / (z^2 - 1) (c+[n-1] + z c+[n-2]), in place over c+[n-1]. */
function lastCoefficient(c: Float64Array, secondLast: Float64Array): void {
  const g = z / (z * z - 1)
  for (let p = 0; p < c.length; p++) c[p] = g * (c[p] + z * secondLast[p])
}

/**
 * Coefficients along k of a slab's slices from its samples (depth slices, any pixel type) and its
 * border states, float64: the same values prefilterTile gives for these slices of the column.
 */
export function bsplineKCoefficientsFromStates(samples: PixelArray, dims: readonly number[], states: KStates): Float64Array {
  const [nx, ny, depth] = dims
  const S = nx * ny
  const c = new Float64Array(S * depth)
  c.set(states.causalFirst, 0)
  for (let k = 1; k < depth - 1; k++) {
    const row = k * S, prev = row - S
    for (let p = 0; p < S; p++) c[row + p] = samples[row + p] * 6 + z * c[prev + p]
  }
  c.set(states.coefficientLast, (depth - 1) * S)
  for (let k = depth - 2; k >= 0; k--) {
    const row = k * S, next = row + S
    for (let p = 0; p < S; p++) c[row + p] = z * (c[next + p] - c[row + p])
  }
  return c
}

/** c+[0] of the band's columns: the causal initial value as prefilterTile computes it (truncated sum or mirrored). */
function causalInitial(pixels: PixelArray, S: number, n: number, p0: number, c0: Float64Array): void {
  const w = c0.length
  for (let p = 0; p < w; p++) c0[p] = pixels[p0 + p] * 6
  const horizon = Math.ceil(Math.log(1e-10) / Math.log(Math.abs(z)))
  const terms = horizon < n ? horizon : 2 * n - 2
  let zk = z
  for (let k = 1; k < terms; k++) {
    const row = (horizon < n || k < n ? k : terms - k) * S + p0
    for (let p = 0; p < w; p++) c0[p] += zk * (pixels[row + p] * 6)
    zk *= z
  }
  if (horizon >= n) {
    const norm = 1 / (1 - zk) // zk is z^(2n - 2)
    for (let p = 0; p < w; p++) c0[p] *= norm
  }
}
