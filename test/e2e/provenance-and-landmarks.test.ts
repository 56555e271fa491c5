// One sample case through `voxelflow run` with a predicted landmarks file: provenance of every
// input object (size and sha256 against the files themselves), the code version, landmarks with
// voxel index and HU (inside the phantom's bone), and errors of a prediction shifted by a known
// vector. Plus a broken landmarks file: exit 2 and a failure report naming the file, the field
// and the inputs.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync, readFileSync, rmSync, statSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLocal, type LocalRunSummary } from '../../src/local/run-local.js'
import type { LandmarksFile } from '../../src/measure/landmarks-file.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { DATASET_TABLE_COLUMNS } from '../../src/report/dataset-table.js'
import { sampleTruth, writeSample } from '../../src/sample/index.js'
import { dataPath, repoRoot } from '../support/paths.js'

const truth = sampleTruth(0, 1)
const shift = [2, -6, 3] // |shift| = 7 mm
let root: string
let summary: LocalRunSummary

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vf-provenance-'))
  await writeSample(path.join(root, 'in'), { cases: 1, seed: 1 })
  // The prediction: every truth landmark moved by `shift`; one renamed, matched by its code.
  const predicted: LandmarksFile = {
    landmarks: truth.landmarks.map((l, n) => ({
      name: n === 0 ? 'left femoral head (model)' : l.name,
      ...(l.code && { code: l.code }),
      ...(l.laterality && { laterality: l.laterality }),
      lps_mm: [l.lps[0] + shift[0], l.lps[1] + shift[1], l.lps[2] + shift[2]],
    })),
  }
  await fs.writeFile(path.join(root, 'predicted.json'), JSON.stringify(predicted))
  summary = await runLocal({ input: path.join(root, 'in', truth.caseId), out: path.join(root, 'out'), predictionLandmarks: path.join(root, 'predicted.json'), workers: 1 })
}, 120_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('provenance in report.json', () => {
  it('lists every input object with its size and sha256, as the bytes on disk give them', () => {
    const report = summary.cases[0].report
    expect(report.status).toBe('processed')
    // CT slices + SEG + SR + the landmarks file
    expect(report.inputs).toHaveLength(truth.grid.size[2] + 3)
    for (const input of report.inputs) {
      const file = input.key.endsWith('predicted.json') ? path.join(root, input.key) : path.join(root, 'in', input.key)
      const bytes = readFileSync(file)
      expect(input.size_bytes).toBe(statSync(file).size)
      expect(input.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    }
  })

  it('gives a real scan the sha256 its published checksum list has', async () => {
    const run = await runLocal({ input: dataPath('mr-abdomen-3mm.nii.gz'), out: path.join(root, 'out-mr'), workers: 0 })
    const sums = readFileSync(dataPath('SHA256SUMS'), 'utf8')
    const expected = /^([0-9a-f]{64}) {2}\.\/mr-abdomen-3mm\.nii\.gz$/m.exec(sums)![1]
    expect(run.cases[0].report.inputs).toEqual([expect.objectContaining({ key: 'mr-abdomen-3mm.nii.gz', size_bytes: statSync(dataPath('mr-abdomen-3mm.nii.gz')).size, sha256: expected })])
  })

  it('names the pipeline version, config hash and code version', () => {
    const { pipeline } = summary.cases[0].report
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(pipeline.version).toBe(pkg.version)
    expect(pipeline.config_hash).toMatch(/^[0-9a-f]{16}$/)
    expect(pipeline.code_version_source).toMatch(/^(env|git|package)$/)
    if (pipeline.code_version_source === 'package') expect(pipeline.code_version).toBe(`package-${pkg.version}`)
    else expect(pipeline.code_version).toMatch(/\S/)
  })
})

describe('landmarks in report.json', () => {
  it('places the SR landmarks with voxel index and the HU of the phantom at the femoral head centres', () => {
    const report = summary.cases[0].report
    const grid = report.output_grid!
    for (const l of report.landmarks) {
      expect(l.voxel_index).toEqual(l.index.map(Math.round))
      expect(l.inside_image).toBe(true)
      l.index.forEach((x, d) => {
        expect(x).toBeGreaterThanOrEqual(0)
        expect(x).toBeLessThan(grid.size_voxels[d])
      })
    }
    // The femoral head centres lie deep in cancellous bone: 700 HU with noise bounded to +-3 sigma.
    const heads = report.landmarks.filter((l) => l.code?.value === '2812003')
    expect(heads).toHaveLength(2)
    for (const h of heads) expect(Math.abs(h.intensity_trilinear! - truth.hu.bone)).toBeLessThanOrEqual(3 * truth.hu.noiseSigma)
  })

  it('reports the known shift as the error of every landmark, with summary statistics', () => {
    const prediction = summary.cases[0].report.landmark_prediction!
    expect(prediction.source).toMatch(/predicted\.json$/)
    expect(prediction.landmarks).toHaveLength(truth.landmarks.length)
    expect(prediction.errors).toHaveLength(truth.landmarks.length)
    expect(prediction.errors.filter((e) => e.matched_by === 'code').map((e) => e.name)).toEqual([truth.landmarks[0].name])
    const norm = Math.hypot(shift[0], shift[1], shift[2])
    // The SR stores float32 coordinates: 1e-3 mm covers their rounding.
    for (const e of prediction.errors) {
      expect(Math.abs(e.error_mm - norm)).toBeLessThan(1e-3)
      e.error_vector_mm.forEach((v, d) => expect(Math.abs(v - shift[d])).toBeLessThan(1e-3))
    }
    const s = prediction.summary!
    expect(s.count).toBe(truth.landmarks.length)
    for (const v of [s.mean_mm, s.median_mm, s.max_mm]) expect(Math.abs(v - norm)).toBeLessThan(1e-3)
    expect(s.std_population_mm).toBeLessThan(1e-3)
  })
})

describe('landmarks given as JSON on a real scan', () => {
  it('sample the scan value at voxel centres exactly and measure a known shift', async () => {
    // mr-abdomen-3mm is 3 mm isotropic: the output grid is the input grid, and the interpolating
    // B-spline returns the stored value at every voxel centre.
    const file = dataPath('mr-abdomen-3mm.nii.gz')
    const scan = await readImageNode(file)
    const at = (index: number[]) => (scan.data as Int16Array)[index[0] + scan.size[0] * (index[1] + scan.size[1] * index[2])]
    const physical = (index: number[]) => [0, 1, 2].map((r) => scan.origin[r] + [0, 1, 2].reduce((a, c) => a + (scan.direction as Float64Array)[r * 3 + c] * scan.spacing[c] * index[c], 0)) as [number, number, number]
    const voxels = [[58, 45, 10], [20, 70, 3], [100, 10, 17]]
    const referenceFile = path.join(root, 'mr-reference.json')
    const predictedFile = path.join(root, 'mr-predicted.json')
    await fs.writeFile(referenceFile, JSON.stringify({ landmarks: voxels.map((v, n) => ({ name: `point ${n}`, lps_mm: physical(v) })) }))
    await fs.writeFile(predictedFile, JSON.stringify({ landmarks: voxels.map((v, n) => ({ name: `point ${n}`, lps_mm: physical(v).map((x, d) => x + [1, 2, 2][d]) })) }))
    const run = await runLocal({ input: file, out: path.join(root, 'out-mr-landmarks'), referenceLandmarks: referenceFile, predictionLandmarks: predictedFile, workers: 0 })
    const report = run.cases[0].report
    expect(report.status).toBe('processed')
    expect(report.landmarks.map((l) => l.voxel_index)).toEqual(voxels)
    expect(report.landmarks.map((l) => l.intensity_trilinear)).toEqual(voxels.map(at))
    expect(report.landmark_prediction!.errors.map((e) => e.error_mm)).toEqual(voxels.map(() => expect.closeTo(3, 9)))
    expect(report.landmark_prediction!.summary).toMatchObject({ count: 3, std_sample_mm: expect.closeTo(0, 9) })
  })
})

describe('analytics rows', () => {
  it('land beside the outputs as JSON lines, one per label, with the labels table columns', () => {
    const report = summary.cases[0].report
    const file = path.join(root, 'out', 'analytics', 'dataset=default', `pipeline_version=${report.pipeline.version}`, `${truth.caseId}.jsonl`)
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l.label_value)).toEqual(truth.bones.map((b) => b.value))
    for (const l of lines) expect(Object.keys(l)).toEqual([...DATASET_TABLE_COLUMNS])
    expect(lines.map((l) => l.volume_ml)).toEqual(report.labels.map((l) => l.volume_ml))
  })
})

describe('a broken landmarks file', () => {
  it('makes `voxelflow run --prediction-landmarks` exit 2 with a failure report naming the file and the field', async () => {
    const bad = path.join(root, 'bad.json')
    await fs.writeFile(bad, JSON.stringify({ landmarks: [{ name: 'x', lps_mm: [1, 'two', 3] }] }))
    const out = path.join(root, 'out-bad')
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), 'run', dataPath('mr-abdomen-3mm.nii.gz'), '--out', out,
      '--prediction-landmarks', bad, '--workers', '0', '--no-progress'], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 })
    expect(run.status).toBe(2)
    const report = reportSchema.parse(JSON.parse(readFileSync(path.join(out, 'mr-abdomen-3mm', 'report.json'), 'utf8')))
    expect(report.status).toBe('failed')
    expect(report.error?.kind).toBe('bad_input')
    expect(report.error?.message).toMatch(/bad\.json: invalid landmarks file: landmarks\.0\.lps_mm\.1/)
    expect(readFileSync(bad, 'utf8')).toContain('"two"') // the input is never modified
    // Its provenance still names the inputs (from the case manifest: no hash was finished).
    expect(report.inputs.map((i) => [i.key, i.size_bytes])).toEqual([['mr-abdomen-3mm.nii.gz', statSync(dataPath('mr-abdomen-3mm.nii.gz')).size], ['bad.json', statSync(bad).size]])
  })
})
