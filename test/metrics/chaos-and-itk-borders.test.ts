// CHAOS ASSD / MSSD and the ITK-definition distances against literal implementations on small
// random masks (border voxels by definition, every pair of points), including masks that touch
// the image border, where the two conventions (border = inside) matter.
import { describe, expect, it } from 'vitest'
import { chaosSurfaceDistance } from '../../src/metrics/chaos-surface-distance.js'
import { itkContourMeanDistance } from '../../src/metrics/itk-contour-mean-distance.js'
import { itkHausdorffDistance } from '../../src/metrics/itk-hausdorff.js'
import { cropMaskPair, unionBoundingBox } from '../../src/metrics/mask-crop.js'
import { overlapMeasures } from '../../src/metrics/overlap-measures.js'
import { bruteNearest, mulberry32, naiveBorderVoxels, randomMask } from './naive-reference.js'

const rand = mulberry32(7)
const cases = Array.from({ length: 14 }, (_, c) => {
  const size = c % 4 === 3 ? [6 + Math.floor(rand() * 20), 5 + Math.floor(rand() * 20)] : [3 + Math.floor(rand() * 9), 3 + Math.floor(rand() * 9), 2 + Math.floor(rand() * 7)]
  return { size, spacing: size.map(() => Math.round((0.4 + rand() * 2) * 100) / 100), a: randomMask(size, rand, 0.2 + rand() * 0.6, c % 2 === 0), b: randomMask(size, rand, 0.2 + rand() * 0.6, c % 3 === 0) }
})

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0)
const close = (x: number, y: number) => expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)))

describe('CHAOS ASSD / MSSD (face-connected border voxels, image border = inside)', () => {
  cases.forEach(({ size, spacing, a, b }, c) => {
    it(`case ${c}: ${size.join('x')}`, () => {
      const box = unionBoundingBox({ size, data: a }, { size, data: b })
      const crop = box && cropMaskPair({ size, data: a }, { size, data: b }, box)
      const ours = chaosSurfaceDistance(crop, spacing)
      const ba = naiveBorderVoxels(a, size, 'face'), bb = naiveBorderVoxels(b, size, 'face')
      expect(ours.borderVoxels).toEqual({ reference: ba.length, prediction: bb.length })
      const ab = bruteNearest(ba, bb, spacing), ba2 = bruteNearest(bb, ba, spacing)
      close(ours.assdMm, (sum(ab) + sum(ba2)) / (ab.length + ba2.length))
      close(ours.mssdMm, Math.max(...ab, ...ba2))
    })
  })

  it('empty masks: Infinity with one, NaN with both', () => {
    const size = [4, 4, 4]
    const one = new Uint8Array(64).fill(1, 20, 30)
    const none = new Uint8Array(64)
    const crop = cropMaskPair({ size, data: one }, { size, data: none }, unionBoundingBox({ size, data: one }, { size, data: none })!)
    expect(chaosSurfaceDistance(crop, [1, 1, 1])).toMatchObject({ assdMm: Infinity, mssdMm: Infinity })
    expect(chaosSurfaceDistance(null, [1, 1, 1])).toMatchObject({ assdMm: NaN, mssdMm: NaN })
  })

  it('RAVD = |V_ref - V_pred| / V_ref * 100, volumes in mL', () => {
    const m = overlapMeasures({ reference: 200, prediction: 150, intersection: 120 }, 2.5)
    expect(m.ravdPercent).toBe(25)
    expect(m.referenceMl).toBe(0.5)
    expect(m.volumeDifferenceMl).toBe(-0.125)
    expect(m.dice).toBe(240 / 350)
    expect(m.jaccard).toBe(120 / 230)
    expect([m.sensitivity, m.precision]).toEqual([0.6, 0.8])
    const empty = overlapMeasures({ reference: 0, prediction: 10, intersection: 0 }, 1)
    expect([empty.ravdPercent, empty.sensitivity, empty.dice, empty.precision]).toEqual([Infinity, NaN, 0, 0])
  })
})

describe('ITK-definition Hausdorff and contour mean (26-neighbour contours)', () => {
  cases.forEach(({ size, spacing, a, b }, c) => {
    it(`case ${c}: ${size.join('x')}`, () => {
      const ca = naiveBorderVoxels(a, size, 'full'), cb = naiveBorderVoxels(b, size, 'full')
      const ab = bruteNearest(ca, cb, spacing), ba = bruteNearest(cb, ca, spacing)
      const mean = (d: number[]) => sum(d) / d.length
      const contour = itkContourMeanDistance({ size, data: a }, { size, data: b }, spacing)
      close(contour.directedMm.aToB, mean(ab))
      close(contour.directedMm.bToA, mean(ba))
      close(contour.meanMm, Math.max(mean(ab), mean(ba)))
      // filled sets: every voxel of one mask to the nearest voxel of the other (0 inside it)
      const voxels = (m: Uint8Array) => Array.from(m.keys()).filter((t) => m[t]).map((t) => size.length === 3
        ? [t % size[0], Math.floor(t / size[0]) % size[1], Math.floor(t / (size[0] * size[1]))]
        : [t % size[0], Math.floor(t / size[0])])
      const va = voxels(a), vb = voxels(b)
      const dab = bruteNearest(va, vb, spacing), dba = bruteNearest(vb, va, spacing)
      const h = itkHausdorffDistance({ size, data: a }, { size, data: b }, spacing)
      close(h.hausdorffMm, Math.max(...dab, ...dba))
      close(h.averageHausdorffMm, (mean(dab) + mean(dba)) / 2)
    })
  })
})
