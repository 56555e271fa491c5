// readInputNifti takes the voxels from the data check's native inflate where the stored bytes are
// ITK's voxels (read-nifti-voxels-directly.ts): for every NIfTI of the shared data and goldens and
// for generated ones (int16 / uint8 / float32, .nii and .nii.gz, a rotated grid; scl_slope 2,
// scl_inter 5, big-endian, NIfTI-2), its Image must equal ITK's own full read of the file: type, grid,
// metadata exactly, voxel bytes identical. Which path each file takes follows from its header:
// little-endian, scl_slope 0 or 1 with scl_inter 0 and dim[0] 3 read directly, the rest through ITK.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { type Image, makeImage } from '../../src/image/image.js'
import { writeNifti } from '../../src/io/nifti.js'
import { parseNiftiHeader } from '../../src/io/nifti-header.js'
import { readInputNifti, readInputNiftiArriving } from '../../src/io/read-input-nifti.js'
import { readNiftiVoxelsArriving } from '../../src/io/read-nifti-voxels-directly.js'
import { checkNiftiFileHeader } from '../../src/io/validate-nifti-file.js'
import { closeFilterThreads } from '../../src/filters/filter-threads.js'
import { defaultLimits } from '../../src/pipeline/config.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { dataPath, goldenPath } from '../support/paths.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-nifti-direct-'))
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await closeFilterThreads()
})

function niftiFilesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(folder, entry))
    .filter((file) => /\.nii(\.gz)?$/.test(file) && statSync(file).isFile())
    .sort()
}

function headerOf(file: string) {
  const bytes = readFileSync(file)
  return parseNiftiHeader(bytes[0] === 0x1f ? zlib.gunzipSync(bytes) : bytes, file)
}

/** What the header says about the path: stored bytes are ITK's voxels. */
function expectsDirectRead(file: string): boolean {
  const h = headerOf(file)
  return h.version === 1 && h.littleEndian && h.dim[0] === 3 && (h.sclSlope === 0 || h.sclSlope === 1) && h.sclInter === 0
}

async function itkFullRead(file: string): Promise<Image> {
  const { niftiReadImageNode } = await import('@itk-wasm/image-io')
  const { couldRead, image } = await niftiReadImageNode(path.resolve(file))
  expect(couldRead).toBe(true)
  return image
}

function bytesOf(image: Image): Buffer {
  const data = image.data as ArrayBufferView
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

async function expectSameAsItk(file: string): Promise<Image> {
  const before = readFileSync(file)
  const [image, reference] = [await readInputNifti(file), await itkFullRead(file)]
  expect(image.imageType).toEqual(reference.imageType)
  expect(image.name).toBe(reference.name)
  expect(image.size).toEqual(reference.size)
  expect(image.spacing).toEqual(reference.spacing)
  expect(image.origin).toEqual(reference.origin)
  expect(Array.from(image.direction as ArrayLike<number>)).toEqual(Array.from(reference.direction as ArrayLike<number>))
  expect([...(image.metadata as Map<string, unknown>)]).toEqual([...(reference.metadata as Map<string, unknown>)])
  expect((image.data as ArrayLike<unknown>).length).toBe((reference.data as ArrayLike<unknown>).length)
  expect((image.data as object).constructor).toBe((reference.data as object).constructor)
  expect(bytesOf(image).equals(bytesOf(reference))).toBe(true)
  expect(readFileSync(file).equals(before)).toBe(true) // the input is never modified
  return image
}

/** Resolves to whether readNiftiVoxelsArriving delivered the image itself. */
async function readDirectly(file: string): Promise<boolean> {
  const direct = readNiftiVoxelsArriving(file, await checkNiftiFileHeader(file, defaultLimits), defaultLimits)
  const read = direct && (await direct)
  if (!read) return false
  await read.arrival.complete
  expect((read.image.data as ArrayBufferView).buffer).toBeInstanceOf(SharedArrayBuffer)
  return true
}

describe('readInputNifti on the shared scans and goldens equals ITK\'s full read', () => {
  const files = [...niftiFilesUnder(dataPath()), ...niftiFilesUnder(goldenPath())]
  it('finds the NIfTIs of both folders', () => {
    expect(files.length).toBeGreaterThanOrEqual(20)
  })
  for (const file of files) {
    const name = path.relative(path.dirname(dataPath()), file)
    it(name, async () => {
      const h = headerOf(file)
      if (h.dim[0] > 3 && h.dim.slice(4, h.dim[0] + 1).some((n) => n > 1)) {
        // a time series: refused from its header, as before
        await expect(readInputNifti(file)).rejects.toBeInstanceOf(BadInputError)
        return
      }
      await expectSameAsItk(file)
      expect(await readDirectly(file)).toBe(expectsDirectRead(file))
    })
  }
  it('includes files of both paths (dcm2niix\'s scl_inter -1024 and the Philips scl_slope go through ITK)', () => {
    const ready = files.filter((f) => headerOf(f).dim.slice(4).every((n) => n <= 1))
    expect(ready.filter(expectsDirectRead).length).toBeGreaterThanOrEqual(15)
    expect(ready.filter((f) => !expectsDirectRead(f)).map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['ct-abdomen-dicom.dcm2niix.nii.gz', 'Philips_WIP_B0_NS_801_e1.nii', 'Philips_WIP_B0_NS_801_e2_fieldmaphz.nii']),
    )
  })
})

const size = [37, 29, 11]
const grid = { size, spacing: [0.7, 1.3, 2.5], origin: [-12.5, 40.25, 7], direction: [0, 1, 0, -0.6, 0, 0.8, 0.8, 0, 0.6] }
const count = size[0] * size[1] * size[2]
const patterns = {
  int16: () => Int16Array.from({ length: count }, (_, i) => ((i * 2654435761) >>> 16) - 32768),
  uint8: () => Uint8Array.from({ length: count }, (_, i) => (i * 7919) & 255),
  float32: () => Float32Array.from({ length: count }, (_, i) => Math.sin(i) * 1e3 + i / 7),
}

async function generated(type: keyof typeof patterns, name: string): Promise<string> {
  const file = path.join(dir, name)
  await writeNifti(makeImage(grid, patterns[type]()), file)
  return file
}

describe('readInputNifti on generated NIfTIs', () => {
  for (const type of Object.keys(patterns) as (keyof typeof patterns)[]) {
    for (const suffix of ['.nii', '.nii.gz']) {
      it(`${type}${suffix}: read directly, with the values written`, async () => {
        const file = await generated(type, `${type}${suffix}`)
        const image = await expectSameAsItk(file)
        expect(Array.from(image.data as ArrayLike<number>)).toEqual(Array.from(patterns[type]()))
        expect(image.size).toEqual(size)
        expect(await readDirectly(file)).toBe(true)
      })
    }
  }

  it('a single-slice int16 volume (37 x 29 x 1) equals ITK\'s read, whichever path ITK\'s reading of its header allows', async () => {
    const file = path.join(dir, 'one-slice.nii.gz')
    const data = patterns.int16().subarray(0, 37 * 29)
    await writeNifti(makeImage({ ...grid, size: [37, 29, 1] }, data), file)
    const image = await expectSameAsItk(file)
    expect(Array.from(image.data as Int16Array)).toEqual(Array.from(data))
  })

  it('NIfTI-2 goes through ITK\'s full read, as before (this ITK build does not read it: both refuse)', async () => {
    const file = path.join(dir, 'float32-v2.nii')
    writeFileSync(file, nifti2From(readFileSync(await generated('float32', 'float32-v1.nii'))))
    expect(headerOf(file).version).toBe(2)
    expect(await readDirectly(file)).toBe(false)
    const { niftiReadImageNode } = await import('@itk-wasm/image-io')
    const itkReads = await niftiReadImageNode(file).then((r) => r.couldRead, () => false)
    if (itkReads) await expectSameAsItk(file)
    else await expect(readInputNifti(file)).rejects.toBeInstanceOf(BadInputError)
  })

  it('scl_slope 2 on float32: ITK rescales, so the file goes through ITK and the values come doubled', async () => {
    const bytes = readFileSync(await generated('float32', 'float-base.nii'))
    bytes.writeFloatLE(2, 112)
    bytes.writeFloatLE(0, 116)
    const file = path.join(dir, 'slope2.nii.gz')
    writeFileSync(file, zlib.gzipSync(bytes, { level: 1 }))
    const image = await expectSameAsItk(file)
    expect(Array.from(image.data as Float32Array)).toEqual(Array.from(patterns.float32(), (v) => Math.fround(v * 2)))
    expect(await readDirectly(file)).toBe(false)
  })

  it('scl_inter 5 with scl_slope 1 on int16: through ITK (float32 voxels v + 5)', async () => {
    const bytes = readFileSync(await generated('int16', 'int16-base.nii'))
    bytes.writeFloatLE(1, 112)
    bytes.writeFloatLE(5, 116)
    const file = path.join(dir, 'inter5.nii')
    writeFileSync(file, bytes)
    const image = await expectSameAsItk(file)
    expect(image.imageType.componentType).toBe('float32')
    expect(Array.from(image.data as Float32Array)).toEqual(Array.from(patterns.int16(), (v) => v + 5))
    expect(await readDirectly(file)).toBe(false)
  })

  it('big-endian int16: through ITK, the same image as the little-endian file', async () => {
    const little = await generated('int16', 'int16-le.nii')
    const file = path.join(dir, 'int16-be.nii')
    writeFileSync(file, bigEndianNifti1(readFileSync(little), 2))
    const image = await expectSameAsItk(file)
    expect(Array.from(image.data as Int16Array)).toEqual(Array.from(patterns.int16()))
    expect(image.origin).toEqual((await itkFullRead(little)).origin)
    expect(await readDirectly(file)).toBe(false)
  })

  it('readInputNiftiArriving on a truncated int16 .nii.gz: the voxels before the cut arrive as written, the rest and the whole fail with the check\'s verdict', async () => {
    const whole = zlib.gunzipSync(readFileSync(await generated('int16', 'int16-arriving.nii.gz')))
    const file = path.join(dir, 'int16-arriving-cut.nii.gz')
    const voxOffset = headerOf(file.replace('-cut', '')).voxOffset
    const kept = 5 * 37 * 29 // five whole slices of 11
    writeFileSync(file, zlib.gzipSync(whole.subarray(0, voxOffset + 2 * kept + 1)))
    const { image, arrival } = await readInputNiftiArriving(file, defaultLimits, 'cut.nii.gz')
    expect(arrival).toBeDefined()
    await arrival!.voxels(kept)
    expect(Array.from((image.data as Int16Array).subarray(0, kept))).toEqual(Array.from(patterns.int16().subarray(0, kept)))
    for (const pending of [arrival!.voxels(kept + 1), arrival!.complete]) {
      const error = await pending.then(() => undefined, (e: unknown) => e)
      expect(error).toBeInstanceOf(BadInputError)
      expect((error as BadInputError).message).toMatch(/truncated/)
      expect((error as BadInputError).file).toBe('cut.nii.gz')
    }
  })

  it('bad data still gets the check\'s verdict first: a truncated int16 .nii.gz', async () => {
    const whole = zlib.gunzipSync(readFileSync(await generated('int16', 'int16-whole.nii.gz')))
    const file = path.join(dir, 'int16-cut.nii.gz')
    writeFileSync(file, zlib.gzipSync(whole.subarray(0, whole.length - 1000)))
    const error = await readInputNifti(file, defaultLimits, 'cut.nii.gz').then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as BadInputError).message).toMatch(/truncated/)
    expect((error as BadInputError).field).toBe('dim')
  })
})

/** A little-endian NIfTI-1 file with every numeric header field and voxel byte-swapped (nifti1.h offsets). */
function bigEndianNifti1(little: Buffer, bytesPerVoxel: number): Buffer {
  const big = Buffer.from(little)
  const fields: [number, number, number][] = [
    // [offset, bytes, count]
    [0, 4, 1], [32, 4, 1], [36, 2, 1], [40, 2, 8], [56, 4, 3], [68, 2, 4], [76, 4, 8], [108, 4, 3], [120, 2, 1],
    [124, 4, 4], [140, 4, 2], [252, 2, 2], [256, 4, 18],
  ]
  const swap = (at: number, width: number) => big.subarray(at, at + width).reverse()
  for (const [offset, width, n] of fields) for (let i = 0; i < n; i++) swap(offset + i * width, width)
  const voxOffset = little.readFloatLE(108)
  for (let at = voxOffset; at < big.length; at += bytesPerVoxel) swap(at, bytesPerVoxel)
  return big
}

/** The little-endian NIfTI-2 (nifti2.h) twin of a little-endian NIfTI-1 file: the same fields, 540-byte header, voxels at 544. */
function nifti2From(v1: Buffer): Buffer {
  const voxOffset1 = v1.readFloatLE(108)
  const out = Buffer.alloc(544 + v1.length - voxOffset1)
  out.writeInt32LE(540, 0)
  Buffer.from('n+2\0\r\n\x1a\n', 'latin1').copy(out, 4)
  out.writeInt16LE(v1.readInt16LE(70), 12) // datatype
  out.writeInt16LE(v1.readInt16LE(72), 14) // bitpix
  for (let i = 0; i < 8; i++) out.writeBigInt64LE(BigInt(v1.readInt16LE(40 + 2 * i)), 16 + 8 * i) // dim
  for (let i = 0; i < 3; i++) out.writeDoubleLE(v1.readFloatLE(56 + 4 * i), 80 + 8 * i) // intent_p1..3
  for (let i = 0; i < 8; i++) out.writeDoubleLE(v1.readFloatLE(76 + 4 * i), 104 + 8 * i) // pixdim
  out.writeBigInt64LE(544n, 168) // vox_offset
  for (let i = 0; i < 6; i++) out.writeDoubleLE(v1.readFloatLE(112 + 4 * i), 176 + 8 * i) // scl_slope, scl_inter, cal_max, cal_min, slice_duration, toffset
  out.writeBigInt64LE(BigInt(v1.readInt16LE(74)), 224) // slice_start
  out.writeBigInt64LE(BigInt(v1.readInt16LE(120)), 232) // slice_end
  v1.copy(out, 240, 148, 252) // descrip, aux_file
  out.writeInt32LE(v1.readInt16LE(252), 344) // qform_code
  out.writeInt32LE(v1.readInt16LE(254), 348) // sform_code
  for (let i = 0; i < 18; i++) out.writeDoubleLE(v1.readFloatLE(256 + 4 * i), 352 + 8 * i) // quatern_b..qoffset_z, srow_x..z
  out.writeInt32LE(v1.readUInt8(122), 496) // slice_code
  out.writeInt32LE(v1.readUInt8(123), 500) // xyzt_units
  out.writeInt32LE(v1.readInt16LE(68), 504) // intent_code
  v1.copy(out, 508, 328, 344) // intent_name
  out.writeUInt8(v1.readUInt8(39), 524) // dim_info
  v1.copy(out, 544, voxOffset1)
  return out
}
