// The percentile of robust-hausdorff.ts: the linear-time path must give exactly what NumPy's
// sort + cumsum + searchsorted gives (replayed by numpyPercentileDistance), ties included.
import { describe, expect, it } from 'vitest'
import { directedPercentileDistance, numpyPercentileDistance, robustHausdorff } from '../../src/metrics/robust-hausdorff.js'
import { numpyPairwiseSum } from '../../src/metrics/sums.js'
import { mulberry32 } from './naive-reference.js'

describe('numpyPairwiseSum', () => {
  it("is NumPy 1.24's np.sum, not a sequential sum", () => {
    // np.sum(((t * 7919) % 1000) / 997 + 0.1 for t in range(n)), computed with NumPy 1.24 (float64)
    const numpy: Record<number, number> = { 5: 3.6995987963891674, 100: 59.197592778335, 129: 77.35737211634904, 1000: 601.0030090270811, 12345: 7419.515045135406 }
    for (const [n, expected] of Object.entries(numpy)) {
      const x = Float64Array.from({ length: Number(n) }, (_, t) => ((t * 7919) % 1000) / 997 + 0.1)
      expect(numpyPairwiseSum(x)).toBe(expected)
    }
    expect(numpyPairwiseSum(new Float64Array(1000).fill(0.1))).toBe(100.00000000000001)
  })
})

describe('directedPercentileDistance', () => {
  it('matches the NumPy replay on large inputs with ties, at many percentiles', () => {
    const rand = mulberry32(99)
    for (let trial = 0; trial < 12; trial++) {
      const n = 5000 + Math.floor(rand() * 30000)
      // few distinct distances and areas: ties everywhere, as on a voxel grid
      const levels = Array.from({ length: 2 + Math.floor(rand() * 40) }, () => Math.sqrt(Math.floor(rand() * 50)) * 0.7)
      const sizes = [0.875, 1.118033988749895, 0.5, 1.75]
      const d = Float64Array.from({ length: n }, () => levels[Math.floor(rand() * rand() * levels.length)])
      const a = Float64Array.from({ length: n }, () => sizes[Math.floor(rand() * (trial % 2 ? 1 : sizes.length))])
      for (const p of [0, 1, 5, 25, 50, 50.5, 75, 90, 95, 99, 99.9, 100]) {
        expect(directedPercentileDistance(d, a, p), `trial ${trial} p ${p}`).toBe(numpyPercentileDistance(d, a, p))
      }
    }
  })

  it('exact boundaries: 4 equal surfels, the 50th percentile is the second', () => {
    const d = Float64Array.from([4, 1, 3, 2])
    const a = new Float64Array(4).fill(1.118033988749895)
    expect(directedPercentileDistance(d, a, 50)).toBe(2)
    expect(directedPercentileDistance(d, a, 50.000001)).toBe(3)
    expect(directedPercentileDistance(d, a, 100)).toBe(4)
    expect(directedPercentileDistance(d, a, 0)).toBe(1)
  })

  it('no surface: Infinity, and Hausdorff is the larger direction', () => {
    expect(directedPercentileDistance(new Float64Array(0), new Float64Array(0), 95)).toBe(Infinity)
    const sd = { distancesGtToPred: Float64Array.from([1, 2]), surfelAreasGt: Float64Array.from([1, 1]), distancesPredToGt: Float64Array.from([5]), surfelAreasPred: Float64Array.from([1]) }
    expect(robustHausdorff(sd, 100)).toBe(5)
  })
})
