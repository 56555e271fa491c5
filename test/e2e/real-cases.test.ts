// Real scans through the same path as the sample, checked against the facts of
// ../shared/data/README.md and the ITK 5.2 goldens.
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { dataPath, goldenPath } from '../support/paths.js'

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'vf-e2e-real-'))

describe('ct-abdomen-dicom (JPEG 2000) with its label map', () => {
  it('describes the series as the data README states and keeps the organ volumes of ITK', async () => {
    const out = tmp()
    const { cases } = await runLocal({
      input: dataPath('ct-abdomen-dicom'),
      reference: dataPath('ct-abdomen-dicom.labels.nii.gz'),
      out,
      workers: 2,
      config: parseConfig({ chunks: { slices: 12 } }),
    })
    const { report } = cases[0]
    expect(report.status).toBe('processed')
    // README: 20 axial slices of 512 x 512, 0.9765625 mm pixels, 2.0 mm between positions
    // (SliceThickness says 3), IPP (-249.51171875, -437.51171875, z), z from -804.5 up.
    expect(report.input).toMatchObject({
      kind: 'dicom',
      modality: 'CT',
      size_voxels: [512, 512, 20],
      spacing_mm: [0.9765625, 0.9765625, 2],
      origin_lps_mm: [-249.51171875, -437.51171875, -804.5],
      orientation: 'LPS',
      slice_count: 20,
    })
    expect(report.output_grid).toEqual({ size_voxels: [512, 512, 41], spacing_mm: [0.9765625, 0.9765625, 0.9765625] })

    const golden = JSON.parse(readFileSync(goldenPath('itk/label-stats-ct-abdomen.json'), 'utf8')).per_label as Record<string, { volume_mm3: number; mean: number }>
    const present = Object.keys(golden).filter((v) => v !== '0').map(Number)
    expect(report.labels.map((l) => l.value)).toEqual(present)
    for (const row of report.labels) {
      const reference = golden[String(row.value)]
      if (reference.volume_mm3 < 100_000) continue
      // Nearest-neighbour resampling of 2 mm slices onto 0.977 mm ones moves each organ boundary
      // by at most half an output slice; for organs over 100 mL that is well under 0.5 %.
      expect(Math.abs(row.volume_mm3 / reference.volume_mm3 - 1)).toBeLessThan(0.005)
      // B-spline interpolation between slices changes the mean HU of a large organ by < 2 HU.
      expect(Math.abs(row.intensity_mean - reference.mean)).toBeLessThan(2)
    }
    const labels = await readImageNode(path.join(out, 'ct-abdomen-dicom', 'labels.nii.gz'))
    expect(labels.size).toEqual([512, 512, 41])
  })
})

describe('baseline segmentation on the ITK pelvis crop', () => {
  it('thresholds and closes exactly as ITK does, across several chunks', async () => {
    const out = tmp()
    // The crop is 3 mm isotropic, so the output grid is the input grid; golden (c) is
    // 200 <= HU <= 3000 closed with a ball of radius 2 (SafeBorder).
    const config = parseConfig({ segmentation: { lower_hu: 200, upper_hu: 3000, closing_radius_voxels: 2 }, chunks: { slices: 7 } })
    const { cases } = await runLocal({ input: goldenPath('itk/input/ct-pelvis-crop.nii.gz'), out, config, workers: 2 })
    const { report } = cases[0]
    expect(report.status).toBe('processed')
    expect(report.label_source).toBe('baseline')
    const golden = await readImageNode(goldenPath('itk/out/ct-pelvis-crop.thr200-3000.close-r2.nii.gz'))
    const labels = await readImageNode(path.join(out, 'ct-pelvis-crop', 'labels.nii.gz'))
    expect(labels.size).toEqual(golden.size)
    let differing = 0
    const a = labels.data as Uint8Array
    const b = golden.data as Uint8Array
    for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) differing++
    expect(differing).toBe(0)
    expect(report.labels).toHaveLength(1)
    expect(report.labels[0].voxel_count).toBe(22_297)
    expect(report.labels[0].volume_ml).toBeCloseTo((22_297 * 27) / 1000, 9)
    // README: the bone mask touches the i = 0, i = 71, k = 0 and k = 39 faces (and closing only adds voxels).
    expect(report.labels[0].touches_border).toBe(true)

    // Identity resampling: the image comes out as it went in.
    const input = await readImageNode(goldenPath('itk/input/ct-pelvis-crop.nii.gz'))
    const image = await readImageNode(path.join(out, 'ct-pelvis-crop', 'image.nii.gz'))
    expect(Array.from(image.data as Int16Array)).toEqual(Array.from(input.data as Int16Array))
    expect(image.origin.map((v) => Number(v.toFixed(4)))).toEqual(input.origin.map((v) => Number(v.toFixed(4))))
  })
})

describe('mr-t1-head.nii.gz (coronal MR NIfTI)', () => {
  it('keeps the coronal orientation, and gives MR no HU-threshold labels', async () => {
    const out = tmp()
    const { cases } = await runLocal({ input: dataPath('mr-t1-head.nii.gz'), out, workers: 1 })
    const { report } = cases[0]
    expect(report.status).toBe('processed')
    // README: shape (128, 128, 62), zooms (2, 2, 3), axis codes LSA (sform exact).
    expect(report.input).toMatchObject({ kind: 'nifti', modality: 'MR', size_voxels: [128, 128, 62], spacing_mm: [2, 2, 3], orientation: 'LSA' })
    expect(report.output_grid).toEqual({ size_voxels: [128, 128, 93], spacing_mm: [2, 2, 2] })
    expect(report.label_source).toBe('none')
    expect(report.labels).toEqual([])
    expect(report.warnings.map((w) => w.code)).toContain('no_segmentation')
    const image = await readImageNode(path.join(out, 'mr-t1-head', 'image.nii.gz'))
    expect(Array.from(image.direction as ArrayLike<number>).map((v) => Math.round(v) + 0)).toEqual([1, 0, 0, 0, 0, -1, 0, 1, 0])
  })

  it('carries a reference label map along with its volumes (3 mm slices resampled to 2 mm tile exactly)', async () => {
    const out = tmp()
    const { cases } = await runLocal({ input: dataPath('mr-t1-head.nii.gz'), reference: dataPath('mr-t1-head.labels.nii.gz'), out, workers: 1 })
    const background = cases[0].report.labels.find((l) => l.value === 1)!
    // README: label 1 (the background class) has 729,202 voxels of 2 x 2 x 3 mm. Each 3 mm slice
    // becomes one or two 2 mm slices (1.5 on average), so the volume holds to a fraction of a percent.
    expect(Math.abs(background.volume_mm3 / (729_202 * 12) - 1)).toBeLessThan(0.005)
  })
})

describe('a prediction evaluated against the reference (report.metrics)', () => {
  it('the ITK pelvis bone mask and its shifted copy give ITK\'s Dice through the pipeline', async () => {
    const out = tmp()
    const { cases } = await runLocal({
      input: goldenPath('itk/input/ct-pelvis-crop.nii.gz'),
      reference: goldenPath('itk/input/ct-pelvis-crop.bone.nii.gz'),
      prediction: goldenPath('itk/input/ct-pelvis-crop.bone-shift.nii.gz'),
      out,
      workers: 1,
    })
    const { report } = cases[0]
    expect(report.status).toBe('processed')
    const bone = report.metrics!.labels.find((l) => l.label === 1)!
    // golden (i): 12,750 and 12,418 voxels, Dice 0.373251748, so 4,697 = Dice x (12,750 + 12,418) / 2 in both.
    // The crop is 3 mm isotropic: the output grid is the input grid, nothing is resampled.
    expect(bone.voxel_count).toEqual({ reference: 12_750, prediction: 12_418, intersection: 4_697 })
    expect(Math.abs((bone.volumetric_dice as number) - 0.373251748)).toBeLessThan(1e-9)
    expect(report.metrics!.non_finite_encoding).toMatch(/Infinity/)
  })
})
