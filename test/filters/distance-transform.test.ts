import { describe, expect, it } from 'vitest'
import { squaredDistanceTransform, squaredDistanceTransformInPlace } from '../../src/filters/distance-transform.js'

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function bruteForce(size: number[], mask: Uint8Array, spacing: number[]): Float64Array {
  const [nx, ny, nz] = [size[0], size[1], size[2] ?? 1]
  const sz = spacing[2] ?? 1
  const out = new Float64Array(mask.length).fill(Infinity)
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    let best = Infinity
    for (let c = 0; c < nz; c++) for (let b = 0; b < ny; b++) for (let a = 0; a < nx; a++) {
      if (!mask[(c * ny + b) * nx + a]) continue
      const d = ((x - a) * spacing[0]) ** 2 + ((y - b) * spacing[1]) ** 2 + ((z - c) * sz) ** 2
      if (d < best) best = d
    }
    out[(z * ny + y) * nx + x] = best
  }
  return out
}

describe('squared Euclidean distance transform', () => {
  it('matches brute force on random 3-D masks with anisotropic spacing', () => {
    const r = rng(7)
    for (const [size, spacing, density] of [
      [[13, 9, 7], [0.7, 1.3, 2.5], 0.05],
      [[8, 11, 6], [1, 1, 1], 0.02],
      [[10, 10, 10], [3, 0.5, 1.25], 0.2],
      [[1, 12, 9], [1, 2, 3], 0.1],
    ] as const) {
      const n = size[0] * size[1] * size[2]
      const mask = new Uint8Array(n)
      for (let i = 0; i < n; i++) mask[i] = r() < density ? 1 : 0
      mask[Math.floor(r() * n)] = 1
      const got = squaredDistanceTransform(size, mask, { spacing })
      const want = bruteForce([...size], mask, [...spacing])
      for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(want[i], 9)
    }
  })

  it('is exact in voxel units and works in 2-D and with a predicate', () => {
    const r = rng(3)
    const size = [17, 23]
    const mask = new Uint8Array(17 * 23)
    for (let i = 0; i < mask.length; i++) mask[i] = r() < 0.03 ? 1 : 0
    const got = squaredDistanceTransform(size, (i) => mask[i] === 1)
    const want = bruteForce(size, mask, [1, 1])
    expect(Array.from(got)).toEqual(Array.from(want))
  })

  it('gives Infinity without any feature and 0 on features', () => {
    expect(Array.from(squaredDistanceTransform([3, 2, 2], new Uint8Array(12)))).toEqual(new Array(12).fill(Infinity))
    expect(Array.from(squaredDistanceTransform([3, 2, 2], new Uint8Array(12).fill(1)))).toEqual(new Array(12).fill(0))
  })

  it('the general form takes arbitrary site values (f(p) + weighted squared distance)', () => {
    const f = Float64Array.from([5, Infinity, 0.5, Infinity, 9])
    squaredDistanceTransformInPlace(f, [5, 1, 1], [2, 1, 1])
    // q=0: min(5, 0.5 + 2*4) = 5; q=1: min(5+2, 0.5+2) = 2.5; q=3: 0.5+2 = 2.5; q=4: min(9, 0.5 + 8) = 8.5
    expect(Array.from(f)).toEqual([5, 2.5, 0.5, 2.5, 8.5])
  })
})
