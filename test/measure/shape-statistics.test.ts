// Shape partials / statistics (src/measure/shape-*.ts) against independent brute-force
// computations on small synthetic volumes with anisotropic spacing and a permuted, flipped
// direction; slab-split invariance; and consistency on the real CT of golden (d).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readImageNode } from '@itk-wasm/image-io'
import { describe, expect, it } from 'vitest'
import { gridOf, makeImage, pixelsOf, type Image, type PixelArray } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { reduceShapePartials, shapePartials, type ShapePartials } from '../../src/measure/shape-partials.js'
import { histogramPercentile, shapeStatistics, symmetricEigen3 } from '../../src/measure/shape-statistics.js'
import { allLabelStatistics } from '../../src/measure/all-label-statistics.js'
import { makeRandom } from '../../src/sample/random.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))

/** Uniform [0, 1) draws from the project's seeded generator. */
function rng(seed: number): () => number {
  const random = makeRandom('test', seed)
  return () => random.next()
}

const SIZE = [13, 9, 11]
const SPACING = [0.7, 1.3, 2.1]
// row-major; column 0 (i) -> +z, column 1 (j) -> +x, column 2 (k) -> -y
const DIRECTION = [0, 1, 0, 0, 0, -1, 1, 0, 0]
const ORIGIN = [-12.5, 40.25, 7]

function synthetic(seed: number, floatIntensity = false): { labels: Image; intensity: Image } {
  const random = rng(seed)
  const [nx, ny, nz] = SIZE
  const lab = new Uint8Array(nx * ny * nz)
  const val = floatIntensity ? new Float32Array(lab.length) : new Int16Array(lab.length)
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const o = i + nx * (j + ny * k)
    const e = ((i - 6) / 5) ** 2 + ((j - 4) / 3.2) ** 2 + ((k - 5) / 2.6) ** 2 // tilted in physical space by the direction
    if (e <= 1) lab[o] = 1
    else if (random() < 0.08) lab[o] = 2 // scattered, touches borders
    if (i === 0 && j === 0 && k >= 2 && k <= 8) lab[o] = 4 // a line on an edge: zero moments across it
    val[o] = floatIntensity ? Math.round((random() * 400 - 150) * 8) / 8 : Math.round(random() * 3000 - 1024)
  }
  lab[3 + nx * (4 + ny * 5)] = 3 // a single voxel inside the ellipsoid
  const grid = { size: SIZE, spacing: SPACING, origin: ORIGIN, direction: DIRECTION }
  return { labels: makeImage(grid, lab), intensity: makeImage(grid, val as PixelArray) }
}

/** Closed-form (trigonometric) eigenvalues of a symmetric 3x3 matrix, ascending. */
function eigenvaluesClosedForm(a: number[][]): number[] {
  const p1 = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2
  const q = (a[0][0] + a[1][1] + a[2][2]) / 3
  const p2 = (a[0][0] - q) ** 2 + (a[1][1] - q) ** 2 + (a[2][2] - q) ** 2 + 2 * p1
  if (p2 === 0) return [q, q, q]
  const p = Math.sqrt(p2 / 6)
  const b = a.map((row, r) => row.map((x, c) => (x - (r === c ? q : 0)) / p))
  const det = b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1]) - b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0]) + b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0])
  const phi = Math.acos(Math.min(1, Math.max(-1, det / 2))) / 3
  const big = q + 2 * p * Math.cos(phi), small = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3)
  return [small, 3 * q - big - small, big]
}

interface Brute {
  count: number; moments: number[]; cov: number[][]; faces: number[]; border: number; values: number[]
}

/** Everything by the definition, voxel by voxel, in physical space. */
function bruteForce(labels: Image, intensity: Image): Map<number, Brute> {
  const [nx, ny, nz] = labels.size
  const lab = pixelsOf(labels), val = pixelsOf(intensity)
  const grid = gridOf(labels)
  const at = (i: number, j: number, k: number): number =>
    i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz ? NaN : lab[i + nx * (j + ny * k)]
  const pts = new Map<number, { p: number[][]; faces: number[]; border: number; values: number[] }>()
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const l = at(i, j, k)
    if (l === 0) continue
    let e = pts.get(l)
    if (!e) pts.set(l, (e = { p: [], faces: [0, 0, 0], border: 0, values: [] }))
    e.p.push(indexToPhysical(grid, [i, j, k]))
    e.values.push(val[i + nx * (j + ny * k)])
    const nb = [[at(i - 1, j, k), at(i + 1, j, k)], [at(i, j - 1, k), at(i, j + 1, k)], [at(i, j, k - 1), at(i, j, k + 1)]]
    nb.forEach((pair, d) => pair.forEach((x) => { if (x !== l) e!.faces[d]++ }))
    if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) e.border++
  }
  const out = new Map<number, Brute>()
  for (const [l, e] of pts) {
    const n = e.p.length
    const c = [0, 1, 2].map((d) => e.p.reduce((s, p) => s + p[d], 0) / n)
    const cov = [0, 1, 2].map((a) => [0, 1, 2].map((b) => e.p.reduce((s, p) => s + (p[a] - c[a]) * (p[b] - c[b]), 0) / n))
    out.set(l, { count: n, moments: eigenvaluesClosedForm(cov), cov, faces: e.faces, border: e.border, values: [...e.values].sort((x, y) => x - y) })
  }
  return out
}

function numpyPercentile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h), hi = Math.ceil(h)
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo])
}

function cropWithHalo(image: Image, h0: number, h1: number): Image {
  const [nx, ny] = image.size
  const grid = gridOf(image)
  return makeImage({ ...grid, size: [nx, ny, h1 - h0], origin: indexToPhysical(grid, [0, 0, h0]) }, pixelsOf(image).slice(h0 * nx * ny, h1 * nx * ny) as PixelArray)
}

/** Partials of random slabs, each computed on its own cropped image with a 1-plane halo, reduced in random order. */
function splitPartials(labels: Image, intensity: Image | null, random: () => number, options: { includeBackground?: boolean } = {}): ShapePartials {
  const nz = labels.size[2]
  const cuts = new Set([0, nz])
  const n = 1 + Math.floor(random() * 5)
  for (let c = 0; c < n; c++) cuts.add(Math.floor(random() * (nz + 1)))
  const sorted = [...cuts].sort((a, b) => a - b)
  const parts: ShapePartials[] = []
  for (let s = 0; s + 1 < sorted.length; s++) {
    const [k0, k1] = [sorted[s], sorted[s + 1]]
    const h0 = Math.max(0, k0 - 1), h1 = Math.min(nz, k1 + 1)
    parts.push(shapePartials(cropWithHalo(labels, h0, h1), intensity ? cropWithHalo(intensity, h0, h1) : null, {
      ...options, kRange: [k0 - h0, k1 - h0], kOffset: h0, kTotal: nz,
    }))
  }
  for (let s = parts.length - 1; s > 0; s--) { const r = Math.floor(random() * (s + 1)); [parts[s], parts[r]] = [parts[r], parts[s]] }
  return reduceShapePartials(parts)
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12)

describe('shape statistics against brute force (anisotropic spacing, permuted direction)', () => {
  for (const floatIntensity of [false, true]) {
    it(`matches moments, axes, elongation, flatness, surface, border and percentiles (${floatIntensity ? 'float32' : 'int16'} intensity)`, () => {
      const { labels, intensity } = synthetic(7, floatIntensity)
      const stats = shapeStatistics(shapePartials(labels, intensity, { includeBackground: false }), gridOf(labels))
      const brute = bruteForce(labels, intensity)
      expect(stats.map((s) => s.label)).toEqual([...brute.keys()].sort((a, b) => a - b))
      const [sx, sy, sz] = SPACING
      for (const s of stats) {
        const b = brute.get(s.label)!
        const scale = Math.max(...b.moments.map(Math.abs), 1e-300)
        // the closed form loses ~sqrt(eps) at repeated roots (the line label), hence 1e-7 here; the
        // eigenvector residuals below hold our values to 1e-9
        for (let d = 0; d < 3; d++) expect(Math.abs(s.principal_moments_mm2[d] - b.moments[d]) / scale, `moment ${d} of ${s.label}`).toBeLessThan(1e-7)
        // each axis is an eigenvector of the brute-force covariance with its moment, and unit length
        s.principal_axes_lps.forEach((v, d) => {
          const cv = [0, 1, 2].map((r) => b.cov[r][0] * v[0] + b.cov[r][1] * v[1] + b.cov[r][2] * v[2])
          for (let r = 0; r < 3; r++) expect(Math.abs(cv[r] - s.principal_moments_mm2[d] * v[r]) / scale).toBeLessThan(1e-9)
          expect(Math.hypot(...v)).toBeCloseTo(1, 12)
        })
        const [l1, l2, l3] = b.moments
        if (l1 > 1e-9 * scale) {
          expect(rel(s.flatness, Math.sqrt(l2 / l1))).toBeLessThan(1e-8)
          expect(rel(s.elongation, Math.sqrt(l3 / l2))).toBeLessThan(1e-8)
          const r = Math.cbrt((3 * b.count * sx * sy * sz) / (4 * Math.PI)), edet = Math.cbrt(l1 * l2 * l3)
          for (let d = 0; d < 3; d++) expect(rel(s.principal_axis_lengths_mm[d], 2 * r * Math.sqrt(b.moments[d] / edet))).toBeLessThan(1e-8)
        }
        expect(s.exposed_faces).toEqual(b.faces)
        expect(s.surface_area_mm2).toBeCloseTo(b.faces[0] * sy * sz + b.faces[1] * sx * sz + b.faces[2] * sx * sy, 9)
        expect(s.voxels_on_border).toBe(b.border)
        expect(s.touches_border).toBe(b.border > 0)
        expect(s.intensity_median).toBe(numpyPercentile(b.values, 0.5))
        expect(s.intensity_p05).toBe(numpyPercentile(b.values, 0.05))
        expect(s.intensity_p95).toBe(numpyPercentile(b.values, 0.95))
      }
      const single = stats.find((s) => s.label === 3)!
      expect(single.principal_moments_mm2).toEqual([0, 0, 0])
      expect(single.principal_axis_lengths_mm).toEqual([0, 0, 0])
      expect(single.exposed_faces).toEqual([2, 2, 2])
      expect(single.touches_border).toBe(false)
      const line = stats.find((s) => s.label === 4)!
      expect(line.principal_moments_mm2[0]).toBe(0)
      expect(line.principal_moments_mm2[1]).toBe(0)
      // the line runs along k: its only moment is (n^2 - 1) sz^2 / 12 with n = 7
      expect(line.principal_moments_mm2[2]).toBeCloseTo(((49 - 1) * sz * sz) / 12, 12)
      expect(Math.abs(line.principal_axes_lps[2][1])).toBeCloseTo(1, 12) // k -> -y
      expect(line.touches_border).toBe(true)
    })
  }

  it('gives the analytic moments and area of a box, with axes following the direction', () => {
    const size = [10, 8, 6]
    const lab = new Uint8Array(10 * 8 * 6)
    const [a, b, c] = [5, 3, 4] // box extents in i, j, k, away from the border
    for (let k = 1; k < 1 + c; k++) for (let j = 2; j < 2 + b; j++) for (let i = 3; i < 3 + a; i++) lab[i + 10 * (j + 8 * k)] = 1
    const labels = makeImage({ size, spacing: SPACING, origin: ORIGIN, direction: DIRECTION }, lab)
    const [s] = shapeStatistics(shapePartials(labels, null, { includeBackground: false }), gridOf(labels))
    const m = [((a * a - 1) * SPACING[0] ** 2) / 12, ((b * b - 1) * SPACING[1] ** 2) / 12, ((c * c - 1) * SPACING[2] ** 2) / 12]
    const sorted = [...m].sort((x, y) => x - y)
    for (let d = 0; d < 3; d++) expect(rel(s.principal_moments_mm2[d], sorted[d])).toBeLessThan(1e-12)
    // the largest moment belongs to the k axis (4 x 2.1 mm), which points along -y
    expect(sorted[2]).toBe(m[2])
    expect(s.principal_axes_lps[2].map((x) => Math.abs(x))).toEqual([0, 1, 0])
    const [sx, sy, sz] = SPACING
    expect(s.surface_area_mm2).toBeCloseTo(2 * (b * sy * c * sz + a * sx * c * sz + a * sx * b * sy), 10)
    expect(s.touches_border).toBe(false)
    expect(s.voxels_on_border).toBe(0)
  })

  it('percentiles follow numpy linear interpolation', () => {
    const e: [number, number][] = [[1, 1], [2, 1], [3, 1], [4, 1]]
    expect(histogramPercentile(e, 0.5)).toBe(2.5)
    expect(histogramPercentile(e, 0.05)).toBeCloseTo(1.15, 12)
    expect(histogramPercentile([[-5, 3], [7, 1]], 0.95)).toBeCloseTo(-5 + 0.85 * 12, 12)
  })

  it('Jacobi eigen-decomposition agrees with the closed form on random symmetric matrices', () => {
    const random = rng(3)
    for (let t = 0; t < 200; t++) {
      const x = [0, 1, 2].map(() => [0, 1, 2].map(() => random() * 10 - 5))
      const m = [0, 1, 2].map((r) => [0, 1, 2].map((c) => x[r][c] + x[c][r]))
      const { values } = symmetricEigen3(m)
      const ref = eigenvaluesClosedForm(m)
      for (let d = 0; d < 3; d++) expect(Math.abs(values[d] - ref[d])).toBeLessThan(1e-9)
    }
  })
})

describe('slab-split invariance', () => {
  it('any split (cropped slabs with a 1-plane halo, any reduction order) gives identical partials', () => {
    const random = rng(99)
    for (const floatIntensity of [false, true]) {
      const { labels, intensity } = synthetic(11, floatIntensity)
      const whole = shapePartials(labels, intensity)
      for (let trial = 0; trial < 12; trial++) {
        const reduced = splitPartials(labels, intensity, random)
        expect(JSON.stringify(reduced)).toBe(JSON.stringify(whole))
      }
      expect(shapeStatistics(splitPartials(labels, intensity, random), gridOf(labels))).toEqual(shapeStatistics(whole, gridOf(labels)))
    }
  })

  it('refuses a slab without the halo it needs, and overlapping slabs', () => {
    const { labels } = synthetic(1)
    const mid = cropWithHalo(labels, 4, 8)
    expect(() => shapePartials(mid, null, { kOffset: 4, kTotal: 11 })).toThrow(/halo below/)
    expect(() => shapePartials(mid, null, { kOffset: 4, kTotal: 11, kRange: [1, 4] })).toThrow(/halo above/)
    const a = shapePartials(labels, null, { kRange: [0, 6] }), b = shapePartials(labels, null, { kRange: [5, 11] })
    expect(() => reduceShapePartials([a, b])).toThrow(/overlap/)
  })

  it('drops the histogram (percentiles null) when a float label has too many distinct values', () => {
    const { labels, intensity } = synthetic(5, true)
    const p = shapePartials(labels, intensity, { includeBackground: false, maxHistogramKeys: 10 })
    const s = shapeStatistics(p, gridOf(labels))
    const big = s.find((x) => x.label === 1)!
    expect(big.intensity_median).toBeNull()
    expect(s.find((x) => x.label === 3)!.intensity_median).not.toBeNull()
  })
})

describe('real CT (golden d inputs)', () => {
  it('is split-invariant, consistent with the ITK counts, and its percentiles equal a sort', async () => {
    const intensity = (await readImageNode(`${shared}golden/itk/input/ct-abdomen-dicom.dcm2niix.nii.gz`)) as Image
    const labels = (await readImageNode(`${shared}data/ct-abdomen-dicom.labels.nii.gz`)) as Image
    const golden = JSON.parse(readFileSync(`${shared}golden/itk/label-stats-ct-abdomen.json`, 'utf8')) as { per_label: Record<string, { count: number; bbox_index?: number[]; bbox_last?: number[] }> }
    const whole = shapePartials(labels, intensity, { includeBackground: false })
    const random = rng(5)
    for (let t = 0; t < 3; t++) expect(JSON.stringify(splitPartials(labels, intensity, random, { includeBackground: false }))).toBe(JSON.stringify(whole))
    const full = allLabelStatistics(labels, intensity)
    const size = labels.size
    for (const row of full) {
      const g = golden.per_label[String(row.label)]
      expect(row.voxel_count).toBe(g.count)
      const h = whole.labels[String(row.label)].histogram!
      expect(Object.values(h).reduce((x, y) => x + y, 0)).toBe(g.count)
      const bboxTouches = [0, 1, 2].some((d) => g.bbox_index![d] === 0 || g.bbox_last![d] === size[d] - 1)
      expect(row.touches_border, `border of ${row.label}`).toBe(bboxTouches)
      expect(row.principal_moments_mm2[0]).toBeGreaterThan(0)
      expect(row.elongation).toBeGreaterThanOrEqual(1)
      expect(row.flatness).toBeGreaterThanOrEqual(1)
    }
    // brute-force percentiles of two labels from the voxels themselves
    const lab = pixelsOf(labels), val = pixelsOf(intensity)
    for (const l of [7, 103]) {
      const values: number[] = []
      for (let o = 0; o < lab.length; o++) if (lab[o] === l) values.push(val[o])
      values.sort((x, y) => x - y)
      const row = full.find((r) => r.label === l)!
      expect(row.intensity_median).toBe(numpyPercentile(values, 0.5))
      expect(row.intensity_p05).toBe(numpyPercentile(values, 0.05))
      expect(row.intensity_p95).toBe(numpyPercentile(values, 0.95))
    }
  })
})
