import zlib from 'node:zlib'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { encodeRgbaPng, encodeRgbaPngSync } from '../../src/report/png-encode.js'

// A raster whose every byte is known: random values (seeded) with a few rows that repeat the
// row above and a row of 255s above a row of 0s (the Up difference wraps below zero).
function raster(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4)
  let seed = 12345
  for (let n = 0; n < rgba.length; n++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    rgba[n] = seed >>> 24
  }
  const row = width * 4
  rgba.copyWithin(2 * row, row, 2 * row) // row 2 = row 1
  rgba.fill(255, 3 * row, 4 * row)
  rgba.fill(0, 4 * row, 5 * row)
  return rgba
}

/** The PNG's chunks as the spec lays them out, with each CRC checked independently of the encoder. */
function chunks(bytes: Buffer): { type: string; data: Buffer }[] {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const out: { type: string; data: Buffer }[] = []
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    const data = bytes.subarray(at + 8, at + 8 + length)
    expect(bytes.readUInt32BE(at + 8 + length)).toBe(zlib.crc32(bytes.subarray(at + 4, at + 8 + length)))
    out.push({ type, data })
    at += 12 + length
  }
  return out
}

describe('encodeRgbaPng', () => {
  const width = 7, height = 6
  const rgba = raster(width, height)

  it('gives a PNG that pngjs decodes to exactly the pixels', async () => {
    const unaligned = new Uint8Array(rgba.length + 1).subarray(1) // not on a 4-byte boundary
    unaligned.set(rgba)
    for (const bytes of [await encodeRgbaPng(width, height, rgba), encodeRgbaPngSync(width, height, rgba), encodeRgbaPngSync(width, height, unaligned)]) {
      const png = PNG.sync.read(bytes)
      expect([png.width, png.height]).toEqual([width, height])
      expect(Buffer.compare(png.data, Buffer.from(rgba))).toBe(0)
    }
  })

  it('writes IHDR (8-bit RGBA, not interlaced), one IDAT of Up-filtered rows, IEND', async () => {
    const bytes = await encodeRgbaPng(width, height, rgba)
    expect(Buffer.compare(bytes, encodeRgbaPngSync(width, height, rgba))).toBe(0)
    const list = chunks(bytes)
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND'])
    const ihdr = list[0].data
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ...ihdr.subarray(8)]).toEqual([width, height, 8, 6, 0, 0, 0])
    const scanlines = zlib.inflateSync(list[1].data)
    expect(scanlines.length).toBe(height * (width * 4 + 1))
    // undo filter 2 by hand: each byte plus the byte above, mod 256
    const rowBytes = width * 4
    const pixels = new Uint8Array(rowBytes * height)
    for (let y = 0; y < height; y++) {
      expect(scanlines[y * (rowBytes + 1)]).toBe(2)
      for (let x = 0; x < rowBytes; x++) {
        const above = y ? pixels[(y - 1) * rowBytes + x] : 0
        pixels[y * rowBytes + x] = (scanlines[y * (rowBytes + 1) + 1 + x] + above) & 255
      }
    }
    expect(Buffer.compare(Buffer.from(pixels), Buffer.from(rgba))).toBe(0)
    expect(list[2].data.length).toBe(0)
  })

  it('refuses pixels that do not fill the picture', async () => {
    await expect(encodeRgbaPng(width, height + 1, rgba)).rejects.toThrow(/7x7 RGBA/)
    expect(() => encodeRgbaPngSync(0, 0, new Uint8Array(0))).toThrow(/0x0 RGBA/)
  })
})
