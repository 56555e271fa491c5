// A .nii.gz made of chunk parts must be the very file ITK's writer gives for the whole volume
// once decompressed: the reference here is writeNifti (itk-wasm's NiftiImageIO) on the stitched
// image, compared byte for byte, over oblique grids, several pixel types and uneven slab cuts.
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { extractSlab } from '../../src/chunks/slab-image.js'
import { type ComponentType, allocatePixels, gridOf, makeImage } from '../../src/image/image.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { FolderObjectStore } from '../../src/local/folder-object-store.js'
import { joinParts, niftiHeaderFor, putOutputPart, putVolumeFromParts } from '../../src/pipeline/output-parts.js'
import { makeRandom } from '../../src/sample/random.js'
import { storeLikeS3 } from '../support/store-like-s3.js'

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vf-output-parts-'))
const store = new FolderObjectStore(path.join(scratch, 'bucket'), 'bucket')
// 20 degrees about z, then 10 about x: no axis of the grid is an LPS axis
const [c, s, cx, sx] = [Math.cos(0.349), Math.sin(0.349), Math.cos(0.175), Math.sin(0.175)]
const direction = [c, -s * cx, s * sx, s, c * cx, -c * sx, 0, sx, cx]

function volume(type: ComponentType, size: number[], seed: number) {
  const random = makeRandom('output-parts', seed)
  const data = allocatePixels(type, size[0] * size[1] * size[2])
  const span = type === 'uint8' ? 255 : 4000
  for (let n = 0; n < data.length; n++) data[n] = type === 'float32' ? (random.next() - 0.5) * span : Math.floor(random.next() * span) - (type === 'uint8' ? 0 : 1024)
  return makeImage({ size, spacing: [0.7, 0.8, 1.25], origin: [-120.5, 33.25, -401], direction }, data)
}

describe('output volume from chunk parts', () => {
  const cases: [ComponentType, number[], number[]][] = [
    ['int16', [37, 29, 23], [0, 1, 2, 9, 23]],
    ['uint8', [40, 31, 17], [0, 5, 6, 17]],
    ['float32', [21, 19, 11], [0, 11]],
    ['int16', [16, 12, 1], [0, 1]],
  ]
  for (const [type, size, cuts] of cases) {
    it(`${type} ${size.join('x')} cut at ${cuts.join(',')}: decompresses to ITK's file of the whole volume`, async () => {
      const image = volume(type, size, size[2])
      const reference = path.join(scratch, `reference-${type}-${size.join('x')}.nii`)
      await writeNifti(image, reference)
      const parts = []
      for (let n = 0; n + 1 < cuts.length; n++) {
        const key = `parts/${type}-${size[2]}-${n}.gz`
        await putOutputPart(store, key, extractSlab(image, cuts[n], cuts[n + 1]), 1)
        parts.push(await store.get(key))
      }
      const header = await niftiHeaderFor(gridOf(image), type, scratch)
      const key = `out/${type}-${size.join('x')}.nii.gz`
      await putVolumeFromParts(store, key, header!, parts, 1)
      const file = path.join(scratch, 'bucket', key)
      expect(gunzipSync(readFileSync(file)).equals(readFileSync(reference))).toBe(true)
      // and ITK reads it back as the same image (multi-member gzip)
      const back = await readNifti(file)
      expect(back.size).toEqual(size)
      expect(Buffer.from((back.data as Uint8Array).buffer).equals(Buffer.from(image.data!.buffer as ArrayBuffer))).toBe(true)
      // parts joined before the header is known: the room kept for the header is not stored
      const joinedKey = `out/${type}-${size.join('x')}-joined.nii.gz`
      await putVolumeFromParts(store, joinedKey, header!, joinParts(parts), 1)
      const joined = readFileSync(path.join(scratch, 'bucket', joinedKey))
      expect(joined.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
      expect(gunzipSync(joined).equals(readFileSync(reference))).toBe(true)
      // a store that cannot write parts one after another (S3) gets them joined
      const withoutParts = storeLikeS3(store)
      const plainKey = `out/${type}-${size.join('x')}-plain.nii.gz`
      await putVolumeFromParts(withoutParts, plainKey, header!, parts, 1)
      expect(readFileSync(path.join(scratch, 'bucket', plainKey)).equals(readFileSync(file))).toBe(true)
    })
  }
})
