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
// to prefilterTile's. Prepare walks whole slices (contiguous rows, no column gathers) and keeps
// causal values only every `segment` slices, recomputing each segment on the way back.
import type { PixelArray } from '../image/image.js'

/** resample.ts's POLE: the same expression, so the same double. */
const z = Math.sqrt(3) - 2
/** Causal values are kept every this many slices for the backward pass (memory: one segment). */
const segment = 16

export interface KStates {
  /** c+[z0]: the causal recursion's value on the slab's first slice (one slice, float64). */
  causalFirst: Float64Array
  /** c[z1 - 1]: the finished coefficient on the slab's last slice (one slice, float64). */
  coefficientLast: Float64Array
}

/** The recursion state at the borders of each slab [z0, z1) of an (nx, ny, nz) volume, nz >= 2. */
export function bsplineKStates(pixels: PixelArray, dims: readonly number[], slabs: readonly (readonly [number, number])[]): KStates[] {
  const [nx, ny, n] = dims
  const S = nx * ny
  if (n < 2) throw new Error('bsplineKStates: a single slice has no coefficients along k')
  for (const [z0, z1] of slabs) if (!(0 <= z0 && z0 < z1 && z1 <= n)) throw new Error(`bsplineKStates: slab [${z0}, ${z1}) outside [0, ${n})`)
  const states = slabs.map(() => ({ causalFirst: new Float64Array(S), coefficientLast: new Float64Array(S) }))
  const firstsAt = (k: number) => states.filter((_, s) => slabs[s][0] === k)
  const lastsAt = (k: number) => states.filter((_, s) => slabs[s][1] - 1 === k)

  // forward: causal values, kept at segment starts and at slab starts
  const checkpoints: Float64Array[] = []
  let prev = causalInitial(pixels, S, n)
  let secondLast = n === 2 ? prev : new Float64Array(0)
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      const cur = new Float64Array(S)
      const off = k * S
      for (let p = 0; p < S; p++) cur[p] = pixels[off + p] * 6 + z * prev[p]
      prev = cur
      if (k === n - 2) secondLast = cur
    }
    if (k % segment === 0) checkpoints.push(prev)
    for (const s of firstsAt(k)) s.causalFirst.set(prev)
  }
  const lastCausal = prev

  // backward: per segment, its causal values again from the checkpoint, then the anticausal pass
  const g = z / (z * z - 1)
  let next: Float64Array = new Float64Array(0) // c[k + 1]
  for (let b = (checkpoints.length - 1) * segment; b >= 0; b -= segment) {
    const e = Math.min(n, b + segment)
    const causal: Float64Array[] = [checkpoints[b / segment]]
    for (let k = b + 1; k < e; k++) {
      const cur = new Float64Array(S)
      const off = k * S
      const before = causal[k - 1 - b]
      for (let p = 0; p < S; p++) cur[p] = pixels[off + p] * 6 + z * before[p]
      causal.push(cur)
    }
    for (let k = e - 1; k >= b; k--) {
      const c = k === b ? new Float64Array(S) : causal[k - b] // the checkpoint itself stays intact
      const own = causal[k - b]
      if (k === n - 1) {
        for (let p = 0; p < S; p++) c[p] = g * (lastCausal[p] + z * secondLast[p])
      } else {
        for (let p = 0; p < S; p++) c[p] = z * (next[p] - own[p])
      }
      for (const s of lastsAt(k)) s.coefficientLast.set(c)
      next = c
    }
  }
  return states
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

/** c+[0]: the causal initial value, as prefilterTile computes it (truncated sum or mirrored). */
function causalInitial(pixels: PixelArray, S: number, n: number): Float64Array {
  const c0 = new Float64Array(S)
  for (let p = 0; p < S; p++) c0[p] = pixels[p] * 6
  const horizon = Math.ceil(Math.log(1e-10) / Math.log(Math.abs(z)))
  const terms = horizon < n ? horizon : 2 * n - 2
  let zk = z
  for (let k = 1; k < terms; k++) {
    const row = (horizon < n || k < n ? k : terms - k) * S
    for (let p = 0; p < S; p++) c0[p] += zk * (pixels[row + p] * 6)
    zk *= z
  }
  if (horizon >= n) {
    const norm = 1 / (1 - zk) // zk is z^(2n - 2)
    for (let p = 0; p < S; p++) c0[p] *= norm
  }
  return c0
}
