// NIfTI files whose header lies are refused before ITK allocates anything, with the file and the
// header field named (issue 9). Every file is a mutation of a small volume ITK itself wrote.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { readInputNifti } from '../../src/io/read-input-nifti.js'
import { validateNiftiFile } from '../../src/io/validate-nifti-file.js'
import { defaultLimits, parseConfig } from '../../src/pipeline/config.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { type Mutation, mutate, offsets, phantomSize, setF32, setI16, validNiftiBytes, writeNiftiFile } from './support/broken-nifti.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-nifti-lies-'))
let valid: Buffer

beforeAll(async () => {
  valid = await validNiftiBytes(dir)
})

const voxelBytes = phantomSize[0] * phantomSize[1] * phantomSize[2] * 4

async function rejection(name: string, bytes: Buffer, limits = defaultLimits): Promise<BadInputError> {
  const file = writeNiftiFile(path.join(dir, name), bytes)
  const before = readFileSync(file)
  const error = await readInputNifti(file, limits, name).then(() => undefined, (e: unknown) => e)
  expect(readFileSync(file).equals(before)).toBe(true) // the input is never modified
  expect(error).toBeInstanceOf(BadInputError)
  return error as BadInputError
}

describe('NIfTI header validation', () => {
  it('reads the untouched phantom (both .nii and .nii.gz) with the values written', async () => {
    expect(valid.readFloatLE(offsets.voxOffset)).toBe(352)
    for (const name of ['ok.nii', 'ok.nii.gz']) {
      const image = await readInputNifti(writeNiftiFile(path.join(dir, name), valid))
      const data = pixelsOf(image)
      expect(data.length).toBe(phantomSize[0] * phantomSize[1] * phantomSize[2])
      expect(data[37]).toBe(37)
    }
  })

  const cases: [string, Mutation[], RegExp, string][] = [
    ['terabytes.nii', [setI16(offsets.dim + 2, 30000), setI16(offsets.dim + 4, 30000), setI16(offsets.dim + 6, 30000)], /30000 x 30000 x 30000 voxels \(27000000000000\) exceeds limits\.max_voxels = 536870912/, 'limits.max_voxels'],
    ['zero-spacing.nii', [setF32(offsets.pixdim + 4, 0)], /pixdim\[1\] \(voxel spacing\) is 0/, 'pixdim[1]'],
    ['negative-spacing.nii', [setF32(offsets.pixdim + 12, -2.5)], /pixdim\[3\] \(voxel spacing\) is -2\.5/, 'pixdim[3]'],
    ['nan-spacing.nii', [setF32(offsets.pixdim + 8, NaN)], /pixdim\[2\] \(voxel spacing\) is NaN/, 'pixdim[2]'],
    ['nan-qform.nii', [setI16(offsets.qformCode, 1), setF32(offsets.quatern + 16, NaN)], /qoffset_y is NaN/, 'qoffset_y'],
    ['inf-sform.nii', [setI16(offsets.sformCode, 1), setF32(offsets.srow + 4 * 6, Infinity)], /srow_y\[2\] is Infinity/, 'srow_y[2]'],
    ['vox-offset-beyond-end.nii', [setF32(offsets.voxOffset, 1e6)], /vox_offset 1000000 lies beyond the end of the file \(832 bytes\)/, 'vox_offset'],
    ['vox-offset-inside-header.nii', [setF32(offsets.voxOffset, 100)], /vox_offset 100 lies inside the header/, 'vox_offset'],
    ['unknown-datatype.nii', [setI16(offsets.datatype, 999)], /unknown datatype code 999/, 'datatype'],
    ['rgb-datatype.nii', [setI16(offsets.datatype, 128)], /datatype 128 \(RGB24\) is not a scalar image type/, 'datatype'],
    ['four-d.nii', [setI16(offsets.dim, 4), setI16(offsets.dim + 8, 3)], /4D image \(dim\[4\] = 3\) where a 3D volume is expected/, 'dim[4]'],
    ['zero-dim.nii', [setI16(offsets.dim + 4, 0)], /dim\[2\] is 0/, 'dim[2]'],
    ['nan-voxels.nii', [setF32(352 + 4 * 31, NaN), setF32(352 + 4 * 100, -Infinity)], /2 voxels are NaN or infinite \(first at voxel 1, 0, 1\)/, 'voxels'],
    ['not-nifti.nii', [(b) => (b.writeInt32LE(1234, 0), b)], /not a NIfTI file: sizeof_hdr is 1234/, 'sizeof_hdr'],
  ]
  for (const [name, mutations, message, field] of cases) {
    for (const suffix of ['', '.gz']) {
      it(`${name}${suffix}: ${field}`, async () => {
        const error = await rejection(name + suffix, mutate(valid, ...mutations))
        // For .gz the "file" is the inflated stream; the vox_offset message says so.
        expect(error.message.replace('decompressed ', '')).toMatch(message)
        expect(error.message.startsWith(`${name}${suffix}: `)).toBe(true)
        expect(error.field).toBe(field)
      })
    }
  }

  it('a truncated file says how many bytes the header promised and how many are there', async () => {
    const bytes = valid.subarray(0, 352 + voxelBytes / 2)
    expect((await rejection('half.nii', bytes)).message).toMatch(/half\.nii: truncated: the header promises 120 voxels \(832 bytes with the header\) but the file has 592 bytes/)
    const gz = zlib.gzipSync(valid).subarray(0, 300) // a gzip stream cut short
    const file = path.join(dir, 'cut.nii.gz')
    writeFileSync(file, gz)
    const error = await validateNiftiFile(file, defaultLimits, 'cut.nii.gz').then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as Error).message).toMatch(/cut\.nii\.gz: (truncated|vox_offset)/)
  })

  it('refuses data that would inflate beyond limits.max_decompressed_bytes, from the header alone', async () => {
    const limits = parseConfig({ limits: { max_decompressed_bytes: 4096 } }).limits
    const big = mutate(valid, setI16(offsets.dim + 6, 100)) // 6 x 5 x 100 float32 = 12000 bytes + 352
    const error = await rejection('inflates.nii.gz', Buffer.concat([big, Buffer.alloc(12000)]), limits)
    expect(error.message).toBe('inflates.nii.gz: header and voxel data bytes (12352) exceeds limits.max_decompressed_bytes = 4096')
    expect(error.field).toBe('limits.max_decompressed_bytes')
  })

  it('a gzip bomb after the declared data is never inflated: 1 GiB of trailing zeros costs nothing', async () => {
    // 64 gzip members of 16 MiB of zeros each follow the real volume: 1 GiB inflated, ~1 MB on disk.
    const zeros = zlib.gzipSync(Buffer.alloc(16 * 2 ** 20), { level: 9 })
    const file = path.join(dir, 'bomb.nii.gz')
    writeFileSync(file, Buffer.concat([zlib.gzipSync(valid), ...Array.from({ length: 64 }, () => zeros)]))
    const rssBefore = process.memoryUsage().rss
    const checked = await validateNiftiFile(file, defaultLimits)
    expect(checked.endOfData).toBe(352 + voxelBytes)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20)
    const image = await readInputNifti(file)
    expect(pixelsOf(image)[119]).toBe(119)
  })
})
