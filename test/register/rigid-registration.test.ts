// Acceptance of issue 4's registration: a real head MR moved by a KNOWN rigid transform (our
// resampler with the transform, onto another grid) is registered back with elastix; the
// recovered transform must match the known one within 0.5 degree and 0.5 mm, and labels and
// landmarks must follow it.
import { beforeAll, describe, expect, it } from 'vitest'
import { readNifti } from '../../src/io/nifti.js'
import { gridOf, makeImage, pixelsOf, type Image } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { applyTransform, axisAngleMatrix, centredTransform, invertTransform, rotationAngleBetween } from '../../src/image/affine-transform.js'
import { isotropicGrid, resample, resampleLabels } from '../../src/filters/resample.js'
import { labelsOnFixedGrid, registerRigid, type RigidRegistrationResult } from '../../src/register/rigid-registration.js'
import { landmarksToFixed } from '../../src/register/transform-landmarks.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { dataPath, goldenPath } from '../support/paths.js'

const deg = 180 / Math.PI
const distance = (a: number[], b: number[]): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])

describe('rigid registration (elastix Euler 3-D, Mattes MI) on mr-t1-head', () => {
  let fixed: Image
  let labels: Image
  let movingLabels: Image
  let result: RigidRegistrationResult
  let centre: number[]
  // truth, fixed -> moving: 6 degrees about the oblique axis (1, 2, 3), about a point 11 mm off
  // the volume centre, then a shift of (4, -3, 2.5) mm
  const rotation = axisAngleMatrix([1, 2, 3], 6 / deg)
  let truth: ReturnType<typeof centredTransform>

  beforeAll(async () => {
    fixed = await readNifti(dataPath('mr-t1-head.nii.gz'))
    labels = await readNifti(dataPath('mr-t1-head.labels.nii.gz'))
    const grid = gridOf(fixed)
    centre = indexToPhysical(grid, grid.size.map((n) => (n - 1) / 2))
    truth = centredTransform(rotation, [centre[0] + 10, centre[1] - 5, centre[2] + 3], [4, -3, 2.5])
    // the moving image lives on another grid (2.5 mm isotropic): registration works in mm
    const movingGrid = isotropicGrid(grid, 2.5)
    const moving = resample(fixed, movingGrid, { interpolator: 'bspline', transform: invertTransform(truth) })
    movingLabels = resampleLabels(labels, movingGrid, invertTransform(truth))
    result = await registerRigid(fixed, moving, { seed: 7 })
    console.log(`registration of 128x128x62 onto ${movingGrid.size.join('x')}: ${(result.elapsed_ms / 1000).toFixed(1)} s; ` +
      `rotation error ${(rotationAngleBetween(rotation, result.transform.matrix) * deg).toFixed(4)} deg; ` +
      `metric ${result.metric.initial.toFixed(4)} -> ${result.metric.final.toFixed(4)}`)
  })

  it('recovers the rotation within 0.5 degree', () => {
    expect(rotationAngleBetween(rotation, result.transform.matrix) * deg).toBeLessThan(0.5)
    // the reported Euler angles describe the reported matrix (ITK's ZXY order)
    const [ax, ay, az] = result.transform.angles_deg.map((a) => a / deg)
    const rz = axisAngleMatrix([0, 0, 1], az), rx = axisAngleMatrix([1, 0, 0], ax), ry = axisAngleMatrix([0, 1, 0], ay)
    const composed = [rz, rx, ry].reduce((m, r) => m.map((_, q) => [0, 1, 2].reduce((s, k) => s + m[Math.floor(q / 3) * 3 + k] * r[k * 3 + (q % 3)], 0)))
    expect(rotationAngleBetween(composed, result.transform.matrix)).toBeLessThan(1e-9)
  })

  it('recovers the translation within 0.5 mm (displacement of the known centre of rotation) and every point of the volume within 1 mm', () => {
    const c = [centre[0] + 10, centre[1] - 5, centre[2] + 3]
    expect(distance(applyTransform(result.fixedToMoving, c), applyTransform(truth, c))).toBeLessThan(0.5)
    for (const corner of [[0, 0, 0], [127, 0, 0], [0, 127, 0], [0, 0, 61], [127, 127, 61]]) {
      const p = indexToPhysical(gridOf(fixed), corner)
      expect(distance(applyTransform(result.fixedToMoving, p), applyTransform(truth, p))).toBeLessThan(1)
    }
  })

  it('lowers the Mattes metric (-MI) from the unregistered pair', () => {
    expect(result.metric.final).toBeLessThan(result.metric.initial)
    expect(result.resampled.size).toEqual(fixed.size)
  })

  it('carries the moving label map back onto the fixed grid, aligned with the original labels', () => {
    const back = labelsOnFixedGrid(movingLabels, fixed, result.fixedToMoving)
    expect(back.imageType.componentType).toBe(labels.imageType.componentType)
    expect(back.size).toEqual(fixed.size)
    const original = pixelsOf(labels), followed = pixelsOf(back)
    // the same labels carried by the TRUE transform: they differ from ours only where the
    // registration error (hundredths of a mm here) tips a nearest-neighbour choice
    const ideal = pixelsOf(labelsOnFixedGrid(movingLabels, fixed, truth))
    let differ = 0
    for (let i = 0; i < ideal.length; i++) if (ideal[i] !== followed[i]) differ++
    expect(differ / ideal.length).toBeLessThan(0.005)
    // and the head (tissue classes 2-6 together) lands on the original head: the round trip
    // through a 2.5 mm grid moves its boundary by about one voxel, on a 286k-voxel object
    let inter = 0, na = 0, nb = 0
    for (let i = 0; i < original.length; i++) {
      const x = original[i] >= 2, y = followed[i] >= 2
      if (x) na++
      if (y) nb++
      if (x && y) inter++
    }
    console.log(`labels: ${differ} voxels differ from the true transform's; head Dice ${(2 * inter / (na + nb)).toFixed(4)}`)
    expect(2 * inter / (na + nb)).toBeGreaterThan(0.95)
  })

  it('moves landmarks marked in the moving image to where they are in the fixed image (within 0.5 mm)', () => {
    const points = [[20, 30, 10], [64, 64, 31], [100, 90, 50]].map((ijk) => indexToPhysical(gridOf(fixed), ijk))
    const moved = landmarksToFixed(points.map((p, n) => ({ label: `p${n}`, point: applyTransform(truth, p) })), result.movingToFixed)
    moved.forEach((m, n) => {
      expect(m.label).toBe(`p${n}`)
      expect(distance(m.point, points[n])).toBeLessThan(0.5)
    })
  })

  it('refuses a 2-D image as bad input', async () => {
    const flat = makeImage({ size: [8, 8, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Float32Array(64))
    await expect(registerRigid(fixed, flat, { movingName: 'flat.nii.gz' })).rejects.toThrow(BadInputError)
    await expect(registerRigid(fixed, flat, { movingName: 'flat.nii.gz' })).rejects.toThrow(/flat\.nii\.gz/)
  })
})

describe('rigid registration options on the CT pelvis crop', () => {
  let ct: Image
  let moved: Image
  // truth: a 3 degree turn about S and a 25 mm shift along L (a third of the field of view):
  // the moments initializer starts from the centres of mass, which moved with the anatomy
  const truth = centredTransform(axisAngleMatrix([0, 0, 1], 3 / deg), [0, 0, 0], [25, 0, 0])
  beforeAll(async () => {
    ct = await readNifti(goldenPath('itk', 'input', 'ct-pelvis-crop.nii.gz'))
    // shift applied about the volume centre so the body stays mostly inside the grid
    const c = indexToPhysical(gridOf(ct), gridOf(ct).size.map((n) => (n - 1) / 2))
    const t = centredTransform(truth.matrix, c, [25, 0, 0])
    truth.translation = t.translation
    moved = resample(ct, gridOf(ct), { interpolator: 'linear', defaultValue: -1024, transform: invertTransform(truth) })
  })

  it('the moments initializer recovers a large shift within 0.5 degree and 0.5 mm', async () => {
    const r = await registerRigid(ct, moved, { initializer: 'moments', seed: 3 })
    expect(rotationAngleBetween(truth.matrix, r.transform.matrix) * deg).toBeLessThan(0.5)
    const c = indexToPhysical(gridOf(ct), [35.5, 31.5, 19.5])
    expect(distance(applyTransform(r.fixedToMoving, c), applyTransform(truth, c))).toBeLessThan(0.5)
  })

  it('the same seed gives the same transform, another seed another one', async () => {
    const quick = { resolutions: 2, iterations: 60 }
    const a = await registerRigid(ct, moved, { ...quick, initializer: 'moments', seed: 1 })
    const b = await registerRigid(ct, moved, { ...quick, initializer: 'moments', seed: 1 })
    const c = await registerRigid(ct, moved, { ...quick, initializer: 'moments', seed: 2 })
    expect(b.transform).toEqual(a.transform)
    expect(c.transform).not.toEqual(a.transform)
  })
})
