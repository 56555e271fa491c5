// Augmentation as a pipeline stage (config augmentation): a generated phantom whose label map is
// exactly its thresholded image (baseline segmentation, no closing) keeps that relation in every
// augmented copy up to nearest-neighbour limits, keeps its volume times scale^3, and each copy is
// determined by (seed, case id, k), whatever the chunking.
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Image, makeImage, pixelsOf } from '../../src/image/image.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { runLocal } from '../../src/local/run-local.js'
import { drawCopyParameters } from '../../src/pipeline/augmentation-stage.js'
import { parseConfig } from '../../src/pipeline/config.js'
import type { Report } from '../../src/pipeline/report-schema.js'

const size = [48, 48, 36]
const augmentation = { copies: 2, seed: 5, rotate_deg: 15, translate_mm: 3, scale: [0.9, 1.1], flip: ['LR'], flip_probability: 0.5 }
const settings = { segmentation: { lower_hu: 0, closing_radius_voxels: 0 }, augmentation }

/** -1000 HU with an off-centre ellipsoid (radii 11, 7, 6 mm) of +1000 HU, 1 mm voxels. */
function phantom(): Image {
  const [nx, ny, nz] = size
  const data = new Int16Array(nx * ny * nz).fill(-1000)
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const q = ((x - 21) / 11) ** 2 + ((y - 26) / 7) ** 2 + ((z - 17) / 6) ** 2
    if (q <= 1) data[(z * ny + y) * nx + x] = 1000
  }
  return makeImage({ size, spacing: [1, 1, 1], origin: [-20, 10, 5], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
}

let input: string
async function run(chunkSlices: number): Promise<{ report: Report; dir: string }> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-augment-'))
  const { cases } = await runLocal({ input, out, config: parseConfig({ ...settings, chunks: { slices: chunkSlices } }), workers: 2 })
  expect(cases[0].report.status, JSON.stringify(cases[0].report.error)).toBe('processed')
  return { report: cases[0].report, dir: cases[0].outputDir }
}

let first: Awaited<ReturnType<typeof run>>

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-augment-in-'))
  input = path.join(dir, 'phantom.nii.gz')
  await writeNifti(phantom(), input)
  first = await run(7)
}, 60_000)

/** Voxels whose 3 x 3 x 3 neighbourhood (inside the grid) holds both labels. */
function onBoundary(mask: Uint8Array, i: number): boolean {
  const [nx, ny, nz] = size
  const x = i % nx, y = Math.floor(i / nx) % ny, z = Math.floor(i / (nx * ny))
  for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const X = x + dx, Y = y + dy, Z = z + dz
    if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) continue
    if (mask[(Z * ny + Y) * nx + X] !== mask[i]) return true
  }
  return false
}

describe('augmentation stage', () => {
  it('the source relation holds: labels = image >= 0 HU', async () => {
    const image = pixelsOf(await readNifti(path.join(first.dir, 'image.nii.gz')))
    const labels = pixelsOf(await readNifti(path.join(first.dir, 'labels.nii.gz')))
    let mismatches = 0
    for (let i = 0; i < image.length; i++) if ((image[i] >= 0 ? 1 : 0) !== labels[i]) mismatches++
    expect(mismatches).toBe(0)
  })

  for (const k of [0, 1]) {
    it(`copy ${k}: labels follow the image (thresholded copy = labels but on the boundary), volume x scale^3`, async () => {
      const copy = first.report.augmentation!.copies[k]
      const image = await readNifti(path.join(first.dir, 'augmented', String(k), 'image.nii.gz'))
      const labels = await readNifti(path.join(first.dir, 'augmented', String(k), 'labels.nii.gz'))
      expect(image.size).toEqual(size)
      expect(labels.size).toEqual(size)
      const img = pixelsOf(image)
      const lab = pixelsOf(labels) as Uint8Array
      let mismatches = 0, offBoundary = 0, both = 0, inImage = 0, inLabels = 0, original = 0
      const source = pixelsOf(phantom())
      for (let i = 0; i < img.length; i++) {
        const a = img[i] >= 0 ? 1 : 0 // the midpoint of -1000 and +1000: where linear interpolation crosses
        if (source[i] > 0) original++
        inImage += a
        inLabels += lab[i]
        if (a && lab[i]) both++
        if (a !== lab[i]) {
          mismatches++
          if (!onBoundary(lab, i)) offBoundary++
        }
      }
      // linear interpolation and nearest neighbour can disagree only where the 8 input voxels
      // around the mapped point mix both labels: next to the label boundary
      expect(offBoundary).toBe(0)
      // and that band is thin: Dice of the two masks (0.973 and 0.978 for these draws)
      expect((2 * both) / (inImage + inLabels)).toBeGreaterThan(0.95)
      // rotation, flips and shifts keep the volume; the scale multiplies it by s^3 (nearest-neighbour
      // sampling of the boundary: a few percent for a ~2000-voxel object)
      const s = copy.parameters.scale
      expect(Math.abs(inLabels / (original * s ** 3) - 1)).toBeLessThan(0.04)
      expect(copy.parameters).toEqual(drawCopyParameters(parseConfig(settings).augmentation!, 'phantom', k).parameters)
    })
  }

  it('copies differ from each other; the same seed, case and k give the same bytes whatever the chunking', async () => {
    const [c0, c1] = first.report.augmentation!.copies
    expect(c0.parameters).not.toEqual(c1.parameters)
    expect(c0.parameters.rotation_deg.some((a) => a !== 0)).toBe(true)
    const again = await run(36)
    expect(again.report.augmentation).toEqual(first.report.augmentation)
    for (const k of [0, 1]) for (const file of ['image.nii.gz', 'labels.nii.gz']) {
      const a = readFileSync(path.join(first.dir, 'augmented', String(k), file))
      const b = readFileSync(path.join(again.dir, 'augmented', String(k), file))
      expect(a.equals(b), `augmented/${k}/${file}`).toBe(true)
    }
  }, 60_000)
})
