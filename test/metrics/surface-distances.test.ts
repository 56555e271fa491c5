// The fast surface distances (crop, row-wise extraction, line-indexed nearest search with its
// far-point plane EDTs) against literal implementations of the library's definitions on small
// random masks, 2-D and 3-D, anisotropic, touching the image border or not.
import { describe, expect, it } from 'vitest'
import { computeSurfaceDistances } from '../../src/metrics/surface-distances.js'
import { bruteNearest, mulberry32, naiveSurface, randomMask } from './naive-reference.js'

describe('computeSurfaceDistances against the definition', () => {
  const rand = mulberry32(20240611)
  const configs: { size: number[]; options?: { maxOffsets?: number }; label: string }[] = []
  for (let n = 0; n < 12; n++) configs.push({ size: [4 + Math.floor(rand() * 9), 3 + Math.floor(rand() * 9), 2 + Math.floor(rand() * 7)], label: 'search order' })
  for (let n = 0; n < 6; n++) configs.push({ size: [5 + Math.floor(rand() * 30), 4 + Math.floor(rand() * 30)], label: '2-D' })
  for (let n = 0; n < 6; n++) configs.push({ size: [6 + Math.floor(rand() * 8), 6 + Math.floor(rand() * 8), 4 + Math.floor(rand() * 6)], options: { maxOffsets: 9 }, label: 'far points: plane EDTs' })
  for (let n = 0; n < 4; n++) configs.push({ size: [6 + Math.floor(rand() * 8), 6 + Math.floor(rand() * 8), 4 + Math.floor(rand() * 6)], options: { maxOffsets: 1 }, label: 'nearly all points far' })

  configs.forEach(({ size, options, label }, c) => {
    it(`${label}: ${size.join('x')}`, () => {
      const spacing = size.map(() => Math.round((0.3 + rand() * 2.7) * 100) / 100)
      const gt = randomMask(size, rand, 0.1 + rand() * 0.5, c % 2 === 0)
      const pred = randomMask(size, rand, 0.05 + rand() * 0.5, c % 3 === 0)
      const sd = computeSurfaceDistances({ size, data: gt }, { size, data: pred }, spacing, options)
      const g = naiveSurface(gt, size, spacing)
      const p = naiveSurface(pred, size, spacing)
      // surface points come in the same raster order, so the arrays match element by element
      expect(Array.from(sd.surfelAreasGt)).toEqual(g.areas)
      expect(Array.from(sd.surfelAreasPred)).toEqual(p.areas)
      const dg = bruteNearest(g.points, p.points, spacing)
      const dp = bruteNearest(p.points, g.points, spacing)
      const far = options?.maxOffsets !== undefined
      const same = (ours: Float64Array, theirs: number[]) => {
        expect(ours.length).toBe(theirs.length)
        ours.forEach((x, t) => {
          // the same floating-point expression gives identical values; the plane EDTs for far
          // points sum spacing^2 * delta^2 instead: the last bit may differ
          if (far) expect(Math.abs(x - theirs[t])).toBeLessThanOrEqual(1e-12 * Math.max(1, theirs[t]))
          else expect(x).toBe(theirs[t])
        })
      }
      same(sd.distancesGtToPred, dg)
      same(sd.distancesPredToGt, dp)
    })
  })

  it('one empty mask: every distance from the other is Infinity; both empty: nothing', () => {
    const size = [5, 4, 3]
    const one = new Uint8Array(60)
    one[17] = 1
    const none = new Uint8Array(60)
    const sd = computeSurfaceDistances({ size, data: one }, { size, data: none }, [1, 2, 3])
    expect(sd.surfelAreasGt.length).toBe(8)
    expect(Array.from(sd.distancesGtToPred)).toEqual(new Array(8).fill(Infinity))
    expect(sd.distancesPredToGt.length).toBe(0)
    const both = computeSurfaceDistances({ size, data: none }, { size, data: none }, [1, 2, 3])
    expect([both.distancesGtToPred.length, both.distancesPredToGt.length]).toEqual([0, 0])
  })

  it('labels select a value of a label image', () => {
    const size = [6, 5, 4]
    const labels = new Int16Array(120)
    labels.fill(2, 30, 60)
    labels.fill(7, 70, 90)
    const asLabel = computeSurfaceDistances({ size, data: labels, label: 2 }, { size, data: labels, label: 7 }, [1, 1, 1])
    const binary = (v: number) => Uint8Array.from(labels, (x) => (x === v ? 1 : 0))
    const asMasks = computeSurfaceDistances({ size, data: binary(2) }, { size, data: binary(7) }, [1, 1, 1])
    expect(asLabel).toEqual(asMasks)
  })
})
