// N4 in two phases (src/filters/n4-two-phase.ts): the field fitted once on the shrunk whole
// image, applied slab by slab. On mr-t1-head (ITK 5.2 golden (b)): the fit runs ITK's
// iterations per level, any cut into slabs (one-slice slabs included) gives exactly the float32
// values of the one-call filter, and those match ITK's corrected image.
import { beforeAll, describe, expect, it } from 'vitest'
import { extractSlab, stitchSlabs } from '../../src/chunks/slab-image.js'
import { n4BiasFieldCorrection } from '../../src/filters/n4-bias-field-correction.js'
import { type N4Field, applyN4Field, fitN4Field } from '../../src/filters/n4-two-phase.js'
import { type Image, gridOf, pixelsOf } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { makeRandom } from '../../src/sample/random.js'
import { readItkGolden } from '../support/golden-images.js'
import { dataPath } from '../support/paths.js'
import { correlation } from '../support/correlation.js'

let mr: Image
let field: N4Field

function correctInSlabs(thicknesses: number[]): Image {
  const depth = mr.size[2]
  const slabs = []
  for (let k0 = 0, n = 0; k0 < depth; n++) {
    const k1 = Math.min(depth, k0 + thicknesses[n % thicknesses.length])
    // the field travels as JSON between the phases
    slabs.push({ k0, pixels: pixelsOf(applyN4Field(extractSlab(mr, k0, k1), JSON.parse(JSON.stringify(field)) as N4Field, k0)) })
    k0 = k1
  }
  return stitchSlabs(gridOf(mr), slabs)
}

beforeAll(async () => {
  mr = await readNifti(dataPath('mr-t1-head.nii.gz'))
  field = fitN4Field(mr)
})

describe('N4 two-phase (fit once, apply per slab)', () => {
  it('phase 1 is ITK 5.2: offset 1, Otsu threshold 47.1773605, iterations 1, 1, 13, 20 (golden (b))', () => {
    expect(field.offset).toBe(1)
    expect(Math.abs(field.threshold - 47.1773605)).toBeLessThanOrEqual(1e-4)
    expect(field.iterationsRun).toEqual([1, 1, 13, 20])
    expect(field.latticeSize).toEqual([11, 11, 11])
  })

  it('any slab cut equals the one-call filter bit for bit and correlates >= 0.999 with ITK', async () => {
    const whole = n4BiasFieldCorrection(mr)
    const wholeBytes = Buffer.from(pixelsOf(whole.corrected).buffer)
    const random = makeRandom('n4-two-phase', 1)
    for (const cut of [[mr.size[2]], [1], [3, 1, 7], [1 + Math.floor(random.next() * 30)]]) {
      const slabbed = correctInSlabs(cut)
      expect(Buffer.from(pixelsOf(slabbed).buffer).equals(wholeBytes)).toBe(true)
    }
    const itk = await readItkGolden('out/mr-t1-head.n4-corrected.nii.gz')
    expect(correlation(pixelsOf(correctInSlabs([5])), pixelsOf(itk))).toBeGreaterThanOrEqual(0.999)
  })

  it('refuses a slab outside the fitted grid', () => {
    expect(() => applyN4Field(extractSlab(mr, 0, 2), field, mr.size[2] - 1)).toThrow(/not inside the fitted grid/)
  })
})
