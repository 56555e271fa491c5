// Binary morphology on the persistent filter pool (filter-threads.ts): the same passes as the
// serial functions of binary-morphology.ts (each splits its output by z slices; the await
// between passes is the barrier), so results are identical voxel for voxel. Inside a Lambda
// bundle the pool has no workers and every slice runs on the calling thread.
import {
  closePasses, dilatePasses, erodePasses, openPasses, passKernels,
  type BallRadius, type ClosingOptions, type MorphologyPasses, type PassBuffers,
} from './binary-morphology.js'
import { distanceArray } from './binary-morphology-passes.js'
import { defaultThreadCount, runOnThreads, sharedCounter } from './filter-threads.js'

export interface MorphologyThreadOptions {
  /** Threads in total, the calling thread included (default: one per core, at most 8). */
  threads?: number
}

const sharedBuffers: PassBuffers = {
  uint8: (n) => new Uint8Array(new SharedArrayBuffer(n)),
  distance: (n, cap) => distanceArray(n, cap, SharedArrayBuffer),
  counter: sharedCounter,
}

// the kernels' module, as this checkout runs it (TypeScript under tsx, JavaScript from dist/)
const passesModule = new URL(`./binary-morphology-passes.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href

/** dilateMask on `threads` threads; the result lives in a SharedArrayBuffer. */
export function dilateMaskAsync(mask: Uint8Array, size: readonly number[], r: BallRadius, options: MorphologyThreadOptions = {}): Promise<Uint8Array> {
  return runPassesOnThreads(dilatePasses(mask, size, r, sharedBuffers), options)
}

/** erodeMask on `threads` threads; the result lives in a SharedArrayBuffer. */
export function erodeMaskAsync(mask: Uint8Array, size: readonly number[], r: BallRadius, options: MorphologyThreadOptions = {}): Promise<Uint8Array> {
  return runPassesOnThreads(erodePasses(mask, size, r, sharedBuffers), options)
}

/** closeMask (SafeBorder by default) on `threads` threads; the result lives in a SharedArrayBuffer. */
export function closeMaskAsync(
  mask: Uint8Array, size: readonly number[], r: BallRadius, options: MorphologyThreadOptions & Pick<ClosingOptions, 'safeBorder'> = {},
): Promise<Uint8Array> {
  return runPassesOnThreads(closePasses(mask, size, r, options.safeBorder ?? true, sharedBuffers), options)
}

/** openMask on `threads` threads; the result lives in a SharedArrayBuffer. */
export function openMaskAsync(mask: Uint8Array, size: readonly number[], r: BallRadius, options: MorphologyThreadOptions = {}): Promise<Uint8Array> {
  return runPassesOnThreads(openPasses(mask, size, r, sharedBuffers), options)
}

async function runPassesOnThreads(passes: MorphologyPasses, options: MorphologyThreadOptions): Promise<Uint8Array> {
  const threads = options.threads ?? defaultThreadCount()
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`binary morphology: threads must be an integer >= 1, got ${threads}`)
  for (let step = passes.next(); ; step = passes.next()) {
    if (step.done) return step.value
    const { kernel, args } = step.value
    const local = passKernels[kernel] as (a: typeof args) => void
    await runOnThreads({ module: passesModule, name: kernel, args }, threads, local)
  }
}
