// The N4 mask is tested on the shrunk voxels only, and the full-resolution mask of the result is
// made when read: both must be the mask ITK used (golden otsu-mask), whatever the input's type
// and however a caller's mask encodes "inside" (any non-zero value, as ITK's UseMaskLabel off).
import { describe, expect, it, beforeAll } from 'vitest'
import { readNifti } from '../../src/io/nifti.js'
import { pixelsOf, withPixels, type Image } from '../../src/image/image.js'
import { n4BiasFieldCorrection } from '../../src/filters/n4-bias-field-correction.js'
import { readItkGolden } from '../support/golden-images.js'
import { dataPath } from '../support/paths.js'

const short = { iterations: [2, 1] }

/** Index of the first element that differs (or the lengths), -1 when equal: toEqual is slow on millions. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i
  return -1
}

describe('N4 mask (mr-t1-head)', () => {
  let image: Image
  let itkMask: Image
  beforeAll(async () => {
    image = await readNifti(dataPath('mr-t1-head.nii.gz'))
    itkMask = await readItkGolden('out/mr-t1-head.n4-otsu-mask.nii.gz')
  }, 60_000)

  it('the mask read from the result is ITK\'s Otsu mask, for integer and float32 input', () => {
    const fromInt = n4BiasFieldCorrection(image, short)
    expect(pixelsOf(fromInt.mask)).toBeInstanceOf(Uint8Array)
    expect(firstDifference(pixelsOf(fromInt.mask), pixelsOf(itkMask))).toBe(-1)
    const asFloat = withPixels(image, Float32Array.from(pixelsOf(image)))
    const fromFloat = n4BiasFieldCorrection(asFloat, short)
    expect(pixelsOf(fromFloat.mask)).toBeInstanceOf(Uint8Array)
    expect(firstDifference(pixelsOf(fromFloat.mask), pixelsOf(itkMask))).toBe(-1)
    expect(firstDifference(pixelsOf(fromFloat.corrected), pixelsOf(fromInt.corrected))).toBe(-1)
  })

  it('a caller mask counts every non-zero value (negative, fractional) and gives the Otsu result bit for bit', () => {
    const otsu = n4BiasFieldCorrection(image, short)
    const m = pixelsOf(itkMask)
    const odd = new Float32Array(m.length)
    for (let i = 0; i < m.length; i++) odd[i] = m[i] ? (i % 2 ? 0.25 : -3) : 0
    const given = n4BiasFieldCorrection(image, { ...short, mask: withPixels(itkMask, odd) })
    expect(firstDifference(pixelsOf(given.corrected), pixelsOf(otsu.corrected))).toBe(-1)
    expect(firstDifference(pixelsOf(given.biasField), pixelsOf(otsu.biasField))).toBe(-1)
    expect(firstDifference(pixelsOf(given.mask), m)).toBe(-1)
    expect(given.threshold).toBeNaN()
  })
})
