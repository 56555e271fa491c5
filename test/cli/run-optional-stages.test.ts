// The optional stages' mistakes as users meet them on the command line: exit code 2 and a
// message naming the setting or the file; the input is left alone.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { goldenPath, repoRoot } from '../support/paths.js'

function voxelflow(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 })
}

describe('voxelflow run with derived images, augmentation and a moving image', () => {
  it('exits 2 naming the derived_images field that is wrong', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-derived-'))
    const config = path.join(dir, 'settings.json')
    writeFileSync(config, JSON.stringify({ derived_images: [{ name: 'lung', steps: [{ op: 'window', preset: 'lungs' }] }] }))
    const run = voxelflow('run', goldenPath('itk/input/ct-pelvis-crop.nii.gz'), '--out', path.join(dir, 'out'), '--config', config)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/settings\.json: invalid pipeline config: derived_images\.0\.steps\.0\.preset/)
  })

  it('exits 2 naming the augmentation field that is wrong', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-augment-'))
    const config = path.join(dir, 'settings.json')
    writeFileSync(config, JSON.stringify({ augmentation: { copies: 2, seed: 1, scale: [1.2, 0.8] } }))
    const run = voxelflow('run', goldenPath('itk/input/ct-pelvis-crop.nii.gz'), '--out', path.join(dir, 'out'), '--config', config)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/augmentation\.scale/)
  })

  it('exits 2 naming a moving image that is not NIfTI, and leaves it alone', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-moving-'))
    const moving = path.join(dir, 'moving.txt')
    writeFileSync(moving, 'not an image')
    const run = voxelflow('run', goldenPath('itk/input/ct-pelvis-crop.nii.gz'), '--out', path.join(dir, 'out'), '--moving', moving, '--workers', '0', '--json')
    expect(run.status).toBe(2)
    const [report] = JSON.parse(run.stdout) as { status: string; error: { kind: string; message: string } }[]
    expect(report.status).toBe('failed')
    expect(report.error.kind).toBe('bad_input')
    expect(report.error.message).toMatch(/moving\.txt: the moving image must be a NIfTI file/)
    expect(readFileSync(moving, 'utf8')).toBe('not an image')
  })
})
