// A chunk worker killed mid-chunk is retried by the state machine's Retry on
// ChunkWorkerInterrupted (the deployed ASL, run locally), and the case completes with outputs
// identical to an undisturbed run. A chunk that keeps dying exhausts the Retry and the case
// ends in a failure report instead of hanging.
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { stateMachineDefinition } from '../../infra/state-machine/definition.js'
import { type ChunkMessageBody, chunkWorkerInterrupted } from '../../src/local/chunk-pool.js'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { goldenPath } from '../support/paths.js'

const input = goldenPath('itk/input/ct-pelvis-crop.nii.gz') // 40 slices -> 5 chunks of 8
const config = parseConfig({ chunks: { slices: 8 } })

const bytesOf = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

async function run(workers: number, interruptChunk?: (message: ChunkMessageBody) => boolean) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-retry-'))
  const { cases } = await runLocal({ input, out, config, workers, interruptChunk })
  const dir = path.join(out, 'ct-pelvis-crop')
  const report = cases[0].report
  if (report.status !== 'processed') return { report }
  const image = await readImageNode(path.join(dir, 'image.nii.gz'))
  const labels = await readImageNode(path.join(dir, 'labels.nii.gz'))
  return { report, image: bytesOf(image.data as ArrayBufferView), labels: bytesOf(labels.data as ArrayBufferView) }
}

/** Kills the first attempt of the given chunks; counts every attempt per chunk. */
function killFirstAttemptOf(...indices: number[]) {
  const attempts = new Map<number, number>()
  const hook = (message: ChunkMessageBody) => {
    const index = (message.chunk as { index: number }).index
    const n = (attempts.get(index) ?? 0) + 1
    attempts.set(index, n)
    return indices.includes(index) && n === 1
  }
  return { hook, attempts }
}

function interruptedRetry() {
  const map = stateMachineDefinition().States.Chunks as { ItemProcessor: { States: Record<string, { Retry: { ErrorEquals: string[]; MaxAttempts: number }[] }> } }
  const retry = map.ItemProcessor.States.ProcessChunk.Retry.find((r) => r.ErrorEquals.includes(chunkWorkerInterrupted))
  if (!retry) throw new Error('the chunk task does not retry ChunkWorkerInterrupted')
  return retry
}

let undisturbed: Awaited<ReturnType<typeof run>>

beforeAll(async () => {
  undisturbed = await run(2)
})

describe('a chunk worker that fails once', () => {
  it('the retry matches the definition: the chunk task retries ChunkWorkerInterrupted', () => {
    expect(interruptedRetry().MaxAttempts).toBeGreaterThanOrEqual(1)
  })

  it('worker threads: killed chunks 0 and 3 run again and the outputs equal an undisturbed run', async () => {
    const { hook, attempts } = killFirstAttemptOf(0, 3)
    const disturbed = await run(2, hook)
    expect(disturbed.report.status).toBe('processed')
    expect(Object.fromEntries(attempts)).toEqual({ 0: 2, 1: 1, 2: 1, 3: 2, 4: 1 })
    expect(disturbed.report.chunks?.count).toBe(5)
    expect(disturbed.image!.equals(undisturbed.image!)).toBe(true)
    expect(disturbed.labels!.equals(undisturbed.labels!)).toBe(true)
    expect(disturbed.labels!.some((v) => v !== 0)).toBe(true)
    expect(disturbed.report.labels).toEqual(undisturbed.report.labels)
  })

  it('main thread (--workers 0): an interrupted chunk is retried too', async () => {
    const { hook, attempts } = killFirstAttemptOf(4)
    const disturbed = await run(0, hook)
    expect(disturbed.report.status).toBe('processed')
    expect(attempts.get(4)).toBe(2)
    expect(disturbed.labels!.equals(undisturbed.labels!)).toBe(true)
    expect(disturbed.report.labels).toEqual(undisturbed.report.labels)
  })

  it('a chunk that dies on every attempt exhausts the Retry (1 + MaxAttempts) and the case fails with a report', async () => {
    const attempts: number[] = []
    const disturbed = await run(2, (message) => {
      const index = (message.chunk as { index: number }).index
      if (index === 1) attempts.push(index)
      return index === 1
    })
    expect(disturbed.report.status).toBe('failed')
    expect(disturbed.report.error?.kind).toBe('internal')
    expect(disturbed.report.error?.message).toContain('chunk 1')
    expect(attempts.length).toBe(1 + interruptedRetry().MaxAttempts)
  })
})
