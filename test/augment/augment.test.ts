// Augmentation checked against truths known from the inputs: mirrors, a phantom moved by a
// known rotation / scale / shift, labels on the object's intensity, seeds, noise and gamma.
import { beforeAll, describe, expect, it } from 'vitest'
import { gridOf, makeImage, pixelsOf, type Grid, type Image } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { applyTransform } from '../../src/image/affine-transform.js'
import { readNifti } from '../../src/io/nifti.js'
import { flipAlong, indexAxisAlong } from '../../src/augment/flip.js'
import { augmentImage } from '../../src/augment/augment-image.js'
import { drawAugmentParameters, identityAugmentation, type AugmentParameters } from '../../src/augment/augment-parameters.js'
import { forwardAugmentTransform } from '../../src/augment/spatial-augmentation.js'
import { gammaIntensity } from '../../src/augment/gamma.js'
import { addGaussianNoise } from '../../src/augment/gaussian-noise.js'
import { dataPath } from '../support/paths.js'

// an anisotropic grid whose index axes are not the LPS axes (axis 0 -> L, 1 -> S, 2 -> A, as
// the coronal mr-t1-head), with an ellipsoid off the centre: value 100 and label 1 inside
const grid: Grid = { size: [48, 40, 36], spacing: [1.2, 1, 1.5], origin: [-20, 30, -10], direction: [1, 0, 0, 0, 0, -1, 0, 1, 0] }
const objectCentre = indexToPhysical(grid, [30, 14, 20])
const semiAxes = [9, 7, 6] // mm along LPS x, y, z

function phantom(): { image: Image; labels: Image } {
  const n = grid.size[0] * grid.size[1] * grid.size[2]
  const img = new Float32Array(n), lab = new Uint8Array(n)
  let p = 0
  for (let k = 0; k < grid.size[2]; k++) for (let j = 0; j < grid.size[1]; j++) for (let i = 0; i < grid.size[0]; i++, p++) {
    const x = indexToPhysical(grid, [i, j, k])
    const r = [0, 1, 2].reduce((s, d) => s + ((x[d] - objectCentre[d]) / semiAxes[d]) ** 2, 0)
    if (r <= 1) { img[p] = 100; lab[p] = 1 }
  }
  return { image: makeImage(grid, img), labels: makeImage(grid, lab) }
}

function labelCentroidAndCount(labels: Image): { centroid: number[]; count: number } {
  const d = pixelsOf(labels)
  const sum = [0, 0, 0]
  let count = 0, p = 0
  for (let k = 0; k < grid.size[2]; k++) for (let j = 0; j < grid.size[1]; j++) for (let i = 0; i < grid.size[0]; i++, p++) {
    if (!d[p]) continue
    const x = indexToPhysical(grid, [i, j, k])
    for (let a = 0; a < 3; a++) sum[a] += x[a]
    count++
  }
  return { centroid: sum.map((s) => s / count), count }
}

const params = (p: Partial<AugmentParameters>): AugmentParameters => ({ ...identityAugmentation, ...p })
const bytes = (image: Image): Buffer => Buffer.from(pixelsOf(image).buffer)

describe('augmentation', () => {
  const { image, labels } = phantom()
  const before = labelCentroidAndCount(labels)

  describe('flips', () => {
    let head: Image
    beforeAll(async () => {
      head = await readNifti(dataPath('mr-t1-head.nii.gz'))
    })

    it('mirrors the LPS axis asked for: on the coronal head, AP reverses index axis 2, SI axis 1, LR axis 0', () => {
      expect(['LR', 'SI', 'AP'].map((a) => indexAxisAlong(head, a as 'LR'))).toEqual([0, 1, 2])
      const [nx, ny, nz] = head.size
      const src = pixelsOf(head), out = pixelsOf(flipAlong(head, 'AP'))
      for (const [i, j, k] of [[0, 0, 0], [64, 70, 10], [127, 127, 61], [5, 90, 40]]) {
        expect(out[(k * ny + j) * nx + i]).toBe(src[((nz - 1 - k) * ny + j) * nx + i])
      }
    })

    it('twice is the identity, bit for bit', () => {
      for (const axis of ['LR', 'AP', 'SI'] as const) expect(bytes(flipAlong(flipAlong(head, axis), axis)).equals(bytes(head))).toBe(true)
    })

    it('moves the phantom to the mirror position across the centre on that patient axis only', () => {
      const centre = indexToPhysical(grid, grid.size.map((n) => (n - 1) / 2))
      for (const [axis, lps] of [['LR', 0], ['AP', 1], ['SI', 2]] as const) {
        const after = labelCentroidAndCount(flipAlong(labels, axis))
        expect(after.count).toBe(before.count)
        for (let d = 0; d < 3; d++) {
          const expected = d === lps ? 2 * centre[d] - before.centroid[d] : before.centroid[d]
          expect(after.centroid[d]).toBeCloseTo(expected, 9)
        }
      }
    })
  })

  it('rotation, scaling and shift move the centroid where the transform says, and scale the volume by s^3', () => {
    const p = params({ rotation_deg: [0, 0, 30], scale: 1.15, translation_mm: [-3, 2, 4] })
    const out = augmentImage(image, labels, p)
    const forward = forwardAugmentTransform(grid, p.rotation_deg, p.scale, p.translation_mm)
    const expected = applyTransform(forward, before.centroid)
    const after = labelCentroidAndCount(out.labels!)
    // nearest-neighbour sampling of a ~880-voxel ellipsoid: the centroid moves by a small
    // fraction of a voxel (1-1.5 mm here); 0.3 mm is a quarter of the smallest spacing
    for (let d = 0; d < 3; d++) expect(Math.abs(after.centroid[d] - expected[d])).toBeLessThan(0.3)
    // the object's volume becomes 1.15^3 times the ellipsoid's, 4/3 pi a b c; counting voxel
    // centres inside a 1,340-voxel ellipsoid is off by ~1-2 % (surface voxels), so 3 %
    const voxelMm3 = grid.spacing[0] * grid.spacing[1] * grid.spacing[2]
    const scaledVolume = (4 / 3) * Math.PI * semiAxes[0] * semiAxes[1] * semiAxes[2] * 1.15 ** 3
    expect(Math.abs((after.count * voxelMm3) / scaledVolume - 1)).toBeLessThan(0.03)
    // a 30 degree turn about z alone: the centroid's distance to the centre's z-axis is kept
    const rot = labelCentroidAndCount(augmentImage(image, labels, params({ rotation_deg: [0, 0, 30] })).labels!)
    const c = indexToPhysical(grid, grid.size.map((n) => (n - 1) / 2))
    const angle = (q: number[]): number => Math.atan2(q[1] - c[1], q[0] - c[0])
    expect(((angle(rot.centroid) - angle(before.centroid)) * 180) / Math.PI).toBeCloseTo(30, 0)
  })

  it('labels stay on the object: every label voxel has intensity >= 100/8, every voxel above 100*7/8 is labelled', () => {
    // linear interpolation: the voxel nearest neighbour picks has weight >= 1/2 on each axis,
    // so >= 1/8 in all: a label voxel reads at least 100/8, an unlabelled one at most 100*7/8
    for (const seed of [1, 2, 3]) {
      const p = drawAugmentParameters(seed, { rotate_deg: 25, translate_mm: 6, scale: [0.85, 1.2], flip_axes: ['LR', 'AP', 'SI'] })
      const out = augmentImage(image, labels, p)
      const v = pixelsOf(out.image), l = pixelsOf(out.labels!)
      let labelled = 0
      for (let i = 0; i < v.length; i++) {
        if (l[i]) { labelled++; expect(v[i]).toBeGreaterThanOrEqual(12.5 - 1e-3) }
        if (v[i] > 87.5 + 1e-3) expect(l[i]).toBe(1)
      }
      expect(labelled).toBeGreaterThan(0.5 * before.count)
    }
  })

  it('the same seed gives identical bytes, another seed different ones', () => {
    const ranges = { rotate_deg: 15, translate_mm: 4, scale: [0.9, 1.1] as [number, number], flip_axes: ['LR' as const], gamma: [0.7, 1.5] as [number, number], noise_sd: [1, 5] as [number, number] }
    const a = augmentImage(image, labels, drawAugmentParameters(42, ranges))
    const b = augmentImage(image, labels, drawAugmentParameters(42, ranges))
    const c = augmentImage(image, labels, drawAugmentParameters(43, ranges))
    expect(bytes(a.image).equals(bytes(b.image))).toBe(true)
    expect(bytes(a.labels!).equals(bytes(b.labels!))).toBe(true)
    expect(bytes(a.image).equals(bytes(c.image))).toBe(false)
    expect(a.parameters).toEqual(b.parameters)
    expect(a.parameters).not.toEqual(c.parameters)
  })

  it('Gaussian noise has the asked SD and zero mean; gamma keeps the range and maps mid-tones as u^gamma', () => {
    const flat = makeImage({ size: [64, 64, 32], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Float32Array(64 * 64 * 32).fill(50))
    const noisy = pixelsOf(addGaussianNoise(flat, 7, 1))
    let s = 0, s2 = 0
    for (const v of noisy) { s += v - 50; s2 += (v - 50) ** 2 }
    const n = noisy.length, mean = s / n, sd = Math.sqrt(s2 / n - mean * mean)
    // 131,072 draws: standard error of the SD is 7/sqrt(2n) = 0.014, of the mean 0.02
    expect(Math.abs(sd - 7)).toBeLessThan(0.07)
    expect(Math.abs(mean)).toBeLessThan(0.1)
    const ramp = makeImage({ size: [5, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, Float32Array.from([-100, 0, 100, 200, 300]))
    const g = Array.from(pixelsOf(gammaIntensity(ramp, 2)))
    const expected = [0, 0.25, 0.5, 0.75, 1].map((u) => -100 + 400 * u * u)
    g.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3))
  })

  it('refuses labels on another grid', () => {
    const small = makeImage({ ...gridOf(image), size: [4, 4, 4] }, new Uint8Array(64))
    expect(() => augmentImage(image, small, identityAugmentation)).toThrow(/not on the image grid/)
  })
})
