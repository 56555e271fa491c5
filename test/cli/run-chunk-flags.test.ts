// voxelflow run's chunk flags as users give them: --no-chunks is one chunk with the same
// outputs as many chunks; --chunk-mb sizes slabs from the memory budget; flags that contradict
// each other are refused.
import { readImageNode } from '@itk-wasm/image-io'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { goldenPath, repoRoot } from '../support/paths.js'

// 72 x 64 x 40 at 3 mm isotropic: the output grid is the input grid, 40 slices deep.
const input = goldenPath('itk/input/ct-pelvis-crop.nii.gz')

function voxelflow(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 })
}

const bytesOf = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

async function runWith(...flags: string[]) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-chunks-'))
  const run = voxelflow('run', input, '--out', out, '--no-progress', ...flags)
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  const dir = path.join(out, 'ct-pelvis-crop')
  const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'))
  const image = await readImageNode(path.join(dir, 'image.nii.gz'))
  const labels = await readImageNode(path.join(dir, 'labels.nii.gz'))
  return { report, image: bytesOf(image.data as ArrayBufferView), labels: bytesOf(labels.data as ArrayBufferView) }
}

describe('voxelflow run chunk flags', () => {
  it('--no-chunks runs one chunk and gives the same image, labels and statistics as 7-slice chunks on 2 workers', async () => {
    const whole = await runWith('--no-chunks', '--workers', '1')
    const chunked = await runWith('--chunk-slices', '7', '--workers', '2')
    expect(whole.report.chunks.count).toBe(1)
    expect(whole.report.chunks.max_slices).toBe(40)
    expect(chunked.report.chunks.count).toBe(Math.ceil(40 / 7))
    expect(chunked.image.equals(whole.image)).toBe(true)
    expect(chunked.labels.equals(whole.labels)).toBe(true)
    expect(whole.labels.some((v) => v !== 0)).toBe(true)
    expect(chunked.report.labels).toEqual(whole.report.labels)
  })

  it('--chunk-mb sizes slabs from the budget: float32 slices with the closing halo on both sides', async () => {
    // 72 * 64 * 4 bytes a slice; 0.2 MB holds 11 slices, minus the radius-1 closing's 2 halo
    // slices each side leaves 7 output slices per chunk: 6 chunks for 40 slices.
    const run = await runWith('--chunk-mb', '0.2', '--workers', '2')
    expect(Math.floor((0.2 * 1024 * 1024) / (72 * 64 * 4))).toBe(11)
    expect(run.report.chunks).toEqual({ count: 6, max_slices: 7, halo_slices: 2 })
  })

  it('refuses --no-chunks together with --chunk-slices', () => {
    const run = voxelflow('run', input, '--out', os.tmpdir(), '--no-chunks', '--chunk-slices', '4')
    expect(run.status).not.toBe(0)
    expect(run.stderr).toMatch(/--chunk-slices.*cannot be used with.*--no-chunks/)
  })
})
