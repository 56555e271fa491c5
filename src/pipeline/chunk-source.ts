// A chunk's resample source (the input slices its output slices reach, written by prepare in
// chunk-inputs.ts) as resampleSlab wants it. For B-spline the source holds the input samples in
// their own type and a second object the recursion state at its borders; the chunk finishes its
// coefficients along k here (bspline-k-states.ts: bit-identical to prefiltering whole columns),
// instead of prepare writing, and the chunk reading, float64 coefficients (4x an int16 CT).
import { type KStates, bsplineKCoefficientsFromStates } from '../filters/bspline-k-states.js'
import type { SlabResamplePlan } from '../filters/resample-slab.js'
import { type Grid, type Image, gridOf, makeImage, pixelsOf } from '../image/image.js'
import type { ObjectStore } from '../store/object-store.js'
import { getWorkImage, putWorkImage } from './work-image.js'

/** The resample plan as stored: sources hold samples plus k states (absent: coefficients, older runs). */
export type StoredSlabResamplePlan = SlabResamplePlan & { sourceHoldsSamples?: boolean }

/** The two state slices (c+ at the first slice, c at the last) as one float64 work image. */
export async function putKStates(work: ObjectStore, key: string, states: KStates, inputGrid: Grid): Promise<void> {
  const [nx, ny] = inputGrid.size
  const both = new Float64Array(2 * nx * ny)
  both.set(states.causalFirst, 0)
  both.set(states.coefficientLast, nx * ny)
  await putWorkImage(work, key, makeImage({ ...inputGrid, size: [nx, ny, 2] }, both))
}

/**
 * The chunk's source slab ready for resampleSlab (coefficients along k when the plan wants them).
 * The slab is requested before the plan has arrived: one store round trip, not two in a row.
 */
export async function readChunkSource(work: ObjectStore, sourceKey: string, kStatesKey: string, planRead: Promise<StoredSlabResamplePlan>): Promise<Image> {
  const source = getWorkImage(work, sourceKey)
  source.catch(() => {}) // awaited below
  const plan = await planRead
  if (!plan.sourceHoldsSamples) return source
  const [samples, states] = await Promise.all([source, getWorkImage(work, kStatesKey)])
  const [nx, ny, depth] = samples.size
  const both = pixelsOf(states) as Float64Array
  if (states.size[0] !== nx || states.size[1] !== ny || both.length !== 2 * nx * ny) throw new Error(`${kStatesKey}: k states of ${states.size.join('x')}, the source is ${samples.size.join('x')}`)
  const S = nx * ny
  const coefficients = bsplineKCoefficientsFromStates(pixelsOf(samples), [nx, ny, depth], { causalFirst: both.subarray(0, S), coefficientLast: both.subarray(S, 2 * S) })
  return makeImage(gridOf(samples), coefficients, samples.name)
}
