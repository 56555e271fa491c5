import { describe, expect, it, beforeAll } from 'vitest'
import { makeImage, pixelsOf, type Image } from '../../src/image/image.js'
import {
  adaptiveHistogramEqualization, adaptiveHistogramEqualizationSync,
} from '../../src/filters/adaptive-histogram-equalization.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

const read = readItkGolden


/** The README's statement of (e), voxel by voxel, window by window (float64). */
function bruteForce(data: ArrayLike<number>, size: number[], r: number[], alpha: number, beta: number): Float64Array {
  const [nx, ny, nz] = size
  let min = Infinity, max = -Infinity
  for (let i = 0; i < data.length; i++) { min = Math.min(min, data[i]); max = Math.max(max, data[i]) }
  const range = max - min
  const u = (v: number) => (v - min) / range - 0.5
  const F = (a: number, b: number) => {
    const d = a - b
    const s = Math.sign(d)
    const ad = Math.abs(2 * d)
    return 0.5 * s * Math.pow(ad, alpha) - beta * 0.5 * s * ad + beta * a
  }
  const out = new Float64Array(data.length)
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const ux = u(data[(z * ny + y) * nx + x])
    let sum = 0
    let n = 0
    for (let c = z - r[2]; c <= z + r[2]; c++) for (let b = y - r[1]; b <= y + r[1]; b++) for (let a = x - r[0]; a <= x + r[0]; a++) {
      if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue
      sum += F(ux, u(data[(c * ny + b) * nx + a]))
      n++
    }
    out[(z * ny + y) * nx + x] = range * (sum / n + 0.5) + min
  }
  return out
}

describe('adaptiveHistogramEqualization (ITK AdaptiveHistogramEqualizationImageFilter, golden (e))', () => {
  let ct: Image
  let ref: Image
  beforeAll(async () => {
    ct = await read('input/ct-pelvis-crop.nii.gz')
    ref = await read('out/ct-pelvis-crop.ahe.nii.gz')
  })
  const golden = { alpha: 0.9, beta: 0.9, radius: 3 }

  // Tolerance 1e-3 HU (README (e)): ITK sums float32 kernel terms in hash-map order, which moves
  // its values by up to ~2e-4; our float64 sums land within one float32 ulp of the golden.
  it('integer table method: within 1e-3 of ITK', () => {
    const out = adaptiveHistogramEqualizationSync(ct, golden)
    expect(out.imageType.componentType).toBe('float32')
    expect(maxAbsDiff(pixelsOf(out), pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
  })

  it('direct method (Math.pow per pair, used for non-integer images): within 1e-3 of ITK', () => {
    const out = adaptiveHistogramEqualizationSync(ct, { ...golden, method: 'direct' })
    expect(maxAbsDiff(pixelsOf(out), pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
  })

  it('two threads (the calling one plus a worker) give the same result', async () => {
    const one = adaptiveHistogramEqualizationSync(ct, golden)
    const two = await adaptiveHistogramEqualization(ct, { ...golden, threads: 2 })
    expect(maxAbsDiff(pixelsOf(two), pixelsOf(one))).toBeLessThanOrEqual(1e-6)
    expect(maxAbsDiff(pixelsOf(two), pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
  })

  it('equals the brute-force definition for anisotropic radii, clipped windows, both methods', () => {
    let s = 11
    const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32)
    const size = [9, 7, 6]
    const ints = Int16Array.from({ length: 9 * 7 * 6 }, () => Math.round(rnd() * 300 - 100))
    const floats = Float32Array.from({ length: 9 * 7 * 6 }, () => rnd() * 3 - 1)
    const grid = { size, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
    for (const [radius, alpha, beta] of [[[2, 1, 3], 0.3, 0.3], [[0, 2, 1], 0.9, 0.1], [[4, 4, 0], 0, 1], [[1, 1, 1], 1, 0]] as const) {
      const a = Math.fround(alpha), b = Math.fround(beta)
      const fromInts = adaptiveHistogramEqualizationSync(makeImage(grid, ints), { radius: [...radius], alpha, beta })
      expect(maxAbsDiff(pixelsOf(fromInts), bruteForce(ints, size, [...radius], a, b))).toBeLessThan(1e-3)
      const fromFloats = adaptiveHistogramEqualizationSync(makeImage(grid, floats), { radius: [...radius], alpha, beta })
      expect(maxAbsDiff(pixelsOf(fromFloats), bruteForce(floats, size, [...radius], a, b))).toBeLessThan(1e-5)
    }
  })

  it('a constant image comes back unchanged; bad radius is refused', () => {
    const img = makeImage({ size: [4, 3, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Int16Array(24).fill(7))
    expect(Array.from(pixelsOf(adaptiveHistogramEqualizationSync(img, { radius: 1 })))).toEqual(new Array(24).fill(7))
    expect(() => adaptiveHistogramEqualizationSync(img, { radius: -1 })).toThrow(/radius/)
    expect(() => adaptiveHistogramEqualizationSync(img, { radius: 1.5 })).toThrow(/radius/)
  })
})
