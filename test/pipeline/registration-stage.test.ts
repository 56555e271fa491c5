// Registration as a pipeline stage: a real head MR is the case; its moving image is the same
// scan moved by a KNOWN rigid transform onto another grid (2.5 mm). After assembly the stage
// registers it to the output image; the transform in report.json must match the known one
// within issue 4's 0.5 degree and 0.5 mm, and moving_registered.nii.gz lies on the output grid.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { applyTransform, axisAngleMatrix, centredTransform, invertTransform, rotationAngleBetween } from '../../src/image/affine-transform.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { gridOf, pixelsOf, type Image } from '../../src/image/image.js'
import { extentCenteredIsotropicGrid, isotropicGrid, resample, resampleLabels } from '../../src/filters/resample.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { stageMovingImage } from '../../src/pipeline/registration-stage.js'
import type { Report } from '../../src/pipeline/report-schema.js'
import { eulerToAffine } from '../../src/register/euler-transform.js'
import { dataPath } from '../support/paths.js'

const deg = 180 / Math.PI
const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])

let fixed: Image
let report: Report
let outDir: string
// truth, fixed -> moving: 5 degrees about the oblique axis (2, -1, 1) about a point off the
// volume centre, then a shift of (-3, 4, 2) mm
const rotation = axisAngleMatrix([2, -1, 1], 5 / deg)
let truth: ReturnType<typeof centredTransform>
let rotationCentre: number[]

beforeAll(async () => {
  fixed = await readNifti(dataPath('mr-t1-head.nii.gz')) // 128 x 128 x 62, 2 x 2 x 3 mm
  const grid = gridOf(fixed)
  const centre = indexToPhysical(grid, grid.size.map((n) => (n - 1) / 2))
  rotationCentre = [centre[0] - 8, centre[1] + 6, centre[2] + 4]
  truth = centredTransform(rotation, rotationCentre, [-3, 4, 2])
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-register-in-'))
  const movingFile = path.join(dir, 'moving.nii.gz')
  await writeNifti(resample(fixed, isotropicGrid(grid, 2.5), { interpolator: 'bspline', transform: invertTransform(truth) }), movingFile)
  // the head's tissue labels, moved the same way (nearest neighbour)
  const movingLabelsFile = path.join(dir, 'moving.labels.nii.gz')
  await writeNifti(resampleLabels(await readNifti(dataPath('mr-t1-head.labels.nii.gz')), isotropicGrid(grid, 2.5), invertTransform(truth)), movingLabelsFile)
  outDir = mkdtempSync(path.join(os.tmpdir(), 'vf-register-out-'))
  const { cases } = await runLocal({
    input: dataPath('mr-t1-head.nii.gz'),
    out: outDir,
    moving: movingFile,
    movingLabels: movingLabelsFile,
    config: parseConfig({ intensity: { n4: 'off' }, chunks: { slices: 40 }, registration: { seed: 7 } }),
    workers: 2,
  })
  report = cases[0].report
  expect(report.status, JSON.stringify(report.error)).toBe('processed')
}, 180_000)

describe('registration stage', () => {
  it('recovers the known rotation within 0.5 degree and the translation within 0.5 mm', () => {
    const registration = report.registration!
    expect(registration.moving.endsWith('moving.nii.gz')).toBe(true)
    expect(rotationAngleBetween(rotation, registration.transform.matrix) * deg).toBeLessThan(0.5)
    const found = eulerToAffine(registration.transform)
    console.log(`registration stage: rotation error ${(rotationAngleBetween(rotation, registration.transform.matrix) * deg).toFixed(4)} deg, ` +
      `centre displacement error ${distance(applyTransform(found, rotationCentre), applyTransform(truth, rotationCentre)).toFixed(3)} mm, ${registration.seconds.toFixed(1)} s`)
    expect(distance(applyTransform(found, rotationCentre), applyTransform(truth, rotationCentre))).toBeLessThan(0.5)
    expect(registration.metric.final).toBeLessThan(registration.metric.initial) // -MI: lower is better aligned
  })

  it('writes the moving image on the output grid', async () => {
    const registered = await readNifti(path.join(outDir, 'mr-t1-head', 'moving_registered.nii.gz'))
    const image = await readNifti(path.join(outDir, 'mr-t1-head', 'image.nii.gz'))
    expect(registered.size).toEqual(image.size)
    expect(Array.from(registered.origin)).toEqual(Array.from(image.origin))
    expect(registered.imageType.componentType).toBe('float32')
    expect(report.registration!.output.key).toBe('mr-t1-head/moving_registered.nii.gz')
  })

  it('carries the moving labels onto the output grid, over the original labels', async () => {
    const followed = await readNifti(path.join(outDir, 'mr-t1-head', 'moving_labels_registered.nii.gz'))
    const original = resampleLabels(await readNifti(dataPath('mr-t1-head.labels.nii.gz')), extentCenteredIsotropicGrid(gridOf(fixed)))
    expect(followed.size).toEqual(original.size)
    expect(report.registration!.labels!.output.key).toBe('mr-t1-head/moving_labels_registered.nii.gz')
    // the head (tissue classes 2-6 together): two nearest-neighbour resamplings (through the
    // 2.5 mm moving grid and onto the 2 mm output grid) move its boundary by about a voxel
    const a = pixelsOf(original), b = pixelsOf(followed)
    let inter = 0, na = 0, nb = 0
    for (let i = 0; i < a.length; i++) {
      const x = a[i] >= 2, y = b[i] >= 2
      if (x) na++
      if (y) nb++
      if (x && y) inter++
    }
    expect((2 * inter) / (na + nb)).toBeGreaterThan(0.95)
  })

  it('a moving image that is not NIfTI is a bad-input error naming it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-register-bad-'))
    const file = path.join(dir, 'moving.dcm')
    writeFileSync(file, 'not an image')
    const run = { runId: 'r', configHash: 'h', workBucket: 'work', workPrefix: 'runs/r/', outputBucket: 'out', outputPrefix: 'c/', startedAt: '' }
    const error = await stageMovingImage([{ file, key: 'case/moving.dcm', role: 'moving' }], parseConfig({}), run, undefined as never).catch((e) => e)
    expect(error).toBeInstanceOf(BadInputError)
    expect(error.message).toContain('case/moving.dcm')
    expect(error.field).toBe('moving_image')
  })
})
