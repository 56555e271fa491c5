// Phase 1 of slab-wise B-spline resampling on the filter threads: bit for bit the serial
// prefilter (any thread count, column counts that are not a multiple of the block), and through
// resampleSlab the ITK 5.2 golden B-spline resample within 1e-3.
import { describe, expect, it } from 'vitest'
import { gridOf, makeImage, pixelsOf } from '../../src/image/image.js'
import { isotropicGrid, prefilterAxisInPlace } from '../../src/filters/resample.js'
import { bsplineCoefficientsAlongK } from '../../src/filters/bspline-coefficients-along-k.js'
import { resampleSlab, resampleSource, resampleSourceOnThreads, slabResamplePlan } from '../../src/filters/resample-slab.js'
import { makeRandom } from '../../src/sample/random.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

describe('bsplineCoefficientsAlongK', () => {
  it('equals the serial prefilter along k bit for bit, on 1, 2 and 3 threads', async () => {
    const dims = [37, 29, 23] // 1073 columns: the last block is partial
    const random = makeRandom('coefficients-along-k', 1)
    const pixels = Int16Array.from({ length: dims[0] * dims[1] * dims[2] }, () => Math.round(1000 * random.bell()))
    const serial = Float64Array.from(pixels)
    prefilterAxisInPlace(serial, dims, 2)
    for (const threads of [1, 2, 3]) expect(sameBits(await bsplineCoefficientsAlongK(pixels, dims, threads), serial)).toBe(true)
  })

  it('a constant column is its own coefficient (the cubic B-spline basis sums to 1)', async () => {
    const dims = [4, 3, 50]
    const c = await bsplineCoefficientsAlongK(new Float32Array(dims[0] * dims[1] * dims[2]).fill(-700), dims, 2)
    // the causal initial sum stops where the pole's powers fall below 1e-10 (ITK's tolerance)
    for (const v of c) expect(Math.abs(v + 700)).toBeLessThan(700 * 1e-9)
  })

  it('through resampleSlab: the ITK golden within 1e-3 and the serial source bit for bit', async () => {
    const ct = await readItkGolden('input/ct-pelvis-crop.nii.gz')
    const ref = await readItkGolden('out/ct-pelvis-crop.resample1.5_bspline.nii.gz')
    const grid = isotropicGrid(gridOf(ct), 1.5)
    const plan = slabResamplePlan(gridOf(ct), grid, { interpolator: 'bspline', defaultValue: -1024 })
    expect(plan.coefficientsAlongK).toBe(true)
    const threaded = await resampleSourceOnThreads(ct, plan)
    expect(sameBits(pixelsOf(threaded) as Float64Array, pixelsOf(resampleSource(ct, plan)) as Float64Array)).toBe(true)
    const out = resampleSlab(threaded, 0, plan, 0, grid.size[2])
    expect(maxAbsDiff(pixelsOf(out), pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
    expect(makeImage(grid, pixelsOf(out)).size).toEqual(ref.size)
  })
})
