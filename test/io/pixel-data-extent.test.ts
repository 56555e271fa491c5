// The Pixel Data element's extent: found where the header's Rows x Columns x frames x bits put
// it (the element that ends an intact file), else by searching from the end (truncated files).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { pixelDataExtent } from '../../src/io/pixel-data-extent.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { dataPath } from '../support/paths.js'

const tag = [0xe0, 0x7f, 0x10, 0x00]
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff]

/** 200 header bytes, the Pixel Data element, `pixels` (explicit VR OW or implicit). */
function file(pixels: number[], explicit: boolean, declared = pixels.length) {
  const head = new Array(200).fill(0x20)
  const element = explicit ? [...tag, 0x4f, 0x57, 0, 0, ...u32(declared)] : [...tag, ...u32(declared)]
  return Uint8Array.from([...head, ...element, ...pixels])
}

// pixels holding the tag's bytes followed by a plausible length: a search from the end meets them first
const decoy = [1, 2, ...tag, 0x4f, 0x57, 0, 0, ...u32(4), 9, 9, 9, 9, 5, 6]

describe('pixelDataExtent', () => {
  it('explicit and implicit VR: the element ending the file, not a look-alike inside the pixels', () => {
    for (const explicit of [true, false]) {
      const bytes = file(decoy, explicit)
      expect(pixelDataExtent(bytes, decoy.length)).toEqual({ declaredBytes: decoy.length, availableBytes: decoy.length })
    }
  })

  it('a truncated file: found by the search, with the missing bytes visible', () => {
    const pixels = new Array(64).fill(7)
    const bytes = file(pixels, true, 100) // declares 100, holds 64
    expect(pixelDataExtent(bytes, 100)).toEqual({ declaredBytes: 100, availableBytes: 64 })
  })

  it('a real CT slice: 512 x 512 int16 behind the header, hint or no hint', async () => {
    const slice = dataPath('ct-chest-141', '00-slice000.dcm')
    const bytes = new Uint8Array(readFileSync(slice))
    const header = await readDicomHeader(slice)
    expect(header.pixelData).toEqual({ declaredBytes: 512 * 512 * 2, availableBytes: 512 * 512 * 2 })
    expect(header.pixelData).toEqual(pixelDataExtent(bytes))
    expect(header.pixelFormat?.pixelDataOffset).toBe(bytes.length - 512 * 512 * 2)
  })
})
