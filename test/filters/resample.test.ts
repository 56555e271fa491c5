import { describe, expect, it, beforeAll } from 'vitest'
import { gridOf, makeImage, pixelsOf, type Image } from '../../src/image/image.js'
import { isotropicGrid, resample, resampleFootprint, resampleLabels, type Interpolator } from '../../src/filters/resample.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

const read = readItkGolden


function countEqual(a: ArrayLike<number>, v: number): number {
  let c = 0
  for (let i = 0; i < a.length; i++) if (a[i] === v) c++
  return c
}

describe('resample (ITK ResampleImageFilter, golden (a))', () => {
  let ct: Image
  const ref: Partial<Record<Interpolator, Image>> = {}
  beforeAll(async () => {
    ct = await read('input/ct-pelvis-crop.nii.gz')
    for (const k of ['linear', 'nearest', 'bspline'] as const) ref[k] = await read(`out/ct-pelvis-crop.resample1.5_${k}.nii.gz`)
  })

  it('isotropicGrid gives the golden 1.5 mm grid', () => {
    const g = isotropicGrid(gridOf(ct), 1.5)
    expect(g.size).toEqual([144, 128, 80])
    expect(g.spacing).toEqual([1.5, 1.5, 1.5])
    expect(g.origin).toEqual([...ct.origin])
    const r = ref.linear!
    for (let d = 0; d < 3; d++) expect(g.origin[d]).toBeCloseTo(r.origin[d], 4)
    expect(g.direction.map((v) => v + 0)).toEqual(Array.from(r.direction as ArrayLike<number>, (v) => v + 0)) // +0: ignore signed zeros
    // default spacing: the smallest in-plane spacing
    expect(isotropicGrid({ size: [512, 512, 141], spacing: [0.977, 0.977, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }).size).toEqual([512, 512, 289])
  })

  for (const kind of ['linear', 'nearest', 'bspline'] as const) {
    it(`${kind} matches ITK within 1e-3 and the -1024 mask exactly`, () => {
      const out = resample(ct, isotropicGrid(gridOf(ct), 1.5), { interpolator: kind, defaultValue: -1024 })
      expect(out.size).toEqual([144, 128, 80])
      expect(out.imageType.componentType).toBe('float32')
      const got = pixelsOf(out)
      const want = pixelsOf(ref[kind]!)
      expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-3)
      expect(countEqual(got, -1024)).toBe(39841)
      for (let i = 0; i < got.length; i++) {
        if ((got[i] === -1024) !== (want[i] === -1024)) throw new Error(`-1024 mask differs at voxel ${i}`)
      }
    })
  }

  it('the general (oblique) path agrees: output axes 0 and 1 swapped', () => {
    const g = isotropicGrid(gridOf(ct), 1.5)
    const d = g.direction
    // swap the first two columns of the direction matrix, and the sizes to match
    const swapped = {
      ...g,
      size: [g.size[1], g.size[0], g.size[2]],
      direction: [d[1], d[0], d[2], d[4], d[3], d[5], d[7], d[6], d[8]],
    }
    const [mx, my, mz] = g.size
    for (const kind of ['nearest', 'linear', 'bspline'] as const) {
      const got = pixelsOf(resample(ct, swapped, { interpolator: kind, defaultValue: -1024 }))
      const want = pixelsOf(ref[kind]!)
      let worst = 0
      for (let k = 0; k < mz; k++) {
        for (let j = 0; j < my; j++) {
          for (let i = 0; i < mx; i++) {
            const a = got[(k * mx + i) * my + j]
            const b = want[(k * my + j) * mx + i]
            if ((a === -1024) !== (b === -1024)) throw new Error(`${kind}: mask differs at ${i},${j},${k}`)
            worst = Math.max(worst, Math.abs(a - b))
          }
        }
      }
      expect(worst, kind).toBeLessThanOrEqual(1e-3)
    }
  })

  it('a flipped output axis (separable, negative step) mirrors the ITK result', () => {
    const g = isotropicGrid(gridOf(ct), 1.5)
    const d = g.direction
    // output voxel o' along axis 0 is golden voxel 142 - o' (the last, outside plane dropped)
    const origin = [0, 1, 2].map((r) => g.origin[r] + d[r * 3] * 1.5 * 142)
    const flipped = { ...g, size: [143, g.size[1], g.size[2]], origin, direction: [-d[0], d[1], d[2], -d[3], d[4], d[5], -d[6], d[7], d[8]] }
    const [mx, my, mz] = g.size
    for (const kind of ['nearest', 'linear', 'bspline'] as const) {
      const got = pixelsOf(resample(ct, flipped, { interpolator: kind, defaultValue: -1024 }))
      const want = pixelsOf(ref[kind]!)
      let worst = 0
      for (let k = 0; k < mz; k++) for (let j = 0; j < my; j++) for (let i = 0; i < 143; i++) {
        const a = got[(k * my + j) * 143 + i]
        const b = want[(k * my + j) * mx + 142 - i]
        if ((a === -1024) !== (b === -1024)) throw new Error(`${kind}: mask differs at ${i},${j},${k}`)
        worst = Math.max(worst, Math.abs(a - b))
      }
      expect(worst, kind).toBeLessThanOrEqual(1e-3)
    }
  })

  it('B-spline reproduces the samples at input voxel centres (short and long axes)', () => {
    // short axes use the exact mirrored causal initialisation, long ones the truncated sum
    let seed = 5
    // (ITK truncates the causal sum where |z|^k < 1e-10: errors ~1e-10 of the data range)
    for (const [size, tol] of [[[7, 5, 3], 1e-9], [[30, 2, 25], 1e-6]] as const) {
      const n = size[0] * size[1] * size[2]
      const data = new Float32Array(n)
      for (let i = 0; i < n; i++) {
        seed = (seed * 1664525 + 1013904223) >>> 0
        data[i] = (seed / 2 ** 32) * 2000 - 1000
      }
      const img = makeImage({ size: [...size], spacing: [2, 3, 4], origin: [1, 2, 3], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
      const fine = { size: size.map((v) => 2 * v), spacing: [1, 1.5, 2], origin: [1, 2, 3], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
      const got = pixelsOf(resample(img, fine, { interpolator: 'bspline', outputType: 'float64' }))
      for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) {
        const a = got[((2 * k) * 2 * size[1] + 2 * j) * 2 * size[0] + 2 * i]
        expect(Math.abs(a - data[(k * size[1] + j) * size[0] + i])).toBeLessThan(tol)
      }
    }
  })

  it('integer output types are rounded to nearest and clamped', () => {
    const g = isotropicGrid(gridOf(ct), 1.5)
    const got = pixelsOf(resample(ct, g, { interpolator: 'linear', defaultValue: -1024, outputType: 'int16' }))
    expect(got).toBeInstanceOf(Int16Array)
    const want = pixelsOf(ref.linear!)
    for (let i = 0; i < got.length; i++) if (got[i] !== Math.round(want[i])) throw new Error(`voxel ${i}: ${got[i]} vs ${want[i]}`)
    const u8 = pixelsOf(resample(ct, g, { interpolator: 'nearest', defaultValue: -1024, outputType: 'uint8' }))
    for (let i = 0; i < u8.length; i++) if (u8[i] !== Math.min(255, Math.max(0, want[i] === -1024 ? 0 : pixelsOf(ref.nearest!)[i]))) throw new Error(`uint8 voxel ${i}`)
  })

  it('resampleLabels keeps the label type and agrees with the nearest CT resample', async () => {
    const bone = await read('input/ct-pelvis-crop.bone.nii.gz')
    const out = resampleLabels(bone, isotropicGrid(gridOf(bone), 1.5))
    const got = pixelsOf(out)
    expect(got).toBeInstanceOf(Uint8Array)
    expect(out.imageType.componentType).toBe('uint8')
    const near = pixelsOf(ref.nearest!)
    let n = 0
    for (let i = 0; i < got.length; i++) {
      const want = near[i] >= 200 ? 1 : 0 // bone = HU >= 200; outside voxels are -1024 there, 0 here
      if (got[i] !== want) throw new Error(`label voxel ${i}: ${got[i]} vs ${want}`)
      n += got[i]
    }
    expect(n).toBeGreaterThan(12750 * 7)
  })

  it('identity grid reproduces the input exactly with every interpolator', () => {
    for (const kind of ['nearest', 'linear', 'bspline'] as const) {
      const got = pixelsOf(resample(ct, gridOf(ct), { interpolator: kind }))
      expect(maxAbsDiff(got, pixelsOf(ct))).toBe(0)
    }
  })

  it('B-spline interpolates a smooth function closely and a single-slice axis works', () => {
    // f = quadratic in x, constant along a size-1 axis: cubic splines reproduce it away from the borders
    const n = 40
    const data = new Float32Array(n * n)
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) data[j * n + i] = 0.01 * (i - 20) * (i - 20) + j
    const img = makeImage({ size: [n, n, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
    const out = resample(img, { size: [2 * n, n, 1], spacing: [0.5, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, { interpolator: 'bspline', defaultValue: -1 })
    const got = pixelsOf(out)
    for (let j = 0; j < n; j++) {
      for (let o = 10; o < 2 * n - 10; o++) {
        const x = o / 2
        expect(Math.abs(got[j * 2 * n + o] - (0.01 * (x - 20) * (x - 20) + j))).toBeLessThan(1e-3)
      }
      expect(got[j * 2 * n + 2 * n - 1]).toBe(-1) // index 39.5 is outside [-0.5, 39.5)
    }
  })

  it('declares its footprint', () => {
    expect(resampleFootprint('linear')).toEqual({ kind: 'neighbourhood', haloVoxels: [1, 1, 1] })
    expect(resampleFootprint('bspline').kind).toBe('neighbourhood')
  })
})
