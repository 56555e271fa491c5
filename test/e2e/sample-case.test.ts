// The bundled synthetic sample through `voxelflow run`: the pipeline's numbers against the
// generator's analytic truth, and the outputs' geometry as re-read by itk-wasm.
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PNG } from 'pngjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { runLocal, type LocalRunSummary } from '../../src/local/run-local.js'
import { defaultConfig } from '../../src/pipeline/config.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { sampleTruth, writeSample } from '../../src/sample/index.js'

const truth = sampleTruth(0, 1)
let out: string
let summary: LocalRunSummary

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-e2e-sample-'))
  await writeSample(path.join(dir, 'in'), { cases: 1, seed: 1 })
  out = path.join(dir, 'out')
  // Small chunks and two worker threads: the fan-out path, not a single slab.
  const config = { ...defaultConfig, chunks: { ...defaultConfig.chunks, slices: 20 } }
  summary = await runLocal({ input: path.join(dir, 'in', truth.caseId), out, config, workers: 2 })
})

describe('the sample case through voxelflow run', () => {
  it('processes the case and writes a schema-valid report', () => {
    expect(summary.cases).toHaveLength(1)
    const { report } = summary.cases[0]
    expect(report.status).toBe('processed')
    expect(reportSchema.parse(JSON.parse(readFileSync(path.join(out, truth.caseId, 'report.json'), 'utf8')))).toEqual(report)
    expect(report.label_source).toBe('reference')
    expect(report.input?.kind).toBe('dicom')
    expect(report.input?.modality).toBe('CT')
    expect(report.input?.slice_count).toBe(truth.grid.size[2])
  })

  it('reports bone volumes within 2 % of the analytic volumes, with the SEG names', () => {
    const { report } = summary.cases[0]
    expect(report.labels.map((l) => l.value)).toEqual(truth.bones.map((b) => b.value))
    for (const bone of truth.bones) {
      const row = report.labels.find((l) => l.value === bone.value)!
      expect(row.name).toBe(bone.label)
      expect(Math.abs(row.volume_ml / bone.volumeMl - 1)).toBeLessThan(0.02)
      // Bone is 700 HU inside and 1100 HU in the cortical rim of the phantom.
      expect(row.intensity_mean).toBeGreaterThan(truth.hu.bone - 50)
      expect(row.intensity_mean).toBeLessThan(truth.hu.cortical)
      // The phantom's bones lie inside its body, well within the field of view; its bone is 700 HU
      // with a 1100 HU rim, so the median is one of the two.
      expect(row.touches_border).toBe(false)
      expect([truth.hu.bone, truth.hu.cortical]).toContain(Math.round((row.intensity_median as number) / 50) * 50)
    }
  })

  it('carries the SR landmarks through within 1e-3 mm', () => {
    const { report } = summary.cases[0]
    expect(report.landmarks).toHaveLength(truth.landmarks.length)
    for (const landmark of truth.landmarks) {
      const found = report.landmarks.find((l) => l.name === landmark.name)!
      for (let d = 0; d < 3; d++) expect(Math.abs(found.lps_mm[d] - landmark.lps[d])).toBeLessThan(1e-3)
      expect(found.inside_image).toBe(true)
    }
  })

  it('writes image and labels on the isotropic grid over the scan extent', async () => {
    const image = await readImageNode(path.join(out, truth.caseId, 'image.nii.gz'))
    const labels = await readImageNode(path.join(out, truth.caseId, 'labels.nii.gz'))
    const inSpacing = truth.grid.spacing
    const s = Math.min(inSpacing[0], inSpacing[1])
    const expectedSize = truth.grid.size.map((n, d) => Math.round((n * inSpacing[d]) / s))
    // Output voxels tile the input's extent (first to last voxel edge), centred when they cannot match it exactly.
    const expectedOrigin = truth.grid.origin.map((o, d) => o - inSpacing[d] / 2 + (truth.grid.size[d] * inSpacing[d] - expectedSize[d] * s) / 2 + s / 2)
    for (const volume of [image, labels]) {
      expect(volume.size).toEqual(expectedSize)
      for (let d = 0; d < 3; d++) {
        expect(volume.spacing[d]).toBeCloseTo(s, 5)
        expect(volume.origin[d]).toBeCloseTo(expectedOrigin[d], 3)
      }
      expect(Array.from(volume.direction as ArrayLike<number>).map((v) => Math.abs(v))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    }
    expect(image.imageType.componentType).toBe('int16')
    // Every label voxel of the file is counted in the report.
    const counts = new Map<number, number>()
    for (const v of labels.data as Uint8Array) if (v) counts.set(v, (counts.get(v) ?? 0) + 1)
    for (const row of summary.cases[0].report.labels) expect(counts.get(row.value)).toBe(row.voxel_count)
  })

  it('draws a QC picture with the labels overlaid', () => {
    const png = PNG.sync.read(readFileSync(path.join(out, truth.caseId, 'qc.png')))
    expect(png.width).toBeGreaterThan(300)
    let coloured = 0
    for (let i = 0; i < png.data.length; i += 4) if (Math.abs(png.data[i] - png.data[i + 1]) > 40 || Math.abs(png.data[i + 1] - png.data[i + 2]) > 40) coloured++
    expect(coloured).toBeGreaterThan(1000)
  })
})
