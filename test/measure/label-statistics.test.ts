import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readImageNode } from '@itk-wasm/image-io'
import { beforeAll, describe, expect, it } from 'vitest'
import { gridOf, makeImage, pixelsOf, type Image, type PixelArray } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { kOffsetOf, labelPartials, type LabelPartials } from '../../src/measure/label-partials.js'
import { mergePartials, reducePartials } from '../../src/measure/reduce-partials.js'
import { labelStatistics } from '../../src/measure/label-statistics.js'
import { makeRandom } from '../../src/sample/random.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))

interface GoldenLabel {
  count: number; volume_mm3: number; mean: number; sigma: number; variance: number; sum: number; min: number; max: number
  bbox_index?: number[]; bbox_size?: number[]; bbox_last?: number[]; centroid_lps?: number[]
}

/** Uniform [0, 1) draws from the project's seeded generator. */
function rng(seed: number): () => number {
  const random = makeRandom('test', seed)
  return () => random.next()
}

/** Random cut points splitting [0, nz) into slabs (some may be empty). */
function randomSlabs(nz: number, random: () => number): [number, number][] {
  const cuts = new Set<number>([0, nz])
  const n = 1 + Math.floor(random() * 6)
  for (let i = 0; i < n; i++) cuts.add(Math.floor(random() * (nz + 1)))
  const sorted = [...cuts].sort((a, b) => a - b)
  const slabs: [number, number][] = []
  for (let i = 0; i + 1 < sorted.length; i++) slabs.push([sorted[i], sorted[i + 1]])
  if (random() < 0.5) slabs.push([sorted[1], sorted[1]]) // an empty slab must be harmless
  return slabs
}

/** A slab [k0, k1) (plus an optional halo) cropped out as its own image, origin moved. */
function cropSlab(image: Image, k0: number, k1: number): Image {
  const [nx, ny] = image.size
  const data = pixelsOf(image).slice(k0 * nx * ny, k1 * nx * ny) as PixelArray
  const grid = gridOf(image)
  return makeImage({ ...grid, size: [nx, ny, k1 - k0], origin: indexToPhysical(grid, [0, 0, k0]) }, data)
}

/** Reduce in a shuffled order and random tree grouping. */
function shuffledReduce(parts: LabelPartials[], random: () => number): LabelPartials {
  let pool = [...parts]
  while (pool.length > 1) {
    const a = pool.splice(Math.floor(random() * pool.length), 1)[0]
    const b = pool.splice(Math.floor(random() * pool.length), 1)[0]
    pool.push(random() < 0.5 ? mergePartials(a, b) : mergePartials(b, a))
  }
  return pool[0]
}

describe('label statistics against ITK 5.2 (golden d)', () => {
  let intensity: Image
  let labels: Image
  let golden: { per_label: Record<string, GoldenLabel>; voxel_volume_mm3: number }

  beforeAll(async () => {
    intensity = await readImageNode(`${shared}golden/itk/input/ct-abdomen-dicom.dcm2niix.nii.gz`)
    labels = await readImageNode(`${shared}data/ct-abdomen-dicom.labels.nii.gz`)
    golden = JSON.parse(readFileSync(`${shared}golden/itk/label-stats-ct-abdomen.json`, 'utf8'))
  })

  it('matches counts, volumes, bbox, min, max exactly; mean/sigma to 1e-9; centroid to 1e-6 mm', () => {
    const stats = labelStatistics(labelPartials(labels, intensity), gridOf(labels))
    const byLabel = new Map(stats.map((s) => [String(s.label), s]))
    expect([...byLabel.keys()].sort()).toEqual(Object.keys(golden.per_label).sort())
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300)
    for (const [key, g] of Object.entries(golden.per_label)) {
      const s = byLabel.get(key)!
      expect(s.voxel_count, `count of ${key}`).toBe(g.count)
      expect(s.volume_mm3, `volume of ${key}`).toBe(g.volume_mm3)
      expect(s.volume_ml).toBeCloseTo(g.volume_mm3 / 1000, 12)
      expect(s.min).toBe(g.min)
      expect(s.max).toBe(g.max)
      expect(s.sum).toBe(g.sum)
      expect(rel(s.mean!, g.mean), `mean of ${key}`).toBeLessThan(1e-9)
      if (g.count > 1) {
        expect(rel(s.std_sample!, g.sigma), `sigma of ${key}`).toBeLessThan(1e-9)
        expect(rel(s.variance_sample!, g.variance), `variance of ${key}`).toBeLessThan(1e-9)
        expect(rel(s.std_population!, g.sigma * Math.sqrt((g.count - 1) / g.count))).toBeLessThan(1e-9)
      }
      if (g.bbox_index) {
        expect(s.bbox_index.min).toEqual(g.bbox_index)
        expect(s.bbox_index.size).toEqual(g.bbox_size)
        expect(s.bbox_index.max).toEqual(g.bbox_last)
        for (let d = 0; d < 3; d++) expect(Math.abs(s.centroid_lps[d] - g.centroid_lps![d]), `centroid ${key}[${d}]`).toBeLessThan(1e-6)
      }
    }
    // Derived geometry of label 1: edges box = index box +/- half a voxel, y flipped (direction -1).
    const s1 = byLabel.get('1')!
    const sp = labels.spacing
    for (let d = 0; d < 3; d++) {
      expect(s1.bbox_mm.size[d]).toBeCloseTo(s1.bbox_index.size[d] * sp[d], 9)
      expect(s1.bbox_mm_centers.size[d]).toBeCloseTo((s1.bbox_index.size[d] - 1) * sp[d], 9)
    }
    const yTop = labels.origin[1] - (s1.bbox_index.max[1] + 0.5) * sp[1] // direction[1][1] = -1
    expect(s1.bbox_mm.min[1]).toBeCloseTo(yTop, 9)
    expect(s1.equivalent_sphere_diameter_mm).toBeCloseTo(2 * Math.cbrt((3 * s1.volume_mm3) / (4 * Math.PI)), 12)
  })

  it('gives bit-identical partials and statistics for any slab split and reduction order', () => {
    const whole = labelPartials(labels, intensity)
    const wholeStats = labelStatistics(whole, gridOf(labels))
    const random = rng(20240601)
    for (let trial = 0; trial < 6; trial++) {
      const slabs = randomSlabs(labels.size[2], random)
      const cropped = trial % 2 === 1
      const parts = slabs.map(([k0, k1]) => {
        if (!cropped) return labelPartials(labels, intensity, { kRange: [k0, k1] })
        // crop with a 1-plane halo on each side, as a chunk worker would see it
        const h0 = Math.max(0, k0 - 1), h1 = Math.min(labels.size[2], k1 + 1)
        const sl = cropSlab(labels, h0, h1), si = cropSlab(intensity, h0, h1)
        const kOffset = kOffsetOf(sl, gridOf(labels))
        expect(kOffset).toBe(h0)
        return labelPartials(sl, si, { kRange: [k0 - h0, k1 - h0], kOffset })
      })
      // partials travel as JSON between workers
      const reduced = shuffledReduce(parts.map((p) => JSON.parse(JSON.stringify(p)) as LabelPartials), random)
      expect(reduced).toEqual(JSON.parse(JSON.stringify(whole)))
      expect(labelStatistics(reduced, gridOf(labels))).toEqual(wholeStats)
    }
  })
})

describe('label partials on synthetic data', () => {
  const grid = { size: [7, 5, 23], spacing: [0.8, 1.1, 2.5], origin: [10, -20, 30], direction: [0, 0, 1, 1, 0, 0, 0, 1, 0] }
  const n = 7 * 5 * 23

  function synth(kind: 'int' | 'float' | 'bigint', seed: number): { labels: Image; intensity: Image } {
    const random = rng(seed)
    const lab = new Int32Array(n)
    const val = kind === 'float' ? new Float32Array(n) : new Float64Array(n)
    for (let x = 0; x < n; x++) {
      lab[x] = [0, 0, 3, -2, 70000][Math.floor(random() * 5)]
      val[x] = kind === 'float' ? (random() - 0.3) * 1234.567 : kind === 'bigint' ? Math.floor((random() - 0.5) * 2 ** 24) : Math.floor(random() * 4000) - 1024
    }
    return { labels: makeImage(grid, lab), intensity: makeImage(grid, val) }
  }

  /** Two-pass reference in plain float64 over a brute-force voxel list. */
  function reference(labels: Image, intensity: Image, label: number) {
    const L = pixelsOf(labels), V = pixelsOf(intensity)
    const vals: number[] = []
    const idx: number[][] = []
    for (let k = 0; k < 23; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 7; i++) {
      const x = i + 7 * (j + 5 * k)
      if (L[x] === label) { vals.push(V[x]); idx.push([i, j, k]) }
    }
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length
    const m2 = vals.reduce((a, b) => a + (b - mean) ** 2, 0)
    const c = [0, 1, 2].map((d) => idx.reduce((a, b) => a + b[d], 0) / idx.length)
    return { count: vals.length, mean, sd: Math.sqrt(m2 / (vals.length - 1)), centroid: indexToPhysical(grid, c), min: Math.min(...vals), max: Math.max(...vals) }
  }

  it('agrees with a two-pass reference, int32 labels (negative and > 65535), rotated direction', () => {
    for (const kind of ['int', 'float', 'bigint'] as const) {
      const { labels, intensity } = synth(kind, 7)
      const stats = labelStatistics(labelPartials(labels, intensity), grid)
      expect(stats.map((s) => s.label)).toEqual([-2, 0, 3, 70000])
      for (const s of stats) {
        const r = reference(labels, intensity, s.label)
        expect(s.voxel_count).toBe(r.count)
        expect(s.min).toBe(r.min)
        expect(s.max).toBe(r.max)
        expect(Math.abs(s.mean! - r.mean) / Math.abs(r.mean)).toBeLessThan(1e-12)
        expect(Math.abs(s.std_sample! - r.sd) / r.sd).toBeLessThan(1e-12)
        for (let d = 0; d < 3; d++) expect(s.centroid_lps[d]).toBeCloseTo(r.centroid[d], 9)
        expect(s.volume_mm3).toBeCloseTo(r.count * 0.8 * 1.1 * 2.5, 9)
      }
    }
  })

  it('is split-invariant: exact for integer data (even 2^24-sized values), <= 1e-15 relative for floats', () => {
    const random = rng(99)
    for (const kind of ['int', 'bigint', 'float'] as const) {
      const { labels, intensity } = synth(kind, 11)
      const whole = labelStatistics(labelPartials(labels, intensity), grid)
      for (let trial = 0; trial < 20; trial++) {
        const parts = randomSlabs(23, random).map((r) => labelPartials(labels, intensity, { kRange: r }))
        const stats = labelStatistics(shuffledReduce(parts, random), grid)
        if (kind !== 'float') {
          expect(stats).toEqual(whole)
        } else {
          for (let x = 0; x < whole.length; x++) {
            expect(stats[x].voxel_count).toBe(whole[x].voxel_count)
            expect(stats[x].centroid_lps).toEqual(whole[x].centroid_lps)
            expect(Math.abs(stats[x].mean! - whole[x].mean!)).toBeLessThanOrEqual(1e-15 * Math.abs(whole[x].mean!))
            expect(Math.abs(stats[x].std_sample! - whole[x].std_sample!)).toBeLessThanOrEqual(1e-15 * whole[x].std_sample!)
          }
        }
      }
    }
  })

  it('handles a label-only call, background exclusion and a single voxel', () => {
    const lab = new Uint8Array(n)
    lab[3 + 7 * (2 + 5 * 4)] = 9
    const labels = makeImage(grid, lab)
    const p = labelPartials(labels, null, { includeBackground: false })
    expect(Object.keys(p.labels)).toEqual(['9'])
    expect(p.hasIntensity).toBe(false)
    const [s] = labelStatistics(p, grid)
    expect(s.bbox_index).toEqual({ min: [3, 2, 4], max: [3, 2, 4], size: [1, 1, 1] })
    expect(s.mean).toBeUndefined()
    // direction (row-major, columns = index axes) maps i -> y, j -> z, k -> x: the edge box
    // spans one spacing of the matching index axis along each physical axis
    expect(s.bbox_mm.size[0]).toBeCloseTo(2.5, 12)
    expect(s.bbox_mm.size[1]).toBeCloseTo(0.8, 12)
    expect(s.bbox_mm.size[2]).toBeCloseTo(1.1, 12)
    expect(s.bbox_mm_centers.size).toEqual([0, 0, 0])
    expect(s.centroid_lps).toEqual(indexToPhysical(grid, [3, 2, 4]))
    const withI = labelStatistics(labelPartials(labels, makeImage(grid, new Int16Array(n).fill(5))), grid)
    expect(withI[1]).toMatchObject({ label: 9, mean: 5, std_sample: null, std_population: 0 })
    expect(withI[0]).toMatchObject({ label: 0, mean: 5, std_sample: 0 })
  })

  it('rejects overlapping or missing slabs, off-grid slabs and mismatched images', () => {
    const { labels, intensity } = synth('int', 3)
    const a = labelPartials(labels, intensity, { kRange: [0, 10] })
    const b = labelPartials(labels, intensity, { kRange: [9, 23] })
    expect(() => reducePartials([a, b])).toThrow(/overlap/)
    expect(() => labelStatistics(a, grid)).toThrow(/k ranges/)
    expect(labelStatistics(a, grid, { requireCompleteCoverage: false }).length).toBeGreaterThan(0)
    expect(() => kOffsetOf({ origin: [10.3, -20, 30] }, grid)).toThrow(/not on a k plane/)
    expect(() => labelPartials(labels, makeImage({ ...grid, size: [7, 5, 22] }, new Int16Array(7 * 5 * 22)))).toThrow(/differs/)
    expect(() => labelPartials(makeImage(grid, new Float32Array(n).fill(0.5)), null)).toThrow(/non-integer/)
    expect(() => labelPartials(labels, intensity, { kRange: [5, 24] })).toThrow(/kRange/)
  })
})
