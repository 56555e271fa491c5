// The voxelflow command as users run it: a separate process, exit codes, --json output.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { dataPath, goldenPath, repoRoot } from '../support/paths.js'

function voxelflow(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 })
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

describe('voxelflow CLI', () => {
  it('writes the sample and processes it, printing reports with --json', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-'))
    const sample = voxelflow('sample', path.join(dir, 'in'), '--cases', '2', '--seed', '7')
    expect(sample.status).toBe(0)
    expect(existsSync(path.join(dir, 'in', 'pelvis-002', 'seg.dcm'))).toBe(true)

    const run = voxelflow('run', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--json', '--workers', '1')
    expect(run.stderr).not.toMatch(/Error/)
    expect(run.status).toBe(0)
    const reports = JSON.parse(run.stdout) as { case_id: string; status: string; labels: unknown[] }[]
    expect(reports.map((r) => [r.case_id, r.status, r.labels.length])).toEqual([
      ['pelvis-001', 'processed', 5],
      ['pelvis-002', 'processed', 5],
    ])
  })

  it('exits 2 naming the file when an input is broken, writes a failure report, and leaves the input alone', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-bad-'))
    mkdirSync(path.join(dir, 'in'))
    const broken = path.join(dir, 'in', 'broken.nii.gz')
    writeFileSync(broken, 'this is not a NIfTI file')
    const before = sha256(broken)

    const run = voxelflow('run', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--workers', '0')
    expect(run.status).toBe(2)
    expect(run.stdout).toMatch(/broken: FAILED \(bad_input\).*broken\.nii\.gz/)
    const report = JSON.parse(readFileSync(path.join(dir, 'out', 'broken', 'report.json'), 'utf8'))
    expect(report.status).toBe('failed')
    expect(report.error.kind).toBe('bad_input')
    expect(report.error.message).toContain('broken.nii.gz')
    expect(sha256(broken)).toBe(before)
  })

  it('exits 2 with a message naming the setting when the config is invalid', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-config-'))
    const config = path.join(dir, 'settings.json')
    writeFileSync(config, JSON.stringify({ segmentation: { lower_hu: 'high' } }))
    const run = voxelflow('run', path.join(dir, 'nothing'), '--out', path.join(dir, 'out'), '--config', config)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/settings\.json: invalid pipeline config: segmentation\.lower_hu/)
  })

  it('exits 2 for a missing input', () => {
    const run = voxelflow('run', '/no/such/scan', '--out', os.tmpdir())
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('/no/such/scan')
  })

  it('metrics: Dice of the ITK pelvis bone mask and its shifted copy as ITK computes it; a grid mismatch exits 2', () => {
    const run = voxelflow('metrics', goldenPath('itk/input/ct-pelvis-crop.bone.nii.gz'), goldenPath('itk/input/ct-pelvis-crop.bone-shift.nii.gz'), '--json')
    expect(run.status).toBe(0)
    const report = JSON.parse(run.stdout)
    const label = report.labels.find((l: { label: number }) => l.label === 1)
    // golden (i): ITK's Dice 0.373251748
    expect(Math.abs(label.volumetric_dice - 0.373251748)).toBeLessThan(1e-9)

    const mismatch = voxelflow('metrics', goldenPath('itk/input/ct-pelvis-crop.bone.nii.gz'), dataPath('ct-abdomen-dicom.labels.nii.gz'))
    expect(mismatch.status).toBe(2)
    expect(mismatch.stderr).toContain('ct-abdomen-dicom.labels.nii.gz')
  })
})
