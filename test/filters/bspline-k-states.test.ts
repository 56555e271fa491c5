// Chunk sources as samples plus border states: every slab's coefficients along k, finished from
// its own slices and two state slices, are bit for bit the whole-column prefilter's (ITK's
// recursion, prefilterAxisInPlace), for short columns (mirrored initial value) and long ones
// (truncated), int16 and float32 samples, one-slice slabs and overlapping slabs; and through
// resampleSlab the ITK 5.2 golden B-spline resample within 1e-3.
import { describe, expect, it } from 'vitest'
import { type PixelArray, gridOf, pixelsOf } from '../../src/image/image.js'
import { isotropicGrid, prefilterAxisInPlace } from '../../src/filters/resample.js'
import { bsplineKCoefficientsFromStates, bsplineKStates } from '../../src/filters/bspline-k-states.js'
import { resampleSlab, slabResamplePlan, sourceSlicesFor } from '../../src/filters/resample-slab.js'
import { makeImage } from '../../src/image/image.js'
import { makeRandom } from '../../src/sample/random.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

async function slabCoefficients(pixels: PixelArray, dims: number[], slabs: [number, number][], threads = 1, callerBusyUntil?: Promise<unknown>): Promise<Float64Array[]> {
  const S = dims[0] * dims[1]
  const states = await bsplineKStates(pixels, dims, slabs, threads, callerBusyUntil)
  return slabs.map(([z0, z1], s) => bsplineKCoefficientsFromStates(pixels.subarray(z0 * S, z1 * S) as PixelArray, [dims[0], dims[1], z1 - z0], states[s]))
}

describe('bsplineKStates + bsplineKCoefficientsFromStates', () => {
  const random = makeRandom('bspline-k-states', 1)
  const cases: { name: string; dims: number[]; pixels: () => PixelArray; slabs: [number, number][] }[] = [
    // longer than the initial value's horizon (19 slices): truncated sum
    { name: 'int16, 53 slices', dims: [7, 5, 53], pixels: () => Int16Array.from({ length: 7 * 5 * 53 }, () => Math.round(1000 * random.bell())), slabs: [[0, 9], [7, 20], [20, 21], [16, 33], [31, 53], [52, 53], [0, 53], [32, 33]] },
    { name: 'float32, 40 slices', dims: [6, 4, 40], pixels: () => Float32Array.from({ length: 6 * 4 * 40 }, () => 300 * random.bell() + 0.1234567), slabs: [[0, 1], [1, 17], [15, 40], [39, 40]] },
    // 2600 columns: bands of 1024 columns, the last one partial
    { name: 'int16, 52 x 50 x 30', dims: [52, 50, 30], pixels: () => Int16Array.from({ length: 52 * 50 * 30 }, () => Math.round(700 * random.bell())), slabs: [[0, 12], [10, 30], [29, 30]] },
    // shorter than the horizon: the mirrored initial value
    { name: 'int16, 7 slices', dims: [5, 3, 7], pixels: () => Int16Array.from({ length: 5 * 3 * 7 }, () => Math.round(900 * random.bell())), slabs: [[0, 3], [2, 7], [3, 4], [0, 7]] },
    { name: 'uint8, 2 slices', dims: [4, 4, 2], pixels: () => Uint8Array.from({ length: 32 }, () => Math.floor(256 * random.next())), slabs: [[0, 1], [1, 2], [0, 2]] },
  ]
  for (const c of cases) {
    it(`${c.name}: every slab's coefficients are the whole column's, bit for bit, on 1 and 2 threads`, async () => {
      const pixels = c.pixels()
      const S = c.dims[0] * c.dims[1]
      const whole = Float64Array.from(pixels as ArrayLike<number>)
      prefilterAxisInPlace(whole, c.dims, 2)
      for (const threads of [1, 2]) {
        // the calling thread joining at once, or later (the worker takes more of the bands meanwhile)
        for (const busy of [undefined, new Promise((resolve) => setTimeout(resolve, 30))]) {
          const slabs = await slabCoefficients(pixels, c.dims, c.slabs, threads, busy)
          c.slabs.forEach(([z0, z1], s) => expect(sameBits(slabs[s], whole.subarray(z0 * S, z1 * S)), `slab [${z0}, ${z1}), ${threads} thread(s)${busy ? ', caller joining late' : ''}`).toBe(true))
        }
      }
    })
  }

  it("the caller's other work failing fails the call, after the threads have finished", async () => {
    const pixels = Int16Array.from({ length: 52 * 50 * 30 }, (_, i) => i % 977)
    const failed = Promise.reject(new Error('source write failed'))
    for (const threads of [1, 2]) await expect(bsplineKStates(pixels, [52, 50, 30], [[0, 15], [14, 30]], threads, failed)).rejects.toThrow('source write failed')
  })

  it('through resampleSlab on slabs of a real CT: the ITK golden within 1e-3', async () => {
    const ct = await readItkGolden('input/ct-pelvis-crop.nii.gz')
    const ref = await readItkGolden('out/ct-pelvis-crop.resample1.5_bspline.nii.gz')
    const grid = isotropicGrid(gridOf(ct), 1.5)
    const plan = slabResamplePlan(gridOf(ct), grid, { interpolator: 'bspline', defaultValue: -1024 })
    expect(plan.coefficientsAlongK).toBe(true)
    const [nx, ny] = ct.size
    const cuts = [0, 1, 8, Math.floor(grid.size[2] / 2), grid.size[2]]
    const ranges = cuts.slice(1).map((k1, n) => sourceSlicesFor(plan, cuts[n], k1))
    const coefficients = await slabCoefficients(pixelsOf(ct), ct.size, ranges, 2)
    const out = new Float32Array(pixelsOf(ref).length)
    cuts.slice(1).forEach((k1, n) => {
      const [z0, z1] = ranges[n]
      const source = makeImage({ ...gridOf(ct), size: [nx, ny, z1 - z0] }, coefficients[n])
      out.set(pixelsOf(resampleSlab(source, z0, plan, cuts[n], k1)) as Float32Array, cuts[n] * grid.size[0] * grid.size[1])
    })
    expect(maxAbsDiff(out, pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
  })
})
