// Streaming an uncompressed series straight into the .nii (nifti-voxel-sink.ts): a generated CT
// phantom with known stored values (air 24, water 1024, 12 bits) must give, voxel for voxel,
// stored + intercept at its row-flipped place (dcm2niix's layout), the same bytes as the
// in-memory path (.nii.gz, decompressed) and the same sidecar, HU warnings included: with
// intercept 0 the air peak is at 24 -> bin centre 25 HU and water at 1025 HU (10 HU bins from
// -4000). Rows that the SIMD kernel cannot convert (37 columns) are read into memory instead.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { niftiVoxelSink } from '../../src/io/nifti-voxel-sink.js'
import { sliceGeometry } from '../../src/io/slice-geometry.js'
import { streamUncompressedSeries } from '../../src/io/uncompressed-series.js'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { HuHistogram } from '../../src/measure/hu-plausibility.js'
import { axialCtSliceFile } from '../support/axial-ct-slice.js'

const folder = mkdtempSync(path.join(os.tmpdir(), 'vf-voxel-sink-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const rows = 48
const slices = 12
const air = 24
const water = 1024

/** Stored value at (column i, row j) of every slice: a water disc of radius 18 in air. */
const stored = (columns: number, i: number, j: number) => ((i - columns / 2) ** 2 + (j - rows / 2) ** 2 <= 18 ** 2 ? water : air)

/** A CT series of `slices` files (written in reverse order of position); returns its folder. */
function writePhantom(name: string, columns: number, intercept: number): string {
  const dir = path.join(folder, name)
  mkdirSync(dir)
  const seriesUid = `1.2.826.0.1.3680043.9.7433.5.${columns}.${intercept + 2000}`
  for (let k = 0; k < slices; k++) {
    const pixels = new Uint16Array(rows * columns)
    for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) pixels[j * columns + i] = stored(columns, i, j)
    writeFileSync(path.join(dir, `${k}.dcm`), axialCtSliceFile({
      seriesUid, frameOfReferenceUid: '1.2.826.0.1.3680043.9.7433.6', index: k, position: (slices - 1 - k) * 2.5,
      rows, columns, bitsStored: 12, signed: false, intercept: String(intercept), slope: '1', pixels,
    }))
  }
  return dir
}

/** Voxels [slice][row bottom-up][column] as dcm2niix lays them out: stored + intercept, rows flipped. */
function expectedVoxels(columns: number, intercept: number): Int16Array {
  const out = new Int16Array(columns * rows * slices)
  for (let k = 0; k < slices; k++) for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) out[(k * rows + j) * columns + i] = stored(columns, i, rows - 1 - j) + intercept
  return out
}

async function headersOf(dir: string) {
  return Promise.all(Array.from({ length: slices }, (_, k) => readDicomHeader(path.join(dir, `${k}.dcm`))))
}

describe('streamUncompressedSeries', () => {
  it('hands every slice over once, in order, as final voxels, after the grid and type; the histogram of the pieces is the whole volume\'s', async () => {
    const columns = 64
    const headers = await headersOf(writePhantom('stream', columns, -1024))
    const calls: string[] = []
    const voxels = new Uint8Array(columns * rows * slices * 2)
    const pieces = new HuHistogram(columns * rows * slices)
    const { image, streamed } = await streamUncompressedSeries(headers, sliceGeometry(headers), 'bottom-up', {
      begin: (grid) => calls.push(`begin ${grid.size.join('x')} ${grid.imageType.componentType} ${pixelsOf(grid).length}`),
      write: (bytes, at) => {
        calls.push(`write ${at}`)
        voxels.set(bytes, at)
      },
    }, (values, from, to, valuesStart) => pieces.add(values, from, to, valuesStart))
    expect(streamed).toBe(true)
    expect(pixelsOf(image).length).toBe(0)
    expect([...image.size]).toEqual([columns, rows, slices])
    expect(calls).toEqual([`begin ${columns}x${rows}x${slices} int16 0`, ...Array.from({ length: slices }, (_, k) => `write ${k * columns * rows * 2}`)])
    expect(Buffer.compare(voxels, new Uint8Array(expectedVoxels(columns, -1024).buffer))).toBe(0)
    const whole = new HuHistogram(columns * rows * slices)
    whole.add(expectedVoxels(columns, -1024))
    expect(pieces.used).toBe(columns * rows * slices)
    expect(Array.from(pieces.bins)).toEqual(Array.from(whole.bins))
  })

  it('rows the SIMD kernel cannot convert (37 columns) are read into memory; the sink is never called', async () => {
    const columns = 37
    const headers = await headersOf(writePhantom('memory', columns, -1024))
    const calls: string[] = []
    const { image, streamed } = await streamUncompressedSeries(headers, sliceGeometry(headers), 'bottom-up', { begin: () => calls.push('begin'), write: () => void calls.push('write') })
    expect(streamed).toBe(false)
    expect(calls).toEqual([])
    expect(Array.from(pixelsOf(image))).toEqual(Array.from(expectedVoxels(columns, -1024)))
  })
})

describe('convert to .nii, streamed', () => {
  it('writes the voxels and sidecar the in-memory path writes, HU warnings with their numbers', async () => {
    const columns = 64
    const dir = writePhantom('convert', columns, 0)
    const plain = path.join(folder, 'out', 'phantom.nii')
    const packed = path.join(folder, 'out-gz', 'phantom.nii.gz')
    const streamed = await runConvertCommand(dir, plain, {}, () => {})
    const inMemory = await runConvertCommand(dir, packed, {}, () => {})
    const bytes = readFileSync(plain)
    expect(Buffer.compare(bytes, gunzipSync(readFileSync(packed)))).toBe(0)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    expect(view.getInt16(70, true)).toBe(4) // int16
    expect(view.getFloat32(108, true)).toBe(352)
    expect(Buffer.compare(bytes.subarray(352), new Uint8Array(expectedVoxels(columns, 0).buffer))).toBe(0)
    const { output: _a, ...a } = streamed.sidecar
    const { output: _b, ...b } = inMemory.sidecar
    expect(a).toEqual(b)
    expect(a.warnings.join('\n')).toContain('air peak at 25 HU')
    expect(a.warnings.join('\n')).toContain('water/soft-tissue peak at 1025 HU')
  })

  it('a sink is made for .nii only; discarding a begun sink removes its partial file', async () => {
    expect(niftiVoxelSink(path.join(folder, 'x.nii.gz'))).toBeUndefined()
    const file = path.join(folder, 'partial', 'x.nii')
    const headers = await headersOf(writePhantom('partial', 64, -1024))
    const sink = niftiVoxelSink(file)!
    const { image } = await streamUncompressedSeries(headers, sliceGeometry(headers), 'bottom-up', {
      begin: (grid) => sink.begin(grid),
      write: (bytes, at) => {
        if (at > 0) throw new Error('disk full')
        return sink.write(bytes, at)
      },
    }).then((r) => r, (error: Error) => ({ image: error }))
    expect(String(image)).toContain('disk full')
    expect(existsSync(file)).toBe(true)
    sink.discard()
    expect(existsSync(file)).toBe(false)
  })
})
