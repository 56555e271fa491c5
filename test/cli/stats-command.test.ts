// `voxelflow stats` (src/cli/stats-command.ts): JSON and table output on small NIfTI files,
// values equal to a brute-force computation, and bad input (other grid, missing file) -> BadInputError.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeImage } from '../../src/image/image.js'
import { writeNifti } from '../../src/io/nifti.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { registerStatsCommand, runStatsCommand, type StatsResult } from '../../src/cli/stats-command.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'voxelflow-stats-'))
// spacings exactly representable in float32 (the NIfTI header's type)
const grid = { size: [6, 5, 4], spacing: [0.75, 1.25, 2.5], origin: [10, -20, 30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
const files = { image: path.join(dir, 'ct.nii.gz'), labels: path.join(dir, 'labels.nii.gz'), other: path.join(dir, 'other-grid.nii.gz') }

beforeAll(async () => {
  const n = 6 * 5 * 4
  const lab = new Uint8Array(n), val = new Int16Array(n)
  for (let o = 0; o < n; o++) val[o] = (o * 37) % 200 - 100
  // label 1: a 2x2x2 cube at i,j,k in 1..2; label 2: one voxel in a corner (touches the border)
  for (let k = 1; k <= 2; k++) for (let j = 1; j <= 2; j++) for (let i = 1; i <= 2; i++) lab[i + 6 * (j + 5 * k)] = 1
  lab[5 + 6 * (4 + 5 * 3)] = 2
  await writeNifti(makeImage(grid, val), files.image)
  await writeNifti(makeImage(grid, lab), files.labels)
  await writeNifti(makeImage({ ...grid, spacing: [0.75, 1.25, 3] }, lab), files.other)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('voxelflow stats', () => {
  it('prints JSON with the basic and the new statistics, equal to a hand computation', async () => {
    let out = ''
    await runStatsCommand(files.image, files.labels, { json: true }, (t) => { out += t })
    const result = JSON.parse(out) as StatsResult
    expect(result.statistics.map((s) => s.label)).toEqual([1, 2])
    const [cube, corner] = result.statistics
    const [sx, sy, sz] = grid.spacing
    expect(cube.voxel_count).toBe(8)
    expect(cube.volume_mm3).toBeCloseTo(8 * sx * sy * sz, 12)
    expect(cube.surface_area_mm2).toBeCloseTo(2 * (4 * sy * sz + 4 * sx * sz + 4 * sx * sy), 10)
    // a 2-voxel extent has variance s^2 / 4 along each axis
    expect(cube.principal_moments_mm2).toEqual([sx, sy, sz].map((s) => s * s / 4).sort((a, b) => a - b).map((x) => expect.closeTo(x, 12)))
    const values: number[] = []
    for (let k = 1; k <= 2; k++) for (let j = 1; j <= 2; j++) for (let i = 1; i <= 2; i++) values.push(((i + 6 * (j + 5 * k)) * 37) % 200 - 100)
    values.sort((a, b) => a - b)
    expect(cube.intensity_median).toBe((values[3] + values[4]) / 2)
    expect(cube.min).toBe(values[0])
    expect(cube.max).toBe(values[7])
    expect(cube.touches_border).toBe(false)
    expect(corner.touches_border).toBe(true)
    expect(corner.voxels_on_border).toBe(1)
    expect(corner.std_sample).toBeNull()
  })

  it('prints a table through the registered command', async () => {
    const program = registerStatsCommand(new Command('voxelflow').exitOverride())
    const chunks: string[] = []
    const original = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((t: string) => { chunks.push(String(t)); return true }) as typeof process.stdout.write
    try {
      await program.parseAsync(['node', 'voxelflow', 'stats', files.image, files.labels])
    } finally {
      process.stdout.write = original
    }
    const text = chunks.join('')
    expect(text).toMatch(/^label\s+voxels\s+volume_ml/m)
    expect(text).toMatch(/^1\s+8\s/m)
    expect(text).toMatch(/^2\s+1\s/m)
  })

  it('refuses a label map on another grid, naming both files (BadInputError)', async () => {
    const error = await runStatsCommand(files.image, files.other, {}, () => {}).catch((e: unknown) => e)
    expect(isBadInput(error)).toBe(true)
    const message = (error as Error).message
    expect(message).toContain(files.image)
    expect(message).toContain(files.other)
    expect(message).toMatch(/spacing/)
  })

  it('refuses a missing file (BadInputError)', async () => {
    const error = await runStatsCommand(path.join(dir, 'nope.nii.gz'), files.labels, {}, () => {}).catch((e: unknown) => e)
    expect(isBadInput(error)).toBe(true)
    expect((error as Error).message).toContain('nope.nii.gz')
  })
})
