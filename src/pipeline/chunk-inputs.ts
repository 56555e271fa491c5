// What each chunk starts from, written by prepare. Separable grids (the pipeline's isotropic
// grids always are): the resample source cut into the input slices each slab's taps reach, so
// the chunks resample in parallel (src/filters/resample-slab.ts: two-phase B-spline, exact).
// Otherwise: the whole image resampled here and cut into output slabs with their halos.
import type { Slab } from '../chunks/plan-slabs.js'
import { resample, type ResampleOptions } from '../filters/resample.js'
import { canResampleInSlabs, resampleSlab, resampleSource, slabResamplePlan, sourceSlicesFor } from '../filters/resample-slab.js'
import { bsplineKStates } from '../filters/bspline-k-states.js'
import { type Grid, type Image, gridOf, pixelsOf } from '../image/image.js'
import { putKStates } from './chunk-source.js'
import type { ObjectStore } from '../store/object-store.js'
import { putJson } from './object-io.js'
import { mapLimited } from './map-limited.js'
import { putWorkImage } from './work-image.js'
import type { ChunkRef, RunRef } from './state.js'
import { workKeys } from './work-keys.js'

export type ChunkInput = Pick<ChunkRef, 'imageKey' | 'source'>

export async function putChunkInputs(
  image: Image, outputGrid: Grid, options: ResampleOptions, slabs: Slab[], run: RunRef, work: ObjectStore,
): Promise<ChunkInput[]> {
  if (canResampleInSlabs(gridOf(image), outputGrid)) {
    const plan = slabResamplePlan(gridOf(image), outputGrid, options)
    const ranges = slabs.map((slab) => sourceSlicesFor(plan, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter))
    // The sources are written first (two in flight), while the filter threads start on the k states
    const sourcesWritten = mapLimited(slabs, 2, (slab, n) => putWorkImage(work, workKeys.chunkSource(run, slab.index), image, ranges[n][0], ranges[n][1]))
    sourcesWritten.catch(() => {}) // awaited below
    // B-spline: the sources stay samples; each chunk finishes its coefficients along k from the
    // recursion's state at its borders (chunk-source.ts)
    const states = plan.coefficientsAlongK ? await bsplineKStates(pixelsOf(image), image.size, ranges, undefined, sourcesWritten) : undefined
    await Promise.all([
      sourcesWritten,
      putJson(work, workKeys.resamplePlan(run), states ? { ...plan, sourceHoldsSamples: true } : plan),
      states && mapLimited(slabs, 2, (slab, n) => putKStates(work, workKeys.chunkSourceKStates(run, slab.index), states[n], gridOf(image))),
    ])
    return slabs.map((slab, n) => ({ imageKey: workKeys.chunkImage(run, slab.index), source: { key: workKeys.chunkSource(run, slab.index), z0: ranges[n][0], z1: ranges[n][1] } }))
  }
  const resampled = resample(image, outputGrid, options)
  return mapLimited(slabs, 2, async (slab) => {
    const imageKey = workKeys.chunkInputImage(run, slab.index)
    await putWorkImage(work, imageKey, resampled, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter)
    return { imageKey }
  })
}

/** The whole resampled image exactly as the chunks together produce it (for global fits). */
export function resampleAsChunksDo(image: Image, outputGrid: Grid, options: ResampleOptions): Image {
  if (!canResampleInSlabs(gridOf(image), outputGrid)) return resample(image, outputGrid, options)
  const plan = slabResamplePlan(gridOf(image), outputGrid, options)
  return resampleSlab(resampleSource(image, plan), 0, plan, 0, outputGrid.size[2])
}
