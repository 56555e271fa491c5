// The two-phase slab form of resampling (src/filters/resample-slab.ts): any cut of the output
// into slabs, down to one slice, gives the bytes of one slab over the whole volume (nearest,
// linear and B-spline; float32 and int16 outputs); the whole form agrees with resample() to
// 1e-6 of the data range (float64 operation order only) and with ITK's golden within 1e-3.
import { beforeAll, describe, expect, it } from 'vitest'
import { extentCenteredIsotropicGrid, isotropicGrid, resample, type Interpolator } from '../../src/filters/resample.js'
import { resampleSlab, resampleSource, slabResamplePlan, sourceSlicesFor } from '../../src/filters/resample-slab.js'
import { extractSlab, stitchSlabs } from '../../src/chunks/slab-image.js'
import { type ComponentType, type Grid, type Image, gridOf, pixelsOf } from '../../src/image/image.js'
import { valueRange } from '../../src/image/value-range.js'
import { makeRandom } from '../../src/sample/random.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

let ct: Image

beforeAll(async () => {
  ct = await readItkGolden('input/ct-pelvis-crop.nii.gz') // 72 x 64 x 40 at 3 mm
})

/** Cut [0, depth) into slabs of random thickness (1 included), resample each from its own source slab, stitch. */
function resampleInSlabs(image: Image, grid: Grid, interpolator: Interpolator, outputType: ComponentType, thicknesses: number[]) {
  const plan = slabResamplePlan(gridOf(image), grid, { interpolator, defaultValue: -1024, outputType })
  const source = resampleSource(image, plan)
  const slabs = []
  for (let k0 = 0, n = 0; k0 < grid.size[2]; n++) {
    const k1 = Math.min(grid.size[2], k0 + thicknesses[n % thicknesses.length])
    const [z0, z1] = sourceSlicesFor(plan, k0, k1)
    slabs.push({ k0, pixels: pixelsOf(resampleSlab(extractSlab(source, z0, z1), z0, plan, k0, k1)) })
    k0 = k1
  }
  return stitchSlabs(grid, slabs)
}

const bytes = (image: Image) => {
  const p = pixelsOf(image)
  return Buffer.from(p.buffer, p.byteOffset, p.byteLength)
}

describe('resample in slabs (two-phase B-spline, exact nearest/linear)', () => {
  const random = makeRandom('resample-slab', 3)
  const cuts = [[1], [2, 1, 5], Array.from({ length: 4 }, () => 1 + Math.floor(random.next() * 20))]
  const grids: [string, (g: Grid) => Grid][] = [
    ['1.5 mm, origin kept (samples past the end get the default)', (g) => isotropicGrid(g, 1.5)],
    ['2.2 mm, extent-centred (k shrinks, spacing does not divide)', (g) => extentCenteredIsotropicGrid(g, 2.2)],
    ['3 mm in-plane 1.7 mm (k identity, i and j resampled)', (g) => ({ ...isotropicGrid(g, 1.7), size: [...isotropicGrid(g, 1.7).size.slice(0, 2), 40], spacing: [1.7, 1.7, 3] })],
  ]
  for (const [what, makeGrid] of grids) {
    for (const interpolator of ['nearest', 'linear', 'bspline'] as const) {
      it(`${what}, ${interpolator}: every cut equals one slab, bit for bit; one slab equals resample() within 1e-6 of the range`, () => {
        const grid = makeGrid(gridOf(ct))
        for (const outputType of ['float32', 'int16'] as const) {
          const one = resampleInSlabs(ct, grid, interpolator, outputType, [grid.size[2]])
          for (const cut of cuts) expect(bytes(resampleInSlabs(ct, grid, interpolator, outputType, cut)).equals(bytes(one))).toBe(true)
          const reference = resample(ct, grid, { interpolator, defaultValue: -1024, outputType })
          if (outputType === 'float32') {
            const { min, max } = valueRange(pixelsOf(ct))
            // float32 storage of both: half an ulp of the largest magnitude each, plus 1e-6 of the range
            const ulp = 2 ** (Math.floor(Math.log2(Math.max(Math.abs(min), Math.abs(max)))) - 23)
            expect(maxAbsDiff(pixelsOf(one), pixelsOf(reference))).toBeLessThanOrEqual(1e-6 * (max - min) + ulp)
          }
        }
      })
    }
  }

  it('the one-slab B-spline matches ITK 5.2 (golden) within 1e-3, as resample() does', async () => {
    const golden = await readItkGolden('out/ct-pelvis-crop.resample1.5_bspline.nii.gz')
    const grid = isotropicGrid(gridOf(ct), 1.5)
    const slabbed = resampleInSlabs(ct, grid, 'bspline', 'float32', [7, 1, 13])
    expect(maxAbsDiff(pixelsOf(slabbed), pixelsOf(golden))).toBeLessThanOrEqual(1e-3)
  })

  it('an output slab reads only the input slices its taps reach', () => {
    const grid = isotropicGrid(gridOf(ct), 1.5) // output k -> input z = k / 2
    const linear = slabResamplePlan(gridOf(ct), grid, { interpolator: 'linear' })
    expect(sourceSlicesFor(linear, 10, 12)).toEqual([5, 7]) // z = 5, 5.5 -> slices 5, 6
    const bspline = slabResamplePlan(gridOf(ct), grid, { interpolator: 'bspline' })
    expect(sourceSlicesFor(bspline, 10, 12)).toEqual([4, 8]) // floor(z) - 1 .. floor(z) + 2
    expect(sourceSlicesFor(bspline, 0, 1)).toEqual([0, 3]) // -1 mirrors to 1
  })
})
