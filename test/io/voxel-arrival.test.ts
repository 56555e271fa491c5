// Voxels arriving front to back (voxel-arrival.ts): a waiter for the first voxels resumes as soon
// as the reader has placed them, before the read is done; the read's failure reaches whoever
// waits for voxels that never came, while voxels already in stay usable.
import { describe, expect, it } from 'vitest'
import { advanceArrival, arrivalCounter, voxelArrival } from '../../src/io/voxel-arrival.js'
import { BadInputError } from '../../src/pipeline/errors.js'

/** A read the test settles by hand. */
function manualRead() {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const read = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)))
  return { read, resolve, reject }
}

const settledWithin = async (promise: Promise<unknown>, ms = 50) =>
  Promise.race([promise.then(() => 'resolved', () => 'rejected'), new Promise((r) => setTimeout(() => r('pending'), ms))])

describe('voxelArrival', () => {
  it('resumes a waiter once its voxels are placed, while the read goes on', async () => {
    const counter = arrivalCounter()
    const { read, resolve } = manualRead()
    const arrival = voxelArrival(counter, 2, read) // int16: 2 bytes per voxel
    const first = arrival.voxels(100)
    expect(await settledWithin(first)).toBe('pending')
    advanceArrival(counter, 150) // 75 voxels
    expect(await settledWithin(first)).toBe('pending')
    advanceArrival(counter, 200) // 100 voxels
    expect(await settledWithin(first)).toBe('resolved')
    expect(await settledWithin(arrival.complete)).toBe('pending')
    resolve()
    expect(await settledWithin(arrival.complete)).toBe('resolved')
    // after a read that passed, every voxel is in
    expect(await settledWithin(arrival.voxels(1_000_000))).toBe('resolved')
  })

  it('a read placing bytes from another thread wakes the waiter (shared memory)', async () => {
    const { Worker } = await import('node:worker_threads')
    const counter = arrivalCounter()
    const { read, resolve } = manualRead()
    const arrival = voxelArrival(counter, 4, read)
    const worker = new Worker('const { workerData } = require("node:worker_threads"); setTimeout(() => { Atomics.store(workerData, 0, 4000n); Atomics.notify(workerData, 0) }, 20)', { eval: true, workerData: counter })
    await arrival.voxels(1000)
    expect(Atomics.load(counter, 0)).toBe(4000n)
    resolve()
    await worker.terminate()
  })

  it('a failed read rejects waiters for voxels that never came with its error; voxels in stay usable', async () => {
    const counter = arrivalCounter()
    const { read, reject } = manualRead()
    const arrival = voxelArrival(counter, 1, read)
    advanceArrival(counter, 500)
    const missing = arrival.voxels(1000)
    const truncated = new BadInputError('truncated: the header promises 1000 voxels', { file: 'ct.nii.gz', field: 'dim' })
    reject(truncated)
    await expect(missing).rejects.toBe(truncated)
    await expect(arrival.complete).rejects.toBe(truncated)
    await expect(arrival.voxels(500)).resolves.toBeUndefined()
  })
})
