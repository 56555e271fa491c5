import { describe, expect, it, beforeAll } from 'vitest'
import { makeImage, pixelsOf, type Image } from '../../src/image/image.js'
import { laplacianSharpening } from '../../src/filters/laplacian-sharpening.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

const read = readItkGolden


/** The README's description of (f), written out naively (float64, every voxel stored). */
function reference(data: ArrayLike<number>, size: number[], spacing: number[]): Float64Array {
  const [nx, ny, nz] = size
  const at = (x: number, y: number, z: number) => {
    const c = (v: number, n: number) => Math.min(n - 1, Math.max(0, v))
    return data[(c(z, nz) * ny + c(y, ny)) * nx + c(x, nx)]
  }
  const n = data.length
  const L = new Float64Array(n)
  const w = spacing.map((h) => 1 / (h * h))
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const v = at(x, y, z)
    L[(z * ny + y) * nx + x] = w[0] * (at(x - 1, y, z) + at(x + 1, y, z) - 2 * v)
      + w[1] * (at(x, y - 1, z) + at(x, y + 1, z) - 2 * v)
      + w[2] * (at(x, y, z - 1) + at(x, y, z + 1) - 2 * v)
  }
  let minI = Infinity, maxI = -Infinity, minL = Infinity, maxL = -Infinity
  for (let i = 0; i < n; i++) {
    minI = Math.min(minI, data[i]); maxI = Math.max(maxI, data[i])
    minL = Math.min(minL, L[i]); maxL = Math.max(maxL, L[i])
  }
  const e = new Float64Array(n)
  let meanI = 0, meanE = 0
  for (let i = 0; i < n; i++) {
    const Lp = ((L[i] - minL) / (maxL - minL)) * (maxI - minI) + minI
    e[i] = data[i] - Lp
    meanI += data[i] / n
    meanE += e[i] / n
  }
  for (let i = 0; i < n; i++) e[i] = Math.min(maxI, Math.max(minI, e[i] - meanE + meanI))
  return e
}

describe('laplacianSharpening (ITK LaplacianSharpeningImageFilter, golden (f))', () => {
  let ct: Image
  let ref: Image
  beforeAll(async () => {
    ct = await read('input/ct-pelvis-crop.nii.gz')
    ref = await read('out/ct-pelvis-crop.laplacian-sharpen.nii.gz')
  })

  it('matches ITK within 1e-3 (README tolerance; values span 4299 HU)', () => {
    const out = laplacianSharpening(ct)
    expect(out.imageType.componentType).toBe('float32')
    expect(maxAbsDiff(pixelsOf(out), pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
    // the golden's summary statistics
    const d = pixelsOf(out)
    let sum = 0, min = Infinity, max = -Infinity
    for (let i = 0; i < d.length; i++) { sum += d[i]; min = Math.min(min, d[i]); max = Math.max(max, d[i]) }
    expect(sum / d.length).toBeCloseTo(9.472594, 4)
    expect(min).toBe(-1015)
    expect(max).toBe(3284)
  })

  it('equals the naive statement of the definition on an anisotropic random image', () => {
    let s = 3
    const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32)
    const size = [7, 5, 4]
    const spacing = [0.7, 1.3, 2.5]
    const data = Float32Array.from({ length: 140 }, () => Math.round(rnd() * 2000 - 1000))
    const img = makeImage({ size, spacing, origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
    expect(maxAbsDiff(pixelsOf(laplacianSharpening(img)), reference(data, size, spacing))).toBeLessThan(1e-3)
    // without spacing: every axis weighted 1
    expect(maxAbsDiff(pixelsOf(laplacianSharpening(img, { useImageSpacing: false })), reference(data, size, [1, 1, 1]))).toBeLessThan(1e-3)
  })

  it('a constant image comes back unchanged', () => {
    const img = makeImage({ size: [3, 3, 3], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Int16Array(27).fill(40))
    expect(Array.from(pixelsOf(laplacianSharpening(img)))).toEqual(new Array(27).fill(40))
  })
})
