// Trilinear sampling reproduces any affine function of the index exactly (the analytic truth),
// whatever the grid's direction, and follows ITK's inside/outside and border-clamping rules.
import { describe, expect, it } from 'vitest'
import { indexToPhysical, physicalToIndex } from '../../src/image/geometry.js'
import { gridOf, makeImage } from '../../src/image/image.js'
import { sampleTrilinear } from '../../src/measure/sample-trilinear.js'

const size = [7, 5, 4]
const f = (i: number, j: number, k: number) => 3 * i - 2 * j + 5 * k + 11
function affineImage() {
  const data = new Float32Array(size[0] * size[1] * size[2])
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) data[i + size[0] * (j + size[1] * k)] = f(i, j, k)
  // A rotated, flipped grid: the sampler works in index space, geometry only maps points to it.
  const c = Math.cos(0.3), s = Math.sin(0.3)
  return makeImage({ size, spacing: [0.8, 1.5, 2.5], origin: [-10, 20, 5], direction: [c, -s, 0, s, c, 0, 0, 0, -1] }, data)
}

describe('sampleTrilinear', () => {
  const image = affineImage()
  it('equals the affine function at any point inside the voxel-centre hull', () => {
    for (const index of [[0.25, 1.5, 2.75], [3, 2, 1], [5.9, 0.1, 2.5], [6, 4, 3]]) {
      expect(sampleTrilinear(image, index)).toBeCloseTo(f(index[0], index[1], index[2]), 4)
    }
  })

  it('finds the same value through a physical point on a rotated grid', () => {
    const grid = gridOf(image)
    const point = indexToPhysical(grid, [2.5, 3.25, 0.5])
    expect(sampleTrilinear(image, physicalToIndex(grid, point))).toBeCloseTo(f(2.5, 3.25, 0.5), 4)
  })

  it('clamps neighbours at the border half voxel and is null outside the voxel footprints', () => {
    // At index -0.4 the lower neighbour would be -1: ITK clamps it to voxel 0.
    expect(sampleTrilinear(image, [-0.4, 2, 1])).toBeCloseTo(f(0, 2, 1), 4)
    expect(sampleTrilinear(image, [6.49, 2, 1])).toBeCloseTo(f(6, 2, 1), 4)
    expect(sampleTrilinear(image, [-0.51, 2, 1])).toBeNull()
    expect(sampleTrilinear(image, [6.5, 2, 1])).toBeNull()
    expect(sampleTrilinear(image, [3, 2, Number.NaN])).toBeNull()
  })
})
