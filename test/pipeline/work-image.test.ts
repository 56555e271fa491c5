// Work images (raw pixels behind a JSON header) give back exactly the slab extractSlab cuts:
// geometry (origin moved to the slab's first slice along an oblique k axis) and every pixel.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { extractSlab } from '../../src/chunks/slab-image.js'
import { type ComponentType, allocatePixels, gridOf, makeImage, pixelsOf } from '../../src/image/image.js'
import { FolderObjectStore } from '../../src/local/folder-object-store.js'
import { decodeWorkImage, getWorkImage, putWorkImage } from '../../src/pipeline/work-image.js'
import { storeLikeS3 } from '../support/store-like-s3.js'

const store = new FolderObjectStore(mkdtempSync(path.join(os.tmpdir(), 'vf-work-image-')), 'work')
const direction = [0, 0, -1, 1, 0, 0, 0, -1, 0] // row-major, columns = index axes: k runs along -x (LPS)

describe('work images', () => {
  const types: ComponentType[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']
  for (const type of types) {
    it(`${type}: slices [3, 7) round-trip with their geometry`, async () => {
      const data = allocatePixels(type, 5 * 4 * 9)
      for (let n = 0; n < data.length; n++) data[n] = type.startsWith('float') ? n / 7 - 11.5 : (n * 37) % 120
      const image = makeImage({ size: [5, 4, 9], spacing: [0.5, 0.75, 2.5], origin: [10, -20, 30], direction }, data)
      await putWorkImage(store, `slab-${type}.vfimg`, image, 3, 7)
      const back = await getWorkImage(store, `slab-${type}.vfimg`)
      const expected = extractSlab(image, 3, 7)
      expect(gridOf(back)).toEqual(gridOf(expected))
      // origin of slice 3: (10, -20, 30) + 3 * 2.5 mm along k = (-1, 0, 0)
      expect(back.origin).toEqual([2.5, -20, 30])
      expect(pixelsOf(back)).toEqual(pixelsOf(expected))
    })
  }

  it('written in parts (pixels in shared memory, taken where they are) or joined by a store without parts: the same bytes', async () => {
    const data = new Int16Array(new SharedArrayBuffer(6 * 5 * 8 * 2))
    for (let n = 0; n < data.length; n++) data[n] = ((n * 7919) % 4096) - 1024
    const image = makeImage({ size: [6, 5, 8], spacing: [0.7, 0.7, 2], origin: [1, 2, 3], direction }, data)
    // the same folder through a store that has no putParts (as S3)
    const joined = storeLikeS3(store)
    expect(store.putParts).toBeTypeOf('function')
    await putWorkImage(store, 'parts.vfimg', image, 2, 6)
    await putWorkImage(joined, 'joined.vfimg', image, 2, 6)
    const [parts, whole] = [await store.get('parts.vfimg'), await store.get('joined.vfimg')]
    expect(Buffer.compare(parts, whole)).toBe(0)
    expect(pixelsOf(decodeWorkImage(parts, 'parts.vfimg'))).toEqual(data.slice(2 * 30, 6 * 30))
  })

  it('a header that does not match the byte count is refused', async () => {
    const image = makeImage({ size: [2, 2, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Int16Array(8))
    await putWorkImage(store, 'short.vfimg', image)
    const bytes = await store.get('short.vfimg')
    expect(() => decodeWorkImage(bytes.subarray(0, bytes.length - 2), 'short.vfimg')).toThrow(/header says/)
    expect(() => decodeWorkImage(new Uint8Array(16), 'zeros')).toThrow(/not a work image/)
  })
})
