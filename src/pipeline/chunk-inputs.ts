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
    const ranges = slabs.map((slab) => sourceSlicesFor(plan, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter))
    // B-spline: the sources stay samples; each chunk finishes its coefficients along k from the
    // recursion's state at its borders (chunk-source.ts)
    const states = plan.coefficientsAlongK ? await bsplineKStates(pixelsOf(image), image.size, ranges) : undefined
    await putJson(work, workKeys.resamplePlan(run), states ? { ...plan, sourceHoldsSamples: true } : plan)
    const writes = new WriteWindow()
    for (const [n, slab] of slabs.entries()) {
      const [z0, z1] = ranges[n]
      const key = workKeys.chunkSource(run, slab.index)
      await writes.add(putWorkImage(work, key, image, z0, z1))
      if (states) await writes.add(putKStates(work, workKeys.chunkSourceKStates(run, slab.index), states[n], gridOf(image)))
      inputs.push({ imageKey: workKeys.chunkImage(run, slab.index), source: { key, z0, z1 } })
    }
    await writes.drain()
    return inputs
  }
  const resampled = resample(image, outputGrid, options)
  const writes = new WriteWindow()
  for (const slab of slabs) {
    const imageKey = workKeys.chunkInputImage(run, slab.index)
    await writes.add(putWorkImage(work, imageKey, resampled, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter))
    inputs.push({ imageKey })
  }
  await writes.drain()
  return inputs
}

/**
 * Slab writes in flight, at most two: the next slab's bytes are laid out while the previous one
 * is written on libuv's pool, with one extra slab in memory, not all of them.
 */
class WriteWindow {
  private readonly pending: Promise<void>[] = []
  async add(write: Promise<void>): Promise<void> {
    write.catch(() => {}) // observed here so a failure waits for its await below, not a crash
    this.pending.push(write)
    if (this.pending.length >= 2) await this.pending.shift()
  }
  async drain(): Promise<void> {
    await Promise.all(this.pending.splice(0))
  }
}

/** The whole resampled image exactly as the chunks together produce it (for global fits). */
export function resampleAsChunksDo(image: Image, outputGrid: Grid, options: ResampleOptions): Image {
  if (!canResampleInSlabs(gridOf(image), outputGrid)) return resample(image, outputGrid, options)
  const plan = slabResamplePlan(gridOf(image), outputGrid, options)
  return resampleSlab(resampleSource(image, plan), 0, plan, 0, outputGrid.size[2])
}
