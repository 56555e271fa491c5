// Voxels that arrive front to back while a file is still being read (a .nii.gz inflated on a
// filter thread into shared memory): the reader counts the bytes it has placed in a shared
// BigInt64Array, so whoever holds the image can use the first slices before the last are
// inflated. The read's own verdict (the data check) settles `complete`.

export interface VoxelArrival {
  /** Resolves once voxels [0, count) are in place; rejects with the read's error. */
  voxels(count: number): Promise<void>
  /** Resolves once every voxel is in place and the data passed its check; rejects with the check's error. */
  complete: Promise<void>
}

/** A shared counter of bytes placed, for the reader to advance (advanceArrival). */
export function arrivalCounter(): BigInt64Array {
  return new BigInt64Array(new SharedArrayBuffer(8))
}

/** The reader's side: bytes [0, bytes) are in place. */
export function advanceArrival(counter: BigInt64Array, bytes: number): void {
  Atomics.store(counter, 0, BigInt(bytes))
  Atomics.notify(counter, 0)
}

/** Atomics.waitAsync (ES2024; in Node since 16), typed here as the project's ES2022 lib lacks it. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: BigInt64Array, index: number, value: bigint, timeoutMs: number): { async: boolean; value: Promise<string> | string }
}).waitAsync

/** How long a waiter sleeps before looking again when no notification came (a read that died). */
const recheckMs = 100

/**
 * The holder's side. `read` settles when the reader is done: its rejection is the read's error,
 * and after it resolves every voxel is in place.
 */
export function voxelArrival(counter: BigInt64Array, bytesPerVoxel: number, read: Promise<unknown>): VoxelArrival {
  let settled = false
  const complete = read.then(() => undefined)
  complete.catch(() => {}) // whoever awaits it sees the error
  const done = complete.finally(() => (settled = true))
  done.catch(() => {})
  return {
    complete,
    async voxels(count) {
      const bytes = BigInt(count * bytesPerVoxel)
      for (;;) {
        const placed = Atomics.load(counter, 0)
        if (placed >= bytes) return
        if (settled) return complete
        const wait = waitAsync(counter, 0, placed, recheckMs)
        await (wait.async ? Promise.race([wait.value, done]) : undefined)
      }
    },
  }
}
