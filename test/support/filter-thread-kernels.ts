// Kernels for test/filters/filter-threads.test.ts, loaded by the filter pool's worker threads.
import { isMainThread } from 'node:worker_threads'

export interface SquaresArgs {
  out: Float64Array
  /** [next block, blocks taken by worker threads] */
  sync: Int32Array
  block: number
}

/**
 * out[i] = i * i, blocks pulled from sync[0]. The calling thread waits (at most 10 s) before
 * its first block until a worker has taken one, so a test sees the pool's threads really work.
 */
export function squaresKernel(args: SquaresArgs): void {
  const { out, sync, block } = args
  if (isMainThread) Atomics.wait(sync, 1, 0, 10_000)
  for (;;) {
    const i0 = Atomics.add(sync, 0, 1) * block
    if (i0 >= out.length) break
    if (!isMainThread && Atomics.add(sync, 1, 1) === 0) Atomics.notify(sync, 1)
    for (let i = i0; i < Math.min(out.length, i0 + block); i++) out[i] = i * i
  }
}

export function failingKernel(): void {
  if (!isMainThread) throw new Error('kernel failed on purpose')
}
