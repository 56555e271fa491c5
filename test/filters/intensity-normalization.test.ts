import { describe, expect, it } from 'vitest'
import { makeImage, pixelsOf } from '../../src/image/image.js'
import {
  clipIntensity, intensityMoments, minMax, percentileNormalize, percentiles, zScore,
} from '../../src/filters/intensity-normalization.js'

const grid = (n: number) => ({ size: [n, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] })

/** NumPy's default percentile: linear interpolation at position (n - 1) p / 100 of the sorted values. */
function numpyPercentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  const pos = ((s.length - 1) * p) / 100
  const i = Math.floor(pos)
  return i + 1 < s.length ? s[i] + (s[i + 1] - s[i]) * (pos - i) : s[i]
}

function sampleStats(v: number[]): { mean: number; sd: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1))
  return { mean, sd }
}

let seed = 17
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32)
const hu = Array.from({ length: 501 }, () => Math.round(rnd() * 4000 - 1500))

describe('intensity normalization', () => {
  it('clip: HU clamped to [-1024, 3071] by default, custom bounds', () => {
    const data = Int16Array.from([-3000, -1024, -1023, 0, 3071, 3072, 32000])
    expect(Array.from(pixelsOf(clipIntensity(makeImage(grid(7), data))))).toEqual([-1024, -1024, -1023, 0, 3071, 3071, 3071])
    expect(Array.from(pixelsOf(clipIntensity(makeImage(grid(7), data), -100, 100)))).toEqual([-100, -100, -100, 0, 100, 100, 100])
    expect(() => clipIntensity(makeImage(grid(7), data), 5, 4)).toThrow()
  })

  it('z-score: (v - mean) / sample sigma (NormalizeImageFilter)', () => {
    const { mean, sd } = sampleStats(hu)
    const out = pixelsOf(zScore(makeImage(grid(hu.length), Int16Array.from(hu))))
    hu.forEach((v, i) => expect(out[i]).toBeCloseTo((v - mean) / sd, 5))
    const m = intensityMoments(Int16Array.from(hu))
    expect(m.mean).toBeCloseTo(mean, 9)
    expect(m.sigma).toBeCloseTo(sd, 9)
  })

  it('z-score over a mask: statistics of the masked voxels, applied everywhere', () => {
    const mask = Uint8Array.from(hu, (v) => (v > 0 ? 1 : 0))
    const { mean, sd } = sampleStats(hu.filter((v) => v > 0))
    const out = pixelsOf(zScore(makeImage(grid(hu.length), Float32Array.from(hu)), { mask: makeImage(grid(hu.length), mask) }))
    hu.forEach((v, i) => expect(out[i]).toBeCloseTo((v - mean) / sd, 5))
  })

  it('min-max: [min, max] -> [0, 1] or a custom range (RescaleIntensityImageFilter)', () => {
    const min = Math.min(...hu), max = Math.max(...hu)
    const img = makeImage(grid(hu.length), Int16Array.from(hu))
    const out = pixelsOf(minMax(img))
    hu.forEach((v, i) => expect(out[i]).toBeCloseTo((v - min) / (max - min), 6))
    const custom = pixelsOf(minMax(img, { outputMinimum: -1, outputMaximum: 1 }))
    hu.forEach((v, i) => expect(custom[i]).toBeCloseTo(-1 + (2 * (v - min)) / (max - min), 5))
    expect(Array.from(pixelsOf(minMax(makeImage(grid(3), new Int16Array(3).fill(4)))))).toEqual([0, 0, 0])
  })

  it('percentiles: NumPy linear interpolation, integer histogram and float sort paths agree', () => {
    for (const p of [0, 0.5, 1, 25, 50, 73.3, 99, 99.5, 100]) {
      const expected = numpyPercentile(hu, p)
      expect(percentiles(Int16Array.from(hu), [p])[0]).toBeCloseTo(expected, 9)
      expect(percentiles(Float64Array.from(hu), [p])[0]).toBeCloseTo(expected, 9)
    }
    expect(percentiles(Float32Array.from([3, NaN, 1, 2]), [50])[0]).toBe(2)
  })

  it('percentile normalization: [P0.5, P99.5] -> [0, 1], clipped (or not)', () => {
    const lo = numpyPercentile(hu, 0.5), hi = numpyPercentile(hu, 99.5)
    const img = makeImage(grid(hu.length), Int16Array.from(hu))
    const out = pixelsOf(percentileNormalize(img))
    hu.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.min(1, Math.max(0, (v - lo) / (hi - lo))), 6))
    const lo2 = numpyPercentile(hu, 5), hi2 = numpyPercentile(hu, 95)
    const unclipped = pixelsOf(percentileNormalize(img, { lower: 5, upper: 95, clip: false }))
    hu.forEach((v, i) => expect(unclipped[i]).toBeCloseTo((v - lo2) / (hi2 - lo2), 5))
    expect(() => percentileNormalize(img, { lower: 60, upper: 40 })).toThrow(/percentiles/)
  })
})
