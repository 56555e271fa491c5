// What each chunk starts from, written by prepare. Separable grids (the pipeline's isotropic
// grids always are): the resample source cut into the input slices each slab's taps reach, so
// the chunks resample in parallel (src/filters/resample-slab.ts: two-phase B-spline, exact).
// Otherwise: the whole image resampled here and cut into output slabs with their halos.
import type { Slab } from '../chunks/plan-slabs.js'
import { resample, type ResampleOptions } from '../filters/resample.js'
import { canResampleInSlabs, resampleSlab, resampleSource, resampleSourceOnThreads, slabResamplePlan, sourceSlicesFor } from '../filters/resample-slab.js'
import { type Grid, type Image, gridOf } from '../image/image.js'
import type { ObjectStore } from '../store/object-store.js'
import { putJson } from './object-io.js'
import { putWorkImage } from './work-image.js'
import type { ChunkRef, RunRef } from './state.js'
import { workKeys } from './work-keys.js'

export type ChunkInput = Pick<ChunkRef, 'imageKey' | 'source'>

export async function putChunkInputs(
  image: Image, outputGrid: Grid, options: ResampleOptions, slabs: Slab[], run: RunRef, work: ObjectStore,
): Promise<ChunkInput[]> {
  const inputs: ChunkInput[] = []
  if (canResampleInSlabs(gridOf(image), outputGrid)) {
    const plan = slabResamplePlan(gridOf(image), outputGrid, options)
    await putJson(work, workKeys.resamplePlan(run), plan)
    const source = await resampleSourceOnThreads(image, plan)
    for (const slab of slabs) {
      const [z0, z1] = sourceSlicesFor(plan, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter)
      const key = workKeys.chunkSource(run, slab.index)
      await putWorkImage(work, key, source, z0, z1)
      inputs.push({ imageKey: workKeys.chunkImage(run, slab.index), source: { key, z0, z1 } })
    }
    return inputs
  }
  const resampled = resample(image, outputGrid, options)
  for (const slab of slabs) {
    const imageKey = workKeys.chunkInputImage(run, slab.index)
    await putWorkImage(work, imageKey, resampled, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter)
    inputs.push({ imageKey })
  }
  return inputs
}

/** The whole resampled image exactly as the chunks together produce it (for global fits). */
export function resampleAsChunksDo(image: Image, outputGrid: Grid, options: ResampleOptions): Image {
  if (!canResampleInSlabs(gridOf(image), outputGrid)) return resample(image, outputGrid, options)
  const plan = slabResamplePlan(gridOf(image), outputGrid, options)
  return resampleSlab(resampleSource(image, plan), 0, plan, 0, outputGrid.size[2])
}
