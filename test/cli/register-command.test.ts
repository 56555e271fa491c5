// `voxelflow register` on a real CT crop moved by a known rigid transform: the transform JSON,
// the carried label map and landmarks, and bad input (exit code 2 from the real process).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gridOf, pixelsOf, type Image } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { applyTransform, axisAngleMatrix, centredTransform, invertTransform, rotationAngleBetween } from '../../src/image/affine-transform.js'
import { resample, resampleLabels } from '../../src/filters/resample.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { runRegisterCommand, type RegisterSummary } from '../../src/cli/register-command.js'
import { goldenPath, repoRoot } from '../support/paths.js'

const deg = 180 / Math.PI

describe('voxelflow register', () => {
  let dir: string
  let ct: Image
  let bone: Image
  let summary: RegisterSummary
  const rotation = axisAngleMatrix([0, 1, 1], -4 / deg)
  let truth: ReturnType<typeof centredTransform>
  let marks: number[][]
  const file = (name: string): string => path.join(dir, name)

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-register-'))
    ct = await readNifti(goldenPath('itk', 'input', 'ct-pelvis-crop.nii.gz'))
    bone = await readNifti(goldenPath('itk', 'input', 'ct-pelvis-crop.bone.nii.gz'))
    const g = gridOf(ct)
    const centre = indexToPhysical(g, g.size.map((n) => (n - 1) / 2))
    truth = centredTransform(rotation, centre, [3, -2, 1.5])
    await writeNifti(resample(ct, g, { interpolator: 'bspline', defaultValue: -1024, transform: invertTransform(truth) }), file('moving.nii.gz'))
    await writeNifti(resampleLabels(bone, g, invertTransform(truth)), file('moving-bone.nii.gz'))
    marks = [[10, 20, 5], [36, 32, 20], [60, 50, 35]].map((ijk) => indexToPhysical(g, ijk))
    writeFileSync(file('marks.json'), JSON.stringify(marks.map((p, n) => ({ label: `m${n}`, point: applyTransform(truth, p) }))))
    summary = await runRegisterCommand(goldenPath('itk', 'input', 'ct-pelvis-crop.nii.gz'), file('moving.nii.gz'), file('out.nii.gz'), {
      transformOut: file('t.json'), movingLabels: file('moving-bone.nii.gz'), labelsOut: file('bone-back.nii.gz'), landmarks: file('marks.json'),
    }, () => {})
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes the recovered transform (within 0.5 degree and 0.5 mm) as JSON', () => {
    const written = JSON.parse(readFileSync(file('t.json'), 'utf8')) as RegisterSummary
    expect(written.transform.direction).toBe('fixed-to-moving')
    expect(rotationAngleBetween(rotation, written.transform.matrix) * deg).toBeLessThan(0.5)
    const c = indexToPhysical(gridOf(ct), [35.5, 31.5, 19.5])
    const a = applyTransform(written.fixed_to_moving, c), b = applyTransform(truth, c)
    expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])).toBeLessThan(0.5)
    expect(written.metric.final).toBeLessThan(written.metric.initial)
  })

  it('writes the moving image and the bone mask on the fixed grid; the mask sits on bone again', async () => {
    const out = await readNifti(file('out.nii.gz'))
    expect(out.size).toEqual(ct.size)
    const back = await readNifti(file('bone-back.nii.gz'))
    expect(back.imageType.componentType).toBe('uint8')
    const a = pixelsOf(bone), b = pixelsOf(back)
    let inter = 0, na = 0, nb = 0
    for (let i = 0; i < a.length; i++) {
      if (a[i]) na++
      if (b[i]) nb++
      if (a[i] && b[i]) inter++
    }
    // a thin structure (12,750 voxels at 3 mm) resampled there and back with nearest
    // neighbour: each pass moves its boundary by up to half a voxel
    expect(2 * inter / (na + nb)).toBeGreaterThan(0.85)
  })

  it('carries the landmarks into fixed space (within 0.5 mm)', () => {
    expect(summary.landmarks?.map((l) => l.label)).toEqual(['m0', 'm1', 'm2'])
    summary.landmarks!.forEach((l, n) => {
      expect(Math.hypot(...l.point.map((v, d) => v - marks[n][d]))).toBeLessThan(0.5)
    })
  })

  it('bad input is a BadInputError naming the file, and the process exits 2', async () => {
    const missing = file('nope.nii.gz')
    await expect(runRegisterCommand(missing, file('moving.nii.gz'), file('x.nii.gz'))).rejects.toSatisfy((e: unknown) => isBadInput(e) && String((e as Error).message).includes(missing))
    await expect(runRegisterCommand(file('moving.nii.gz'), file('moving.nii.gz'), file('x.nii.gz'), { labelsOut: file('l.nii.gz') })).rejects.toSatisfy(isBadInput)
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), 'register', missing, file('moving.nii.gz'), file('x.nii.gz')], { encoding: 'utf8', cwd: repoRoot, timeout: 60_000 })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(missing)
  })
})
