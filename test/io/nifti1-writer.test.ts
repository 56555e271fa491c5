// The plain NIfTI-1 writer against itk-wasm's writer (ITK's NiftiImageIO, the reference): the
// same 352 header bytes for real and synthetic images (axial LAS, feet-first, sagittal,
// oblique, left-handed, 4-D), and the itk-wasm reader gets the same voxels and grid back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { allocatePixels, type ComponentType, type Image, makeImage, pixelsOf } from '../../src/image/image.js'
import { stackTimeSeries } from '../../src/image/time-series.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { writeNiftiPlain } from '../../src/io/write-nifti-plain.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { choosePrimarySeries, inventoryDicom } from '../../src/io/dicom-series.js'
import { readDicomVolume } from '../../src/io/dicom-volume.js'
import { readdirSync } from 'node:fs'
import { dataPath } from '../support/paths.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-nifti1-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Rotation about a unit axis by an angle (Rodrigues), row-major. */
function rotation(axis: number[], degrees: number): number[] {
  const [x, y, z] = axis.map((v) => v / Math.hypot(...axis))
  const t = (degrees * Math.PI) / 180
  const c = Math.cos(t)
  const s = Math.sin(t)
  const k = 1 - c
  return [c + x * x * k, x * y * k - z * s, x * z * k + y * s, y * x * k + z * s, c + y * y * k, y * z * k - x * s, z * x * k - y * s, z * y * k + x * s, c + z * z * k]
}

function synthetic(type: ComponentType, direction: number[], size = [5, 4, 3]): Image {
  const data = allocatePixels(type, size[0] * size[1] * size[2])
  for (let i = 0; i < data.length; i++) data[i] = type.startsWith('float') ? i * 0.37 - 3 : (i * 7) % 120
  return makeImage({ size, spacing: [0.8125, 1.25, 3.5], origin: [-120.5, 33.25, -7.125], direction }, data)
}

const cases: Record<string, () => Promise<Image> | Image> = {
  'ct-liver-ffs as convert reads it (int16, LAS)': async () => {
    const folder = dataPath('ct-liver-ffs')
    const headers = await Promise.all(readdirSync(folder).sort().map((f) => readDicomHeader(path.join(folder, f))))
    return (await readDicomVolume(choosePrimarySeries(inventoryDicom(headers), folder), { layout: 'dcm2niix' })).image
  },
  'identity, uint8': () => synthetic('uint8', [1, 0, 0, 0, 1, 0, 0, 0, 1]),
  'dcm2niix axial layout, int16': () => synthetic('int16', [1, 0, 0, 0, -1, 0, 0, 0, 1]),
  'sagittal [0,1,0,0,0,-1], float32': () => synthetic('float32', [0, 0, 1, 1, 0, 0, 0, -1, 0]),
  'oblique 18.5 deg about x, int32': () => synthetic('int32', rotation([1, 0, 0], 18.5)),
  'oblique about (1,2,3) by 37 deg, uint16': () => synthetic('uint16', rotation([1, 2, 3], 37)),
  'left-handed oblique (one axis flipped), float64': () => {
    const r = rotation([0.3, -1, 0.2], 123)
    return synthetic('float64', [r[0], r[1], -r[2], r[3], r[4], -r[5], r[6], r[7], -r[8]])
  },
  '180 deg about z (quaternion a = 0 branch), int8': () => synthetic('int8', [-1, 0, 0, 0, -1, 0, 0, 0, 1]),
  '4-D, 3 time points of 1.5 s': () => {
    const v = synthetic('int16', rotation([0, 0, 1], 10))
    return stackTimeSeries([v, v, v], 1.5)
  },
}

describe('plain NIfTI-1 writer', () => {
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: header bytes equal itk-wasm's, voxels and grid read back`, async () => {
      const image = await make()
      const ours = path.join(dir, `${name.replace(/\W+/g, '_')}.plain.nii`)
      const itk = path.join(dir, `${name.replace(/\W+/g, '_')}.itk.nii`)
      await writeNiftiPlain(image, ours)
      await writeNifti(image, itk)
      const a = readFileSync(ours)
      const b = readFileSync(itk)
      expect(a.length).toBe(b.length)
      const differing = [...Array(352).keys()].filter((i) => a[i] !== b[i])
      expect(differing).toEqual([])
      expect(Buffer.compare(a, b)).toBe(0)
      const back = await readNifti(ours)
      expect([...back.size]).toEqual([...image.size])
      expect(Buffer.compare(Buffer.from(pixelsOf(back).buffer), Buffer.from(pixelsOf(image).buffer))).toBe(0)
      for (let i = 0; i < image.origin.length; i++) expect(back.origin[i]).toBeCloseTo(image.origin[i], 4)
      const d = Array.from(image.direction as ArrayLike<number>)
      Array.from(back.direction as ArrayLike<number>).forEach((v, i) => expect(v).toBeCloseTo(d[i], 5))
    })
  }

  it('.nii.gz: the same bytes once decompressed', async () => {
    const image = synthetic('int16', rotation([1, 1, 0], 25))
    const gz = path.join(dir, 'x.nii.gz')
    const raw = path.join(dir, 'x.nii')
    await writeNiftiPlain(image, gz)
    await writeNifti(image, raw)
    expect(Buffer.compare(gunzipSync(readFileSync(gz)), readFileSync(raw))).toBe(0)
  })
})
