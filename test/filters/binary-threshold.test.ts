import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { readImageNode } from '@itk-wasm/image-io'
import { makeImage, pixelsOf, type Image } from '../../src/image/image.js'
import { binaryThreshold, binaryThresholdFootprint } from '../../src/filters/binary-threshold.js'

const golden = fileURLToPath(new URL('../../../shared/golden/itk/', import.meta.url))

describe('binaryThreshold (ITK BinaryThresholdImageFilter)', () => {
  it('keeps both bounds inclusive', () => {
    const img = makeImage({ size: [5, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, Float32Array.from([199.5, 200, 1000, 3000, 3000.5]))
    expect(Array.from(pixelsOf(binaryThreshold(img, 200, 3000)))).toEqual([0, 1, 1, 1, 0])
    expect(Array.from(pixelsOf(binaryThreshold(img, 200)))).toEqual([0, 1, 1, 1, 1])
    expect(Array.from(pixelsOf(binaryThreshold(img, 200, 3000, 7, 2)))).toEqual([2, 7, 7, 7, 2])
    expect(() => binaryThreshold(img, 10, 5)).toThrow(/greater/)
    expect(binaryThresholdFootprint).toEqual({ kind: 'pointwise' })
  })

  it('200..3000 HU on the pelvis crop: 12,727 voxels; HU >= 200 equals the golden bone mask', async () => {
    const ct = (await readImageNode(golden + 'input/ct-pelvis-crop.nii.gz')) as Image
    const bone = (await readImageNode(golden + 'input/ct-pelvis-crop.bone.nii.gz')) as Image
    const thr = binaryThreshold(ct, 200, 3000)
    expect(thr.imageType.componentType).toBe('uint8')
    expect(thr.size).toEqual(ct.size)
    let n = 0
    for (const v of pixelsOf(thr)) n += v
    expect(n).toBe(12727)
    expect(Array.from(pixelsOf(binaryThreshold(ct, 200)))).toEqual(Array.from(pixelsOf(bone)))
  })
})
