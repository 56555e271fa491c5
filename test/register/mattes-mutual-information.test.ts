// Mattes MI against values known in closed form: two well separated intensity levels (the
// B-spline window of the moving image never spreads one level's mass into the other's bins).
import { describe, expect, it } from 'vitest'
import { mattesMutualInformation } from '../../src/register/mattes-mutual-information.js'

describe('mattesMutualInformation (-MI, Mattes Parzen windows)', () => {
  const n = 4096
  const levels = (f: (i: number) => boolean, lo: number, hi: number) => Float64Array.from({ length: n }, (_, i) => (f(i) ? hi : lo))

  it('an image against an affine copy of itself, two equally frequent levels: -ln 2', () => {
    const a = levels((i) => i % 2 === 0, 0, 10)
    const b = levels((i) => i % 2 === 0, 500, -300) // any one-to-one intensity map keeps MI
    expect(mattesMutualInformation(a, b)).toBeCloseTo(-Math.log(2), 12)
  })

  it('three levels with frequencies 1/2, 1/4, 1/4: -(entropy) = -1.5 ln 2', () => {
    const a = Float64Array.from({ length: n }, (_, i) => [0, 0, 5, 10][i % 4])
    expect(mattesMutualInformation(a, a, { bins: 40 })).toBeCloseTo(-1.5 * Math.log(2), 12)
  })

  it('independent images (every pair of levels equally often): 0', () => {
    const a = levels((i) => i % 2 === 0, 0, 1)
    const b = levels((i) => Math.floor(i / 2) % 2 === 0, 0, 1)
    expect(mattesMutualInformation(a, b)).toBeCloseTo(0, 12)
  })

  it('skips non-finite pairs (outside the moving image) and refuses mismatched lengths', () => {
    const a = levels((i) => i % 2 === 0, 0, 10)
    const b = Float64Array.from(a)
    for (let i = 0; i < n; i += 3) b[i] = Number.NaN
    expect(mattesMutualInformation(a, b)).toBeCloseTo(-Math.log(2), 2)
    expect(() => mattesMutualInformation(a, b.subarray(1))).toThrow(/same number/)
  })
})
