import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { makeImage } from '../../src/image/image.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { dataPath } from '../support/paths.js'

describe('NIfTI through itk-wasm', () => {
  it('reads an LPS-stored NIfTI with the geometry the data README states', async () => {
    // mr-abdomen-3mm: affine diag(-3, -3, 3) in RAS, origin (168.59964, 166.359436, 28.989641):
    // in ITK's LPS that is direction identity and origin (-168.59964, -166.359436, 28.989641).
    const image = await readNifti(dataPath('mr-abdomen-3mm.nii.gz'))
    expect(image.size).toEqual([117, 91, 20])
    expect(image.spacing).toEqual([3, 3, 3])
    expect(Array.from(image.direction as ArrayLike<number>).map((v) => Math.round(v) + 0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    expect(image.origin[0]).toBeCloseTo(-168.59964, 4)
    expect(image.origin[1]).toBeCloseTo(-166.359436, 4)
    expect(image.origin[2]).toBeCloseTo(28.989641, 4)
  })

  it('writes .nii.gz as several gzip members that read back to the same voxels and grid', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-nifti-'))
    const size = [256, 256, 80] // 10 MiB of int16: more than one 8 MiB member
    const data = new Int16Array(size[0] * size[1] * size[2])
    for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 20) - 2048
    const direction = [0, 1, 0, -1, 0, 0, 0, 0, 1]
    const image = makeImage({ size, spacing: [0.7, 0.8, 2.5], origin: [10, -20, 30.5], direction }, data)
    const file = path.join(dir, 'x.nii.gz')
    await writeNifti(image, file)
    const bytes = readFileSync(file)
    let members = 0
    for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0x1f && bytes[i + 1] === 0x8b && bytes[i + 2] === 8) members++
    expect(members).toBeGreaterThan(1)
    expect(gunzipSync(bytes).length).toBe(352 + data.byteLength)
    const back = await readNifti(file)
    expect(back.size).toEqual(size)
    expect(Buffer.from((back.data as Int16Array).buffer, (back.data as Int16Array).byteOffset, data.byteLength).equals(Buffer.from(data.buffer))).toBe(true)
    for (let d = 0; d < 3; d++) expect(back.spacing[d]).toBeCloseTo(image.spacing[d], 5)
    expect(Array.from(back.direction as ArrayLike<number>).map((v) => Math.round(v) + 0)).toEqual(direction)
    expect(back.origin).toEqual(image.origin)
  })

  it('names the file when it is not NIfTI', async () => {
    await expect(readNifti(dataPath('README.md'))).rejects.toThrow(BadInputError)
    await expect(readNifti(dataPath('README.md'))).rejects.toThrow('README.md')
  })
})
