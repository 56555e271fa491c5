// `voxelflow reports --table labels|metrics|landmarks` over 20 synthesised report.json files
// (valid against the schema; running the pipeline 20 times is what test/cli/reports-command.test.ts
// does at a smaller size). Row counts follow from how the reports were made; the CSV is read back
// with an independent RFC 4180 parser; the metrics rows carry a Dice known analytically.
import { mkdtempSync, rmSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runReportsCommand } from '../../src/cli/reports-command.js'
import { makeImage } from '../../src/image/image.js'
import { compareLabelImages } from '../../src/metrics/compare-labels.js'
import { metricsReportToJson } from '../../src/metrics/metrics-schema.js'
import { compareLandmarks } from '../../src/measure/landmark-errors.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { type LabelStatisticsRow, type Landmark, type Report, reportSchema, reportSchemaVersion } from '../../src/pipeline/report-schema.js'
import { DATASET_TABLE_COLUMNS } from '../../src/report/dataset-table.js'
import { LANDMARKS_TABLE_COLUMNS } from '../../src/report/landmarks-table.js'
import { METRICS_TABLE_COLUMNS } from '../../src/report/metrics-table.js'

const CASES = 20
const labelCount = (n: number) => (n === CASES - 1 ? 0 : 1 + (n % 3)) // the last case failed
const hasMetrics = (n: number) => n % 4 === 0 && labelCount(n) > 0
const hasPrediction = (n: number) => n % 2 === 0 && labelCount(n) > 0
const LANDMARKS = 3
const shift: [number, number, number] = [0, 3, 4] // |shift| = 5 mm

/** RFC 4180: records of fields; quoted fields may hold , " CR LF; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = [], field = '', quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { record.push(field); field = '' }
    else if (ch === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i++ }
    else field += ch
  }
  if (quoted) throw new Error('unterminated quoted field')
  if (field || record.length) throw new Error('last record does not end with CRLF')
  return records
}

function labelRow(value: number): LabelStatisticsRow {
  return {
    value, name: `bone ${value}, "cortical"`, voxel_count: 1000 * value, volume_mm3: 1000 * value, volume_ml: value,
    bbox_index: { min: [0, 0, 0], max: [9, 9, 9 * value] }, bbox_mm: { min_lps: [-0.5, -0.5, -0.5], max_lps: [9.5, 9.5, 9 * value + 0.5] },
    centroid_lps_mm: [4.5, 4.5, 4.5 * value], sphere_equivalent_diameter_mm: Math.cbrt((6 * 1000 * value) / Math.PI),
    intensity_mean: 700, intensity_std_sample: 20, intensity_std_population: 19.99, intensity_min: 640, intensity_max: 760,
  }
}

function landmark(name: string, lps: [number, number, number]): Landmark {
  return { name, code: { value: '2812003', scheme: 'SCT', meaning: 'Femoral head' }, lps_mm: lps, index: lps, voxel_index: lps.map(Math.round) as [number, number, number], inside_image: true, intensity_trilinear: 700 }
}

/** Cube [2,6)^3 against the same cube moved one voxel along i: Dice = 2*48/(64+64) = 0.75. */
function cubeMetrics() {
  const size = [10, 10, 10]
  const cube = (di: number) => {
    const data = new Uint8Array(1000)
    for (let k = 2; k < 6; k++) for (let j = 2; j < 6; j++) for (let i = 2 + di; i < 6 + di; i++) data[i + 10 * (j + 10 * k)] = 1
    return makeImage({ size, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
  }
  return metricsReportToJson(compareLabelImages(cube(0), cube(1), { files: { prediction: 'pred.nii.gz' } }))
}

function synthesisedReport(n: number): Report {
  const caseId = `case-${String(n + 1).padStart(3, '0')}`
  const failed = labelCount(n) === 0
  const reference = failed ? [] : Array.from({ length: LANDMARKS }, (_, m) => landmark(`landmark ${m}`, [10 * m, 20, 30 + n]))
  const predicted = reference.map((l) => landmark(l.name, l.lps_mm.map((x, d) => x + shift[d]) as [number, number, number]))
  const comparison = compareLandmarks(reference, predicted)
  return reportSchema.parse({
    schema_version: reportSchemaVersion, status: failed ? 'failed' : 'processed', dataset: 'pelvis', case_id: caseId, run_id: `run${n}`,
    created_at: '2026-01-01T00:00:00.000Z', pipeline: { version: '0.1.0', config_hash: 'abc', code_version: 'v0.1.0-1-gabcdef0', code_version_source: 'git' },
    inputs: [{ bucket: 'in', key: `pelvis/${caseId}/ct.nii.gz`, size_bytes: 10, sha256: 'a'.repeat(64) }],
    outputs: { report: { bucket: 'out', key: `pelvis/${caseId}/report.json` } },
    labels: Array.from({ length: labelCount(n) }, (_, v) => labelRow(v + 1)),
    landmarks: reference,
    ...(hasPrediction(n) && { landmark_prediction: { source: 'pred.json', landmarks: predicted, errors: comparison.pairs, unmatched_reference: [], unmatched_predicted: [], summary: comparison.summary } }),
    ...(hasMetrics(n) && { metrics: cubeMetrics() }),
    timings_ms: { total: 1 }, warnings: [],
    ...(failed && { error: { kind: 'bad_input', message: 'ct.nii.gz: not NIfTI' } }),
  })
}

let dir: string
const range = Array.from({ length: CASES }, (_, n) => n)
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vf-tables-'))
  for (const n of range) {
    const report = synthesisedReport(n)
    await fs.mkdir(path.join(dir, report.case_id), { recursive: true })
    await fs.writeFile(path.join(dir, report.case_id, 'report.json'), JSON.stringify(report))
  }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function csvTable(table?: string) {
  let text = ''
  await runReportsCommand(dir, { format: 'csv', ...(table && { table }) }, (t) => { text += t })
  const [header, ...rows] = parseCsv(text)
  for (const row of rows) expect(row).toHaveLength(header.length)
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) }
}

describe('voxelflow reports --table over 20 cases', () => {
  it('labels (the default): a row per case x label, one for the failed case', async () => {
    const { header, rows } = await csvTable()
    expect(header).toEqual([...DATASET_TABLE_COLUMNS])
    expect(rows).toHaveLength(range.reduce((a, n) => a + Math.max(1, labelCount(n)), 0)) // 1+2+3+... = 39
    expect(rows.filter((r) => r.row_type === 'case').map((r) => r.error_kind)).toEqual(['bad_input'])
    expect(rows[0].label_name).toBe('bone 1, "cortical"')
  })

  it('metrics: a row per case x label of report.metrics, Dice as known', async () => {
    const { header, rows } = await csvTable('metrics')
    expect(header).toEqual([...METRICS_TABLE_COLUMNS])
    expect(rows).toHaveLength(range.filter(hasMetrics).length)
    for (const row of rows) {
      expect(Number(row.volumetric_dice)).toBe(0.75)
      expect(Number(row.voxel_count_intersection)).toBe(48)
      expect(Number(row.surface_tolerance_mm)).toBe(1)
      expect(row.prediction_file).toBe('pred.nii.gz')
    }
  })

  it('landmarks: a row per case x landmark, reference rows with the error of their match', async () => {
    const { header, rows } = await csvTable('landmarks')
    expect(header).toEqual([...LANDMARKS_TABLE_COLUMNS])
    const withLandmarks = range.filter((n) => labelCount(n) > 0)
    expect(rows).toHaveLength(withLandmarks.length * LANDMARKS + range.filter(hasPrediction).length * LANDMARKS)
    const reference = rows.filter((r) => r.landmark_set === 'reference')
    expect(reference).toHaveLength(withLandmarks.length * LANDMARKS)
    for (const row of reference) {
      const predicted = hasPrediction(Number(row.case_id.slice(5)) - 1)
      expect(row.error_mm === '' ? undefined : Number(row.error_mm)).toBe(predicted ? 5 : undefined)
      expect(row.case_error_mean_mm === '' ? undefined : Number(row.case_error_mean_mm)).toBe(predicted ? 5 : undefined)
    }
    expect(rows.filter((r) => r.landmark_set === 'predicted').every((r) => r.error_mm === '')).toBe(true)
  })

  it('JSON lines with the same columns, and a bad --table is bad input naming the option', async () => {
    let text = ''
    const result = await runReportsCommand(dir, { format: 'jsonl', table: 'landmarks' }, (t) => { text += t })
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(result.rows.length)
    for (const l of lines) expect(Object.keys(l)).toEqual([...LANDMARKS_TABLE_COLUMNS])
    const error = await runReportsCommand(dir, { table: 'series' }).catch((e: unknown) => e)
    expect(isBadInput(error)).toBe(true)
    expect(String(error)).toMatch(/--table must be labels, metrics, landmarks/)
  })
})
