// ResampleImageFilter with a transform (output point -> input point): checked against index
// permutations and shifts known exactly from the transform.
import { describe, expect, it } from 'vitest'
import { makeImage, pixelsOf } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { axisAngleMatrix, centredTransform, composeTransforms, invertTransform, applyTransform } from '../../src/image/affine-transform.js'
import { resample, resampleLabels } from '../../src/filters/resample.js'
import { makeRandom } from '../../src/sample/random.js'

// an oblique, anisotropic grid: the transform must be applied in mm, not in index space
const grid = { size: [6, 6, 5], spacing: [1.5, 1.5, 2], origin: [10, -4, 7], direction: axisAngleMatrix([1, 1, 0], 0.3) }
const n = 6 * 6 * 5
const random = makeRandom('resample-transform')
const data = Float32Array.from({ length: n }, () => Math.round(random.uniform(-100, 100)))
const image = makeImage(grid, data)
const at = (i: number, j: number, k: number): number => data[(k * 6 + j) * 6 + i]

describe('resample with a transform', () => {
  it('a shift by whole voxels along index axis 0 moves the values by that many voxels', () => {
    // output point p reads input point p + 2 voxels along axis 0 (in mm, along its direction)
    const step = indexToPhysical({ ...grid, origin: [0, 0, 0] }, [2, 0, 0])
    for (const interpolator of ['nearest', 'linear', 'bspline'] as const) {
      const out = pixelsOf(resample(image, grid, { interpolator, defaultValue: -999, transform: { matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: step } }))
      for (let k = 0; k < 5; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 6; i++) {
        const v = out[(k * 6 + j) * 6 + i]
        if (i + 2 < 6) expect(v).toBeCloseTo(at(i + 2, j, k), 3)
        else expect(v).toBe(-999)
      }
    }
  })

  it('a quarter turn about index axis 2 through a voxel centre permutes the voxels (labels keep their type)', () => {
    // rotating about the direction of axis 2 through voxel (2, 2, 0) by +90 degrees maps index
    // (i, j) to (2 - (j - 2), 2 + (i - 2)) = (4 - j, i)
    const axis = [0, 1, 2].map((r) => grid.direction[r * 3 + 2])
    const turn = centredTransform(axisAngleMatrix(axis, Math.PI / 2), indexToPhysical(grid, [2, 2, 0]), [0, 0, 0])
    const labels = makeImage(grid, Uint8Array.from(data, (v) => Math.abs(v) % 7))
    const out = pixelsOf(resampleLabels(labels, grid, turn))
    expect(out).toBeInstanceOf(Uint8Array)
    const src = pixelsOf(labels)
    for (let k = 0; k < 5; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 6; i++) {
      const si = 4 - j, sj = i
      const expected = si >= 0 && si < 6 ? src[(k * 6 + sj) * 6 + si] : 0
      expect(out[(k * 6 + j) * 6 + i]).toBe(expected)
    }
  })

  it('compose and invert agree with applying the maps one after the other', () => {
    const a = centredTransform(axisAngleMatrix([1, 2, 3], 0.2), [1, 2, 3], [4, 5, 6])
    const b = centredTransform(axisAngleMatrix([-1, 0, 2], 0.7), [-3, 0, 9], [0, 1, 0])
    const p = [7, -8, 9]
    const ab = applyTransform(composeTransforms(a, b), p)
    const direct = applyTransform(a, applyTransform(b, p))
    const back = applyTransform(invertTransform(a), applyTransform(a, p))
    for (let d = 0; d < 3; d++) {
      expect(ab[d]).toBeCloseTo(direct[d], 10)
      expect(back[d]).toBeCloseTo(p[d], 10)
    }
  })
})
