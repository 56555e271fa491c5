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
import type { VoxelArrival } from '../io/voxel-arrival.js'

export type ChunkInput = Pick<ChunkRef, 'imageKey' | 'source'>

export interface ChunkInputProgress {
  /** The image's voxels still arriving (loadCase with voxelsMayArrive): a slab is cut once its slices are in. */
  arrival?: VoxelArrival
  /** Called once everything chunk n reads from prepare is in the work bucket (a runtime may start it then). */
  inputsWritten?: (n: number, input: ChunkInput) => void
}

export async function putChunkInputs(
  image: Image, outputGrid: Grid, options: ResampleOptions, slabs: Slab[], run: RunRef, work: ObjectStore, progress: ChunkInputProgress = {},
): Promise<ChunkInput[]> {
  const { arrival, inputsWritten } = progress
  if (canResampleInSlabs(gridOf(image), outputGrid)) {
    const plan = slabResamplePlan(gridOf(image), outputGrid, options)
    const ranges = slabs.map((slab) => sourceSlicesFor(plan, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter))
    // B-spline: the sources stay samples; each chunk finishes its coefficients along k from the
    // recursion's state at its borders (chunk-source.ts)
    const withStates = plan.coefficientsAlongK
    // the plan first: every chunk reads it
    await putJson(work, workKeys.resamplePlan(run), withStates ? { ...plan, sourceHoldsSamples: true } : plan)
    const inputs = slabs.map((slab, n) => ({ imageKey: workKeys.chunkImage(run, slab.index), source: { key: workKeys.chunkSource(run, slab.index), z0: ranges[n][0], z1: ranges[n][1] } }))
    const sliceVoxels = image.size[0] * image.size[1]
    // The sources are written first (two in flight, each once its slices are in), while the filter threads start on the k states
    const sourcesWritten = mapLimited(slabs, 2, async (slab, n) => {
      await arrival?.voxels(ranges[n][1] * sliceVoxels)
      await putWorkImage(work, inputs[n].source.key, image, ranges[n][0], ranges[n][1])
      if (!withStates) inputsWritten?.(n, inputs[n])
    })
    sourcesWritten.catch(() => {}) // awaited below
    if (withStates) {
      // the recursion runs along whole columns: every voxel first
      await arrival?.complete
      const states = await bsplineKStates(pixelsOf(image), image.size, ranges, undefined, sourcesWritten)
      await sourcesWritten
      await mapLimited(slabs, 2, async (slab, n) => {
        await putKStates(work, workKeys.chunkSourceKStates(run, slab.index), states[n], gridOf(image))
        inputsWritten?.(n, inputs[n])
      })
    }
    await sourcesWritten
    return inputs
  }
  await arrival?.complete
  const resampled = resample(image, outputGrid, options)
  return mapLimited(slabs, 2, async (slab, n) => {
    const imageKey = workKeys.chunkInputImage(run, slab.index)
    await putWorkImage(work, imageKey, resampled, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter)
    inputsWritten?.(n, { imageKey })
    return { imageKey }
  })
}

/** The whole resampled image exactly as the chunks together produce it (for global fits). */
export function resampleAsChunksDo(image: Image, outputGrid: Grid, options: ResampleOptions): Image {
  if (!canResampleInSlabs(gridOf(image), outputGrid)) return resample(image, outputGrid, options)
  const plan = slabResamplePlan(gridOf(image), outputGrid, options)
  return resampleSlab(resampleSource(image, plan), 0, plan, 0, outputGrid.size[2])
}
