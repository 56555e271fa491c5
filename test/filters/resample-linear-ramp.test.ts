// Linear interpolation reproduces a linear function exactly: a CT-sized slice (512 x 512 int16,
// the WebAssembly path's input copy larger than its first memory) holding 2x + 3y + 5z in index
// units, resampled from 0.7 x 0.7 x 2.5 mm to 1 mm, must give 2 X + 3 Y + 5 Z at the continuous
// input index (X, Y, Z) of every output voxel inside the last input voxel centre (float32 rounding).
import { describe, expect, it } from 'vitest'
import { gridOf, makeImage, pixelsOf } from '../../src/image/image.js'
import { isotropicGrid, resample, resampleAsync } from '../../src/filters/resample.js'

describe('linear resampling of a linear ramp', () => {
  const [nx, ny, nz] = [512, 512, 4]
  const data = new Int16Array(nx * ny * nz)
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) data[(z * ny + y) * nx + x] = 2 * x + 3 * y + 5 * z
  const image = makeImage({ size: [nx, ny, nz], spacing: [0.7, 0.7, 2.5], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data, 'ramp')
  const grid = isotropicGrid(gridOf(image), 1)

  const check = (out: ArrayLike<number>) => {
    const [mx, my, mz] = grid.size
    let worst = 0, checked = 0
    for (let k = 0; k < mz; k++) for (let j = 0; j < my; j++) for (let i = 0; i < mx; i++) {
      const X = i / 0.7, Y = j / 0.7, Z = k / 2.5
      if (X > nx - 1 || Y > ny - 1 || Z > nz - 1) continue // past the last centre: clamped taps
      worst = Math.max(worst, Math.abs(out[(k * my + j) * mx + i] - (2 * X + 3 * Y + 5 * Z)))
      checked++
    }
    expect(checked).toBeGreaterThan(0.75 * mx * my * mz) // 8 of the 10 output slices lie inside
    expect(worst).toBeLessThanOrEqual(2565 * 2 ** -23 * 2) // float32 rounding of values up to 2565
  }

  it('one thread', () => check(pixelsOf(resample(image, grid, { interpolator: 'linear', defaultValue: -1024 }))))
  it('two threads', async () => check(pixelsOf(await resampleAsync(image, grid, { interpolator: 'linear', defaultValue: -1024, threads: 2 }))))
})
