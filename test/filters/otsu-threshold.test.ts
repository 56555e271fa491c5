import { describe, expect, it, beforeAll } from 'vitest'
import { makeImage, pixelsOf, withPixels, type Image } from '../../src/image/image.js'
import { otsuHistogram, otsuBin, otsuThreshold, otsuThresholdValue } from '../../src/filters/otsu-threshold.js'
import { readItkGolden } from '../support/golden-images.js'

const read = readItkGolden

function countNonZero(a: ArrayLike<number>): number {
  let c = 0
  for (let i = 0; i < a.length; i++) if (a[i]) c++
  return c
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

describe('otsuThreshold (ITK OtsuThresholdImageFilter, golden (h))', () => {
  let ct: Image
  let ctFloat: Image
  let ref: Image
  beforeAll(async () => {
    ct = await read('input/ct-pelvis-crop.nii.gz')
    // the golden program ran OtsuThresholdImageFilter<float, uint8>
    ctFloat = withPixels(ct, Float32Array.from(pixelsOf(ct)))
    ref = await read('out/ct-pelvis-crop.otsu128-mask.nii.gz')
  })

  it('128 bins: threshold 160.599609 (upper edge of bin 34) within 1e-3, mask identical (15,827 voxels)', () => {
    const r = otsuThreshold(ctFloat, { bins: 128 })
    expect(r.bin).toBe(34)
    expect(Math.abs(r.threshold - 160.599609)).toBeLessThanOrEqual(1e-3)
    expect(Math.abs(r.pixelThreshold - 160.599609)).toBeLessThanOrEqual(1e-3)
    expect(r.mask.imageType.componentType).toBe('uint8')
    expect(countNonZero(pixelsOf(r.mask))).toBe(15827)
    expect(firstDifference(pixelsOf(r.mask), pixelsOf(ref))).toBe(-1)
    expect(r.mask.origin).toEqual(ct.origin)
  })

  it('the histogram spans [min, max + range / (bins * 100)] as ITK (bin width 33.58856)', () => {
    const h = otsuHistogram(pixelsOf(ctFloat), 128)
    expect(h.lower).toBe(-1015)
    expect(h.upper).toBeCloseTo(3284 + 4299 / 12800, 9)
    expect(h.width).toBeCloseTo(33.58856, 5)
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(72 * 64 * 40)
  })

  it('ReturnBinMidpoint variant: 143.805359 and 17,336 voxels', () => {
    const r = otsuThreshold(ctFloat, { bins: 128, returnBinMidpoint: true })
    expect(Math.abs(r.threshold - 143.805359)).toBeLessThanOrEqual(1e-3)
    expect(countNonZero(pixelsOf(r.mask))).toBe(17336)
  })

  it('int16 input: ITK casts the threshold to the pixel type (160) and the mask is the same', () => {
    const r = otsuThreshold(ct, { bins: 128 })
    expect(Math.abs(r.threshold - 160.599609)).toBeLessThanOrEqual(1e-3)
    expect(r.pixelThreshold).toBe(160)
    expect(firstDifference(pixelsOf(r.mask), pixelsOf(ref))).toBe(-1)
  })

  it('the chosen bin maximises the textbook between-class variance w0 w1 (mu0 - mu1)^2', () => {
    // independent of the implementation's running means: direct sums over bin midpoints
    let s = 7
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32)
    const data = new Float32Array(5000)
    for (let i = 0; i < data.length; i++) data[i] = i % 3 === 0 ? 20 + 10 * rnd() : 60 + 25 * rnd() * rnd()
    for (const bins of [16, 64, 200]) {
      const h = otsuHistogram(data, bins)
      let best = -1
      let bestBin = -1
      for (let t = 0; t <= bins - 2; t++) {
        let w0 = 0, m0 = 0, w1 = 0, m1 = 0
        for (let j = 0; j < bins; j++) {
          const mid = h.lower + (j + 0.5) * h.width
          if (j <= t) { w0 += h.counts[j]; m0 += h.counts[j] * mid } else { w1 += h.counts[j]; m1 += h.counts[j] * mid }
        }
        const v = w0 && w1 ? w0 * w1 * (m0 / w0 - m1 / w1) ** 2 : 0
        if (v > best * (1 + 1e-12)) { best = v; bestBin = t }
      }
      expect(otsuBin(h)).toBe(bestBin)
      expect(otsuThresholdValue(data, { bins }).threshold).toBeCloseTo(h.lower + (bestBin + 1) * h.width, 9)
    }
  })

  it('rejects bad bin counts and empty data', () => {
    const img = makeImage({ size: [2, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, Float32Array.from([0, 1]))
    expect(() => otsuThreshold(img, { bins: 1 })).toThrow(/bins/)
    expect(() => otsuThresholdValue(new Float32Array([NaN]), {})).toThrow(/no finite/)
  })
})
