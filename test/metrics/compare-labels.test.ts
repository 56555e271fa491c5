// compareLabelImages: per-label results equal the binary-mask computations, labels found in
// either image, names, absent labels, every label-image pixel type, grid checks, and the JSON
// form (non-finite numbers as strings, validated by the zod schema).
import { describe, expect, it } from 'vitest'
import { makeImage, type PixelArray } from '../../src/image/image.js'
import { averageSurfaceDistance } from '../../src/metrics/average-surface-distance.js'
import { compareLabelImages } from '../../src/metrics/compare-labels.js'
import { decodeNonFinite, metricsReportJsonSchema, metricsReportToJson } from '../../src/metrics/metrics-schema.js'
import { robustHausdorff } from '../../src/metrics/robust-hausdorff.js'
import { surfaceDiceAtTolerance } from '../../src/metrics/surface-dice.js'
import { surfaceOverlapAtTolerance } from '../../src/metrics/surface-overlap.js'
import { rowExtents, unionRowExtents } from '../../src/metrics/row-extents.js'
import { computeSurfaceDistances } from '../../src/metrics/surface-distances.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { mulberry32 } from './naive-reference.js'

const size = [20, 16, 12]
const spacing = [0.8, 1.1, 2.5]
const grid = { size, spacing, origin: [-10, 5, 30], direction: [1, 0, 0, 0, -1, 0, 0, 0, 1] }

function labelVolumes() {
  const rand = mulberry32(3)
  const ref = new Int16Array(20 * 16 * 12)
  const pred = new Int16Array(20 * 16 * 12)
  const paint = (data: Int16Array, value: number, lo: number[], hi: number[]) => {
    for (let k = lo[2]; k < hi[2]; k++) for (let j = lo[1]; j < hi[1]; j++) for (let i = lo[0]; i < hi[0]; i++) data[i + 20 * (j + 16 * k)] = value
  }
  paint(ref, 1, [2, 2, 2], [9, 10, 8])
  paint(pred, 1, [3, 2, 2], [10, 11, 8])
  paint(ref, 2, [12, 3, 1], [18, 9, 11]) // touches nothing
  paint(pred, 2, [12, 3, 0], [18, 8, 12]) // touches the k faces
  paint(pred, 3, [0, 12, 0], [4, 16, 3]) // only predicted, in a corner
  paint(ref, 5, [14, 12, 5], [16, 14, 6]) // only in the reference
  for (let t = 0; t < ref.length; t++) if (rand() < 0.01) pred[t] = 1 // speckle
  return { ref, pred }
}

describe('compareLabelImages', () => {
  it('every label of either image, each equal to the binary-mask computation', () => {
    const { ref, pred } = labelVolumes()
    const report = compareLabelImages(makeImage(grid, ref), makeImage(grid, pred), { names: { 1: 'femur', 2: 'pelvis' }, tolerancesMm: [1, 2.5], percentile: 90 })
    expect(report.labels.map((l) => [l.label, l.name, l.empty])).toEqual([
      [1, 'femur', 'none'], [2, 'pelvis', 'none'], [3, 'label 3', 'reference'], [5, 'label 5', 'prediction'],
    ])
    expect(report.surface_unit).toBe('mm2')
    for (const l of report.labels) {
      const a = Uint8Array.from(ref, (v) => (v === l.label ? 1 : 0))
      const b = Uint8Array.from(pred, (v) => (v === l.label ? 1 : 0))
      const sd = computeSurfaceDistances({ size, data: a }, { size, data: b }, spacing)
      const [r, p] = averageSurfaceDistance(sd)
      expect(l.surface.average_surface_distance_mm.reference_to_prediction).toBe(r)
      expect(l.surface.average_surface_distance_mm.prediction_to_reference).toBe(p)
      expect(l.surface.hausdorff_percentile_mm).toBe(robustHausdorff(sd, 90))
      expect(l.surface.hausdorff_100_mm).toBe(robustHausdorff(sd, 100))
      for (const [u, t] of [1, 2.5].entries()) {
        const [or, op] = surfaceOverlapAtTolerance(sd, t)
        expect(l.surface.surface_overlap[u]).toEqual({ tolerance_mm: t, reference_to_prediction: or, prediction_to_reference: op })
        expect(l.surface.surface_dice[u]).toEqual({ tolerance_mm: t, value: surfaceDiceAtTolerance(sd, t) })
      }
      const na = a.reduce((s, x) => s + x, 0), nb = b.reduce((s, x) => s + x, 0)
      let both = 0
      for (let t = 0; t < a.length; t++) both += a[t] & b[t]
      expect(l.voxel_count).toEqual({ reference: na, prediction: nb, intersection: both })
      expect(l.volume_ml.reference).toBeCloseTo((na * 0.8 * 1.1 * 2.5) / 1000, 12)
    }
    const absent = report.labels[2]
    expect(absent.surface.average_surface_distance_mm).toEqual({ reference_to_prediction: NaN, prediction_to_reference: Infinity, symmetric: Infinity })
    expect(absent.notes[0]).toMatch(/reference mask is empty/)
  })

  it('a requested label in neither image gives the library values for two empty masks', () => {
    const { ref, pred } = labelVolumes()
    const l = compareLabelImages(makeImage(grid, ref), makeImage(grid, pred), { labels: [9] }).labels[0]
    expect(l.empty).toBe('both')
    expect([l.volumetric_dice, l.surface.hausdorff_100_mm, l.surface.hausdorff_percentile_mm, l.surface.surface_dice[0].value]).toEqual([NaN, Infinity, Infinity, NaN])
    expect(l.surface.average_surface_distance_mm.reference_to_prediction).toBeNaN()
  })

  it('any pixel type, label values that are not small integers included', () => {
    const { ref, pred } = labelVolumes()
    const base = compareLabelImages(makeImage(grid, ref), makeImage(grid, pred))
    const as = (data: Int16Array, Type: new (xs: ArrayLike<number>) => PixelArray, map = (v: number) => v) => new Type(Array.from(data, map))
    for (const Type of [Uint8Array, Uint16Array, Int32Array, Float32Array, Float64Array]) {
      const report = compareLabelImages(makeImage(grid, as(ref, Type)), makeImage(grid, as(pred, Type)))
      expect(report.labels).toEqual(base.labels)
    }
    // negative and fractional labels go through the Map census
    const shifted = compareLabelImages(makeImage(grid, as(ref, Float32Array, (v) => (v ? -v - 0.5 : 0))), makeImage(grid, as(pred, Float32Array, (v) => (v ? -v - 0.5 : 0))))
    expect(shifted.labels.map((l) => l.label)).toEqual([-5.5, -3.5, -2.5, -1.5])
    expect(shifted.labels[3].surface).toEqual(base.labels[0].surface)
  })

  it('grids must agree within tolerance; float32-level header noise is accepted', () => {
    const { ref, pred } = labelVolumes()
    const noisy = { ...grid, origin: [-10 + 2e-6, 5, 30], spacing: [0.8 * (1 + 1e-7), 1.1, 2.5] }
    expect(() => compareLabelImages(makeImage(grid, ref), makeImage(noisy, pred))).not.toThrow()
    for (const other of [{ ...grid, size: [20, 16, 11] }, { ...grid, spacing: [0.8, 1.1, 2.6] }, { ...grid, origin: [-9.5, 5, 30] }, { ...grid, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }]) {
      const data = other.size[2] === 11 ? pred.slice(0, 20 * 16 * 11) : pred
      let error: unknown
      try {
        compareLabelImages(makeImage(grid, ref), makeImage(other, data), { files: { reference: 'ref.nii.gz', prediction: 'pred.nii.gz' } })
      } catch (e) {
        error = e
      }
      expect(isBadInput(error)).toBe(true)
      expect((error as Error).message).toMatch(/^pred\.nii\.gz: prediction is not on the grid of ref\.nii\.gz: (size|spacing|origin|direction)/)
    }
  })

  it('JSON: non-finite values as strings, valid against the schema, decoded back', () => {
    const { ref, pred } = labelVolumes()
    const report = compareLabelImages(makeImage(grid, ref), makeImage(grid, pred), { labels: [1, 3, 9] })
    const json = JSON.parse(JSON.stringify(metricsReportToJson(report)))
    expect(metricsReportJsonSchema.safeParse(json).success).toBe(true)
    expect(json.non_finite_encoding).toMatch(/"Infinity", "-Infinity" and "NaN"/)
    expect(json.labels[1].surface.hausdorff_100_mm).toBe('Infinity')
    expect(json.labels[1].sensitivity).toBe('NaN')
    expect(json.labels[2].volumetric_dice).toBe('NaN')
    expect(typeof json.labels[0].volumetric_dice).toBe('number')
    const back = decodeNonFinite(json) as typeof json
    expect(back.labels).toEqual(report.labels.map((l) => ({ ...l })))
  })
})

describe('row extents', () => {
  it('first / last non-zero per row for any typed array and alignment', () => {
    const rand = mulberry32(11)
    const dims: [number, number, number] = [37, 5, 3]
    for (const Type of [Uint8Array, Int16Array, Float32Array, Float64Array]) {
      const bpe = Type.BYTES_PER_ELEMENT
      for (const offset of [0, 1, 2, 3]) {
        const buffer = new ArrayBuffer((37 * 15 + offset + 1) * bpe)
        const data = new Type(buffer, offset * bpe, 37 * 15)
        const other = new Type(new ArrayBuffer((37 * 15 + offset + 1) * bpe), offset * bpe, 37 * 15)
        for (let t = 0; t < data.length; t++) {
          if (rand() < 0.05) data[t] = Type === Uint8Array ? 200 : -3.5
          if (rand() < 0.03) other[t] = 1
        }
        const ext = rowExtents(data, dims)
        const union = unionRowExtents(data, other, dims)
        const extent = (row: number[]) => {
          const first = row.findIndex((v) => v !== 0)
          let last = -1
          row.forEach((v, i) => { if (v !== 0) last = i })
          return [first, last]
        }
        for (let r = 0; r < 15; r++) {
          const row = Array.from(data.subarray(r * 37, r * 37 + 37))
          const both = row.map((v, i) => v || other[r * 37 + i])
          expect([ext.first[r], ext.last[r]]).toEqual(extent(row))
          expect([union.first[r], union.last[r]]).toEqual(extent(both))
        }
      }
    }
  })
})
