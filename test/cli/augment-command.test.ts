// `voxelflow augment` as users run it: same seed -> same files, labels follow, bad input exits 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pixelsOf } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { runAugmentCommand } from '../../src/cli/augment-command.js'
import { dataPath, repoRoot } from '../support/paths.js'

const voxelflow = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 })

describe('voxelflow augment', () => {
  let dir: string
  const file = (name: string): string => path.join(dir, name)
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-augment-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('the same seed writes the same bytes; the label map follows; the parameters are printed', async () => {
    const args = (tag: string, seed: string) => ['augment', dataPath('mr-t1-head.nii.gz'), file(`${tag}.nii.gz`), '--seed', seed,
      '--labels', dataPath('mr-t1-head.labels.nii.gz'), '--labels-out', file(`${tag}.labels.nii.gz`),
      '--rotate-deg', '8', '--scale', '1', '--translate-mm', '0', '--flip', 'LR', '--flip-probability', '1', '--gamma', '0.8,1.2', '--noise-sd', '2', '--json']
    const a = voxelflow(...args('a', '5'))
    expect(a.stderr).toBe('')
    expect(a.status).toBe(0)
    const b = voxelflow(...args('b', '5'))
    const c = voxelflow(...args('c', '6'))
    expect(b.status).toBe(0)
    expect(c.status).toBe(0)
    const summary = JSON.parse(a.stdout) as { parameters: { flips: string[]; noise_sd: number } }
    expect(summary.parameters.flips).toEqual(['LR'])
    expect(summary.parameters.noise_sd).toBe(2)
    expect(readFileSync(file('a.nii.gz')).equals(readFileSync(file('b.nii.gz')))).toBe(true)
    expect(readFileSync(file('a.labels.nii.gz')).equals(readFileSync(file('b.labels.nii.gz')))).toBe(true)
    expect(readFileSync(file('a.nii.gz')).equals(readFileSync(file('c.nii.gz')))).toBe(false)
    const labels = await readNifti(file('a.labels.nii.gz'))
    const original = await readNifti(dataPath('mr-t1-head.labels.nii.gz'))
    expect(labels.imageType.componentType).toBe(original.imageType.componentType)
    // no scaling: the head's tissue voxels (classes 2-6) keep their number up to the resampling of the edge
    const tissue = (d: ArrayLike<number>): number => { let n = 0; for (let i = 0; i < d.length; i++) if (d[i] >= 2) n++; return n }
    const ratio = tissue(pixelsOf(labels)) / tissue(pixelsOf(original))
    expect(ratio).toBeGreaterThan(0.97)
    expect(ratio).toBeLessThan(1.03)
  })

  it('exits 2 naming the input when it is missing; a malformed range is bad input naming the option', () => {
    const missing = file('none.nii.gz')
    const r = voxelflow('augment', missing, file('x.nii.gz'), '--seed', '1')
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(missing)
    return expect(runAugmentCommand(dataPath('mr-t1-head.nii.gz'), file('x.nii.gz'), { seed: 1, scale: [1.2, 0.8] }, () => {}))
      .rejects.toSatisfy((e: unknown) => isBadInput(e) && /scale/.test((e as Error).message))
  })
})
