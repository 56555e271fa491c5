import { describe, expect, it, beforeAll } from 'vitest'
import { readNifti } from '../../src/io/nifti.js'
import { gridOf, pixelsOf, type Image } from '../../src/image/image.js'
import {
  n4BiasFieldCorrection, n4Offset, n4OtsuMask, n4ShrinkPlan, shiftedImage, shrinkPixels, type N4Result,
} from '../../src/filters/n4-bias-field-correction.js'
import { emptyLattice, evaluateLattice, fitLattice, refineLattice } from '../../src/filters/bspline-scattered-fit.js'
import { readItkGolden } from '../support/golden-images.js'
import { dataPath } from '../support/paths.js'
import { correlation } from '../support/correlation.js'

function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32)
}

describe('B-spline lattice helpers', () => {
  it('refining a lattice x2 leaves the function unchanged', () => {
    const rnd = seeded(7)
    const lat = emptyLattice([5, 4, 6])
    for (let i = 0; i < lat.values.length; i++) lat.values[i] = rnd() * 2 - 1
    const fine = refineLattice(lat)
    expect(fine.size).toEqual([7, 5, 9])
    const a = evaluateLattice(lat, [13, 9, 11])
    const b = evaluateLattice(fine, [13, 9, 11])
    let m = 0
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
    expect(m).toBeLessThan(1e-12)
  })

  it('fits linearly, and repeated residual fits approach a constant', () => {
    const size = [12, 10, 8]
    const n = size[0] * size[1] * size[2]
    const mask = new Uint8Array(n).fill(1)
    const rnd = seeded(3)
    const data = Float64Array.from({ length: n }, () => rnd())
    const a = fitLattice(data, mask, size, [5, 4, 4])
    const b = fitLattice(data.map((v) => 2 * v), mask, size, [5, 4, 4])
    for (let i = 0; i < a.values.length; i++) expect(b.values[i]).toBeCloseTo(2 * a.values[i], 12)
    // one BA pass only approximates a constant (ITK's too: up to ~25 % off at the corners);
    // refitting the residual and adding the lattices, as N4 does, approaches it
    const total = emptyLattice([4, 4, 4])
    const residual = new Float64Array(n)
    let v = evaluateLattice(total, size)
    const worst = () => { let m = 0; for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(v[i] / 0.3 - 1)); return m }
    let first = 0
    for (let k = 0; k < 200; k++) {
      if (k === 1) first = worst()
      for (let i = 0; i < n; i++) residual[i] = 0.3 - v[i]
      const phi = fitLattice(residual, mask, size, [4, 4, 4])
      for (let j = 0; j < phi.values.length; j++) total.values[j] += phi.values[j]
      v = evaluateLattice(total, size)
    }
    expect(first).toBeGreaterThan(0.2)
    expect(worst()).toBeLessThan(0.02) // slow (corner control points have small weights) but steady
  })
})

describe('n4BiasFieldCorrection on mr-t1-head against ITK (README (b))', () => {
  let image: Image
  let result: N4Result
  const golden: Record<string, Image> = {}

  beforeAll(async () => {
    image = await readNifti(dataPath('mr-t1-head.nii.gz'))
    for (const k of ['corrected', 'bias', 'otsu-mask']) golden[k] = await readItkGolden(`out/mr-t1-head.n4-${k}.nii.gz`)
    result = n4BiasFieldCorrection(image)
  }, 60_000)

  it('steps 1-2: offset +1 and the Otsu mask are exact', () => {
    const offset = n4Offset(pixelsOf(image))
    expect(offset).toBe(1)
    const { mask, threshold } = n4OtsuMask(shiftedImage(image, offset), 200)
    expect(Math.abs(threshold - 48.1773605)).toBeLessThanOrEqual(1e-4)
    expect(Math.abs(result.threshold - 47.1773605)).toBeLessThanOrEqual(1e-4)
    const m = pixelsOf(mask), g = pixelsOf(golden['otsu-mask'])
    let count = 0, diff = 0
    for (let i = 0; i < m.length; i++) { count += m[i]; if (m[i] !== g[i]) diff++ }
    expect(diff).toBe(0)
    expect(count).toBe(197_443)
    expect(pixelsOf(result.mask)).toEqual(m)
  })

  it('step 3: the shrunk grid and mask are those of ShrinkImageFilter', () => {
    const plan = n4ShrinkPlan(gridOf(image), 4)
    expect(plan.grid.size).toEqual([32, 32, 15])
    expect(plan.grid.spacing).toEqual([8, 8, 12])
    expect(plan.start).toEqual([2, 2, 3])
    plan.grid.origin.forEach((o, d) => expect(o).toBeCloseTo([3, 246.5, 3][d], 9))
    const small = shrinkPixels(pixelsOf(result.mask), image.size, plan, new Uint8Array(32 * 32 * 15))
    expect(small.reduce((s, v) => s + v, 0)).toBe(3_066)
  })

  it('step 4: iterations per level as ITK (1, 1, 13, 20)', () => {
    expect(result.iterationsRun).toEqual([1, 1, 13, 20])
    // manifest: 0.000184402408, 0.000658054778, 0.000993016991, 0.00128114352 (ITK computes in float32)
    const itk = [0.000184402408, 0.000658054778, 0.000993016991, 0.00128114352]
    result.convergence.forEach((c, i) => expect(Math.abs(c - itk[i]) / itk[i]).toBeLessThan(0.02))
  })

  it('steps 5-6: bias and corrected image agree with ITK', () => {
    // Independent-implementation tolerances of the README: |b/mean(b) - b_ITK/mean(b_ITK)| <= 0.01
    // in the mask and correlation >= 0.99; the issue's: bias within 2 %, corrected correlation
    // >= 0.999. This implementation follows ITK step by step in float64 (ITK: float32), so it is
    // held to the README's line-by-line tolerance, 1e-3 relative (reached: ~1.7e-4).
    const b = pixelsOf(result.biasField), B = pixelsOf(golden.bias), M = pixelsOf(golden['otsu-mask'])
    expect(b).toBeInstanceOf(Float32Array)
    let sb = 0, sB = 0, nm = 0
    for (let i = 0; i < b.length; i++) if (M[i]) { sb += b[i]; sB += B[i]; nm++ }
    let normDiff = 0, rel = 0
    for (let i = 0; i < b.length; i++) {
      rel = Math.max(rel, Math.abs(b[i] / B[i] - 1))
      if (M[i]) normDiff = Math.max(normDiff, Math.abs(b[i] / (sb / nm) - B[i] / (sB / nm)))
    }
    expect(normDiff).toBeLessThanOrEqual(0.01)
    expect(rel).toBeLessThanOrEqual(1e-3)
    expect(correlation(b, B)).toBeGreaterThanOrEqual(0.999)
    const c = pixelsOf(result.corrected), C = pixelsOf(golden.corrected)
    expect(c).toBeInstanceOf(Float32Array)
    expect(correlation(c, C)).toBeGreaterThanOrEqual(0.999)
    let relC = 0
    for (let i = 0; i < c.length; i++) relC = Math.max(relC, Math.abs(c[i] - C[i]) / (Math.abs(C[i]) + 1))
    expect(relC).toBeLessThanOrEqual(1e-3)
    expect(pixelsOf(result.mask)).toBeInstanceOf(Uint8Array)
  })
})
