// The uncompressed reader reads slices ahead of the conversion and hands converted values to
// its caller in pieces (bands of rows). Generated series with known stored values check: every
// voxel equals stored * slope + intercept at its row-flipped place (odd row count, more slices
// than reads in flight, int16 and float32 paths), and the HU histogram filled from the pieces
// equals the one-pass histogram of the finished volume. readRangesAhead: in order, and a file
// shorter than its range is bad input naming the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { readRangesAhead } from '../../src/io/read-ranges-ahead.js'
import { sliceGeometry } from '../../src/io/slice-geometry.js'
import { isPlainUncompressed, readUncompressedSeries } from '../../src/io/uncompressed-series.js'
import { HuHistogram } from '../../src/measure/hu-plausibility.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { axialCtSliceFile } from '../support/axial-ct-slice.js'

const folder = mkdtempSync(path.join(os.tmpdir(), 'vf-uncompressed-pieces-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const rows = 37
const slices = 11

interface Coding {
  bitsStored: 12 | 16
  signed: boolean
  slope: string
  intercept: string
}

/** Stored value of voxel (column i, row j, slice k): spread over 12 bits, or around 0 when signed 16-bit. */
const stored = (c: Coding, i: number, j: number, k: number) => (i * 97 + j * 1013 + k * 389) % 4096 - (c.signed ? 2048 : 0)

function writeSeries(name: string, c: Coding, columns: number): string {
  const prefix = path.join(folder, name)
  const seriesUid = `1.2.826.0.1.3680043.9.7433.3.${name.length}`
  for (let k = 0; k < slices; k++) {
    const pixels = new Uint16Array(rows * columns)
    // Bits above BitsStored set on purpose (12-bit): they are not part of the value.
    for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) pixels[j * columns + i] = (stored(c, i, j, k) & 0xffff) | (c.bitsStored === 12 ? 0xf000 : 0)
    // Files written in reverse order of position: the reader must sort by position.
    const bytes = axialCtSliceFile({
      seriesUid, frameOfReferenceUid: '1.2.826.0.1.3680043.9.7433.4', index: k, position: (slices - 1 - k) * 2.5,
      rows, columns, bitsStored: c.bitsStored, signed: c.signed, intercept: c.intercept, slope: c.slope, pixels,
    })
    writeFileSync(`${prefix}-${k}.dcm`, bytes)
  }
  return prefix
}

async function readBack(name: string, c: Coding, columns: number, rowOrder: 'top-down' | 'bottom-up') {
  const prefix = writeSeries(name, c, columns)
  const headers = await Promise.all(Array.from({ length: slices }, (_, k) => readDicomHeader(`${prefix}-${k}.dcm`)))
  expect(isPlainUncompressed(headers)).toBe(true)
  const geometry = sliceGeometry(headers)
  const pieces = new HuHistogram(rows * columns * slices, -1024)
  const image = await readUncompressedSeries(headers, geometry, rowOrder, (values, from, to, valuesStart) => pieces.add(values, from, to, valuesStart))
  return { image, pieces }
}

describe('readUncompressedSeries in pieces', () => {
  const codings: [Coding, typeof Int16Array | typeof Int32Array | typeof Float32Array][] = [
    [{ bitsStored: 12, signed: false, slope: '1', intercept: '-1024' }, Int16Array],
    // Full 16-bit signed values keep int16 output only with intercept 0 (the header's range decides).
    [{ bitsStored: 16, signed: true, slope: '1', intercept: '0' }, Int16Array],
    [{ bitsStored: 16, signed: true, slope: '1', intercept: '-1024' }, Int32Array],
    [{ bitsStored: 12, signed: false, slope: '0.5', intercept: '-1000.25' }, Float32Array],
  ]
  // 40 columns: rows of 80 bytes (SIMD kernel); 38 and 37 (rows not a multiple of 16 bytes): voxel by voxel, in place.
  for (const [c, type] of codings) for (const columns of [40, 38, 37]) for (const rowOrder of ['top-down', 'bottom-up'] as const) {
    const label = `${c.bitsStored}-bit ${c.signed ? 'signed' : 'unsigned'}, slope ${c.slope}, intercept ${c.intercept}, ${columns} columns, ${rowOrder}`
    it(`${label}: every voxel is stored x slope + intercept at its place; histogram of the pieces = one pass`, async () => {
      const { image, pieces } = await readBack(`${c.bitsStored}${c.signed}${c.slope}-${columns}-${rowOrder}`, c, columns, rowOrder)
      const values = pixelsOf(image)
      expect(values).toBeInstanceOf(type)
      expect([...image.size]).toEqual([columns, rows, slices])
      let wrong = 0
      for (let k = 0; k < slices; k++) {
        // k ascends along the normal (+z): slice k is the file written with index slices-1-k.
        for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) {
          const row = rowOrder === 'bottom-up' ? rows - 1 - j : j
          const expected = stored(c, i, row, slices - 1 - k) * Number(c.slope) + Number(c.intercept)
          if (values[(k * rows + j) * columns + i] !== Math.fround(expected)) wrong++
        }
      }
      expect(wrong).toBe(0)
      const whole = new HuHistogram(values.length, -1024)
      whole.add(values)
      // stride 1 here: every voxel counted once, the padding value (-1024 HU) left out.
      const paddingVoxels = Array.from(values).filter((v) => v === -1024).length
      expect(pieces.used).toBe(values.length - paddingVoxels)
      expect(Array.from(pieces.bins)).toEqual(Array.from(whole.bins))
    })
  }
})

describe('readRangesAhead', () => {
  const file = path.join(folder, 'counting.bin')
  const content = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 7) & 0xff)
  writeFileSync(file, content)

  it('hands every range over once, in order, with its bytes', async () => {
    const ranges = Array.from({ length: 40 }, (_, k) => ({ file, position: k * 1000 + 3, into: new Uint8Array(997) }))
    const seen: number[] = []
    await readRangesAhead(ranges, (k) => {
      seen.push(k)
      expect(Buffer.compare(ranges[k].into, content.subarray(k * 1000 + 3, k * 1000 + 1000))).toBe(0)
    }, 5)
    expect(seen).toEqual(Array.from({ length: 40 }, (_, k) => k))
  })

  it('a range past the end of its file is bad input naming the file; earlier ranges were handed over', async () => {
    const ranges = [0, 1, 2].map((k) => ({ file, position: k * 20_000, into: new Uint8Array(20_000) }))
    const seen: number[] = []
    const failure = await readRangesAhead(ranges, (k) => {
      seen.push(k)
    }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(BadInputError)
    expect(String((failure as Error).message)).toContain('pixel data ends after 10000 of 20000 bytes')
    expect((failure as BadInputError).file).toBe(file)
    expect(seen).toEqual([0, 1])
  })
})
