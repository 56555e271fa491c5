// The filter thread pool: workers start once and are reused by later calls; a failing kernel
// rejects its call without killing the pool; after closing, a call starts a fresh worker.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { closeFilterThreads, filterThreadsStarted, runOnThreads, warmFilterThreads } from '../../src/filters/filter-threads.js'
import { failingKernel, squaresKernel, type SquaresArgs } from '../support/filter-thread-kernels.js'

const kernels = new URL('../support/filter-thread-kernels.ts', import.meta.url).href

async function squares(n: number): Promise<{ out: Float64Array; workerBlocks: number }> {
  const args: SquaresArgs = {
    out: new Float64Array(new SharedArrayBuffer(8 * n)),
    sync: new Int32Array(new SharedArrayBuffer(8)),
    block: 1000,
  }
  await runOnThreads({ module: kernels, name: 'squaresKernel', args }, 2, squaresKernel)
  return { out: args.out, workerBlocks: args.sync[1] }
}

function expectSquares(out: Float64Array): void {
  let wrong = 0
  for (let i = 0; i < out.length; i++) if (out[i] !== i * i) wrong++
  expect(wrong).toBe(0)
}

describe('filter thread pool', () => {
  afterAll(() => closeFilterThreads())

  it('starts a worker on the first call and reuses it on the next ones', async () => {
    const before = filterThreadsStarted()
    const first = await squares(100_000)
    expectSquares(first.out)
    expect(first.workerBlocks).toBeGreaterThan(0)
    expect(filterThreadsStarted()).toBe(before + 1)
    for (let call = 0; call < 3; call++) {
      const again = await squares(50_000 + call)
      expectSquares(again.out)
      expect(again.workerBlocks).toBeGreaterThan(0)
    }
    expect(filterThreadsStarted()).toBe(before + 1)
    await warmFilterThreads(1)
    expect(filterThreadsStarted()).toBe(before + 1)
  })

  it('a kernel that throws on the worker rejects its call; the pool keeps working', async () => {
    const started = filterThreadsStarted()
    await expect(runOnThreads({ module: kernels, name: 'failingKernel', args: {} }, 2, failingKernel)).rejects.toThrow(/kernel failed on purpose/)
    await expect(runOnThreads({ module: kernels, name: 'noSuchKernel', args: {} }, 2, () => {})).rejects.toThrow(/does not export a kernel named noSuchKernel/)
    expectSquares((await squares(10_000)).out)
    expect(filterThreadsStarted()).toBe(started)
  })

  it('after closeFilterThreads the next call starts a fresh worker', async () => {
    await squares(1000)
    const started = filterThreadsStarted()
    await closeFilterThreads()
    const { out, workerBlocks } = await squares(20_000)
    expectSquares(out)
    expect(workerBlocks).toBeGreaterThan(0)
    expect(filterThreadsStarted()).toBe(started + 1)
  })

  it('a process waits for warmFilterThreads, then exits by itself with the idle pool thread up', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/filter-pool-child.ts', import.meta.url))], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(child.error).toBeUndefined()
    expect(child.status).toBe(0)
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!)
    expect(result).toMatchObject({ started: 1, last: 4999 * 4999 })
    expect(result.workerBlocks).toBeGreaterThan(0)
  })
})
