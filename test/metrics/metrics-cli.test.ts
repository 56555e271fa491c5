// `voxelflow metrics` on the surface-distance golden cases: masks written as NIfTI with the
// case's spacing (array axis d = NIfTI axis d), compared through runMetricsCommand with --json,
// numbers within 1e-9 relative of the library's; and the command's error paths.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { Image } from '../../src/image/image.js'
import { writeNifti } from '../../src/io/nifti.js'
import { registerMetricsCommand, runMetricsCommand } from '../../src/cli/metrics-command.js'
import { decodeNonFinite, metricsReportJsonSchema } from '../../src/metrics/metrics-schema.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { expectClose, type GoldenCase, loadGoldenCases, maskData, num } from './golden-cases.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-metrics-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** An itk-wasm image of any dimension: origin 0, identity direction. */
export function maskImage(size: number[], spacing: number[], data: Uint8Array): Image {
  const n = size.length
  const direction = new Float64Array(n * n)
  for (let d = 0; d < n; d++) direction[d * n + d] = 1
  return {
    imageType: { dimension: n, componentType: 'uint8', pixelType: 'Scalar', components: 1 },
    name: 'mask', origin: new Array(n).fill(0), spacing, direction, size, metadata: new Map(), data,
  } as unknown as Image
}

async function writeCase(c: GoldenCase): Promise<[string, string]> {
  const base = path.join(dir, c.name.replace(/[^A-Za-z0-9]+/g, '_'))
  const files: [string, string] = [`${base}.gt.nii.gz`, `${base}.pred.nii.gz`]
  // spacing per axis of each mask (the error cases have fewer or more spacing values than axes)
  const spacing = (shape: number[]) => shape.map((_, d) => c.spacing_mm[d] ?? 1)
  await writeNifti(maskImage(c.gt.shape, spacing(c.gt.shape), maskData(c.gt)), files[0])
  await writeNifti(maskImage(c.pred.shape, spacing(c.pred.shape), maskData(c.pred)), files[1])
  return files
}

async function metricsJson(files: [string, string], flags: Record<string, unknown> = {}) {
  let text = ''
  await runMetricsCommand(files[0], files[1], { json: true, ...flags }, (t) => { text += t })
  const json = JSON.parse(text)
  metricsReportJsonSchema.parse(json)
  return { json, decoded: decodeNonFinite(json) as { labels: Record<string, any>[] } }
}

describe('voxelflow metrics on the surface-distance golden cases', () => {
  for (const c of loadGoldenCases()) {
    if (c.name.endsWith('raises_on_incompatible_shapes2')) {
      it(`${c.name}: cannot reach the CLI`, () => {
        // 2-D masks with 3 spacing values: a NIfTI header has exactly one spacing per axis, so
        // this mismatch only exists in the API (tested in surface-distance-golden.test.ts).
        expect(c.spacing_mm.length).not.toBe(c.gt.shape.length)
      })
      continue
    }
    it(c.name, async () => {
      const files = await writeCase(c)
      const flags = { labels: '1', tolerance: c.tolerances_mm.map(String), percentile: '95' }
      if (c.expect_error) {
        const error = await runMetricsCommand(files[0], files[1], flags, () => {}).catch((e: unknown) => e)
        expect(isBadInput(error)).toBe(true)
        expect((error as Error).message).toContain(c.expect_error.replace(/^ValueError: /, ''))
        expect((error as Error).message).toMatch(/\.(gt|pred)\.nii\.gz: /) // names the file at fault
        return
      }
      const { json, decoded } = await metricsJson(files, flags)
      const lib = c.library
      const l = decoded.labels[0]
      expect(l.label).toBe(1)
      expect(l.surface.surfel_count).toEqual({ reference: lib.n_surfels_gt, prediction: lib.n_surfels_pred })
      expect(l.voxel_count.reference).toBe(c.gt.count)
      expect(l.voxel_count.prediction).toBe(c.pred.count)
      expectClose(l.surface.total_surface.reference, lib.total_surface_gt, 'total surface gt')
      expectClose(l.surface.total_surface.prediction, lib.total_surface_pred, 'total surface pred')
      expectClose(l.surface.average_surface_distance_mm.reference_to_prediction, num(lib.average_surface_distance[0]), 'ASD gt->pred')
      expectClose(l.surface.average_surface_distance_mm.prediction_to_reference, num(lib.average_surface_distance[1]), 'ASD pred->gt')
      expectClose(l.surface.hausdorff_100_mm, num(lib.hausdorff_100), 'HD100')
      expectClose(l.surface.hausdorff_percentile_mm, num(lib.hausdorff_95), 'HD95')
      lib.surface_overlap_at_tolerance.forEach((o, t) => {
        expect(l.surface.surface_overlap[t].tolerance_mm).toBe(o.tolerance_mm)
        expectClose(l.surface.surface_overlap[t].reference_to_prediction, num(o.gt_to_pred), 'overlap gt')
        expectClose(l.surface.surface_overlap[t].prediction_to_reference, num(o.pred_to_gt), 'overlap pred')
      })
      lib.surface_dice_at_tolerance.forEach((d, t) => expectClose(l.surface.surface_dice[t].value, num(d.value), 'surface Dice'))
      expectClose(l.volumetric_dice, num(lib.volumetric_dice), 'volumetric Dice')
      // non-finite values travel as strings, and the report says which mask is empty
      const emptyGt = c.gt.count === 0, emptyPred = c.pred.count === 0
      expect(l.empty).toBe(emptyGt && emptyPred ? 'both' : emptyGt ? 'reference' : emptyPred ? 'prediction' : 'none')
      if (emptyGt || emptyPred) {
        expect(json.labels[0].surface.hausdorff_100_mm).toBe('Infinity')
        expect(l.notes.length).toBe(1)
      }
    })
  }
})

describe('voxelflow metrics: inputs it refuses or repairs', () => {
  const shape = [12, 10, 8]
  const box = (lo: number[], hi: number[]) => {
    const data = new Uint8Array(shape[0] * shape[1] * shape[2])
    for (let k = lo[2]; k < hi[2]; k++) for (let j = lo[1]; j < hi[1]; j++) for (let i = lo[0]; i < hi[0]; i++) data[i + shape[0] * (j + shape[1] * k)] = 1
    return data
  }

  it('fails with exit-2 errors naming the file: missing file, not NIfTI, bad options', async () => {
    const ref = path.join(dir, 'grid.ref.nii.gz')
    await writeNifti(maskImage(shape, [1, 1, 2], box([2, 2, 2], [8, 7, 6])), ref)
    const missing = await runMetricsCommand(ref, path.join(dir, 'nope.nii.gz'), {}, () => {}).catch((e: Error) => e)
    expect(isBadInput(missing) && missing.message).toMatch(/nope\.nii\.gz: no such file/)
    for (const flags of [{ percentile: '101' }, { tolerance: ['-1'] }, { labels: 'a,b' }, { labelNames: 'femur' }]) {
      const error = await runMetricsCommand(ref, ref, flags, () => {}).catch((e: Error) => e)
      expect(isBadInput(error), JSON.stringify(flags)).toBe(true)
    }
  })

  it('refuses a prediction on another grid, and resamples it (nearest) with --resample-prediction', async () => {
    const ref = path.join(dir, 'grid.ref2.nii.gz')
    const pred = path.join(dir, 'grid.pred-shifted-origin.nii.gz')
    await writeNifti(maskImage(shape, [1, 1, 2], box([2, 2, 2], [8, 7, 6])), ref)
    // the same object on a grid whose origin is one voxel further along i: voxel i there is voxel i + 1 here
    const moved = { ...maskImage(shape, [1, 1, 2], box([1, 2, 2], [7, 7, 6])), origin: [1, 0, 0] } as Image
    await writeNifti(moved, pred)
    const error = await runMetricsCommand(ref, pred, {}, () => {}).catch((e: Error) => e)
    expect(isBadInput(error)).toBe(true)
    expect((error as Error).message).toMatch(/grid\.pred-shifted-origin\.nii\.gz: prediction is not on the grid of .*grid\.ref2\.nii\.gz: origin .* --resample-prediction/)
    const { decoded } = await metricsJson([ref, pred], { resamplePrediction: true })
    const l = decoded.labels[0]
    expect(l.volumetric_dice).toBe(1)
    expect(l.surface.hausdorff_100_mm).toBe(0)
    expect((decoded as any).prediction.resampled).toBe(true)
  })

  it('prints a readable table with the notes about empty masks', async () => {
    const ref = path.join(dir, 'table.ref.nii.gz')
    const pred = path.join(dir, 'table.pred.nii.gz')
    await writeNifti(maskImage(shape, [1, 1, 2], box([2, 2, 2], [8, 7, 6])), ref)
    await writeNifti(maskImage(shape, [1, 1, 2], box([3, 2, 2], [9, 7, 6])), pred)
    let text = ''
    await runMetricsCommand(ref, pred, { labels: '1,2', tolerance: ['1', '2'], labelNames: '1=cube,2=absent' }, (t) => { text += t })
    expect(text).toMatch(/label\s+name\s+Dice\s+Jaccard.*HD100\s+HD95\s+SD@1mm\s+SD@2mm/)
    expect(text).toMatch(/\n1\s+cube\s+0\.8333\s+0\.7143/) // 120 voxels each, 100 shared
    expect(text).toMatch(/\n2\s+absent\s+NaN\s+NaN/)
    expect(text).toMatch(/label 2: label is in neither mask/)
  })
})

describe('registerMetricsCommand', () => {
  it('adds `metrics` to a commander program with its options', async () => {
    const shape = [6, 5, 4]
    const data = new Uint8Array(120)
    data.fill(1, 30, 70)
    const ref = path.join(dir, 'commander.ref.nii.gz')
    await writeNifti(maskImage(shape, [1, 2, 3], data), ref)
    const program = registerMetricsCommand(new Command('voxelflow').exitOverride())
    const printed: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk))
      return true
    })
    try {
      await program.parseAsync(['metrics', ref, ref, '--json', '--labels', '1', '--tolerance', '0.5', '2', '--percentile', '90', '--label-names', '1=slab', '--resample-prediction'], { from: 'user' })
    } finally {
      spy.mockRestore()
    }
    const json = JSON.parse(printed.join(''))
    expect(json.percentile).toBe(90)
    expect(json.tolerances_mm).toEqual([0.5, 2])
    expect(json.labels.map((l: { label: number; name: string; volumetric_dice: number }) => [l.label, l.name, l.volumetric_dice])).toEqual([[1, 'slab', 1]])
    expect(json.prediction.resampled).toBe(false) // same grid: nothing to resample
  })
})
