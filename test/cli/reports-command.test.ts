// `voxelflow reports` (src/cli/reports-command.ts) over reports made by running the pipeline
// locally on generated sample cases plus broken inputs (failure reports). The CSV is read back
// with an independent RFC 4180 parser written here.
//
// Case count: the acceptance asks for 20 cases; 20 sample cases take ~95 s through runLocal on
// one worker, so the default here is 10 (~50 s). VOXELFLOW_REPORTS_CASES=20 runs the full size.
import { mkdtempSync, rmSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLocal, type LocalRunSummary } from '../../src/local/run-local.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { sampleTruth, writeSample } from '../../src/sample/index.js'
import { registerReportsCommand, runReportsCommand } from '../../src/cli/reports-command.js'
import { csvField, toCsv } from '../../src/report/csv.js'
import { DATASET_TABLE_COLUMNS } from '../../src/report/dataset-table.js'

const CASES = Number(process.env.VOXELFLOW_REPORTS_CASES ?? 10)
const BROKEN = ['broken-a.nii.gz', 'broken-b.nii.gz']

/** Independent RFC 4180 parser: records of fields; quoted fields may hold , " CR LF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = '', record: string[] = [], i = 0, quoted = false, fieldStarted = false
  while (i < text.length) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue }
        quoted = false; i++; continue
      }
      field += ch; i++; continue
    }
    if (ch === '"') {
      if (fieldStarted) throw new Error(`stray quote at offset ${i}`)
      quoted = true; fieldStarted = true; i++; continue
    }
    if (ch === ',') { record.push(field); field = ''; fieldStarted = false; i++; continue }
    if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field); records.push(record); record = []; field = ''; fieldStarted = false; i += 2; continue
    }
    if (ch === '\n' || ch === '\r') throw new Error(`bare line break at offset ${i} (RFC 4180 wants CRLF)`)
    field += ch; fieldStarted = true; i++
  }
  if (quoted) throw new Error('unterminated quoted field')
  if (field !== '' || record.length) { record.push(field); records.push(record) }
  return records
}

let root: string
let out: string
let summary: LocalRunSummary
const tricky = 'cannot read "scan.nii.gz", header says: dim=0,\r\nline two'

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'voxelflow-reports-'))
  const input = path.join(root, 'input')
  out = path.join(root, 'out')
  await writeSample(input, { cases: CASES, seed: 1 })
  for (const b of BROKEN) await fs.writeFile(path.join(input, b), 'not a NIfTI file')
  summary = await runLocal({ input, out, workers: 1 })
  // a failed report from elsewhere, nested deeper, with an error message that needs quoting
  const failed = summary.cases.find((c) => c.report.status === 'failed')!.report
  const nested = path.join(out, 'archive', '2026', 'x')
  await fs.mkdir(nested, { recursive: true })
  await fs.writeFile(path.join(nested, 'report.json'), JSON.stringify({ ...failed, case_id: 'old, "quoted" case', error: { ...failed.error, message: tricky } }))
}, 240_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('voxelflow reports', () => {
  it('the pipeline made the expected reports', () => {
    const processed = summary.cases.filter((c) => c.report.status === 'processed')
    expect(processed.map((c) => c.caseId).sort()).toEqual(Array.from({ length: CASES }, (_, i) => sampleTruth(i, 1).caseId))
    expect(summary.cases.filter((c) => c.report.status === 'failed')).toHaveLength(BROKEN.length)
  })

  it('writes an RFC 4180 CSV with one row per case x label and one per failed case', async () => {
    const file = path.join(root, 'tables', 'reports.csv')
    const result = await runReportsCommand(out, { format: 'csv', out: file })
    expect(result.reports).toBe(CASES + BROKEN.length + 1)
    const records = parseCsv(await fs.readFile(file, 'utf8'))
    const [header, ...rows] = records
    expect(header).toEqual([...DATASET_TABLE_COLUMNS])
    for (const r of rows) expect(r).toHaveLength(header.length)
    const col = (name: string) => header.indexOf(name)
    // expected rows from the generator's truth, not from the reports
    const expected = new Set<string>()
    for (let i = 0; i < CASES; i++) {
      const t = sampleTruth(i, 1)
      for (const b of t.bones) expected.add(`label|${t.caseId}|${b.value}|${b.label}`)
    }
    const labelRows = rows.filter((r) => r[col('row_type')] === 'label')
    expect(new Set(labelRows.map((r) => `label|${r[col('case_id')]}|${r[col('label_value')]}|${r[col('label_name')]}`))).toEqual(expected)
    expect(labelRows).toHaveLength(expected.size)
    const caseRows = rows.filter((r) => r[col('row_type')] === 'case')
    expect(caseRows).toHaveLength(BROKEN.length + 1)
    for (const r of caseRows) {
      expect(r[col('status')]).toBe('failed')
      expect(r[col('error_kind')]).toBe('bad_input')
      expect(r[col('label_value')]).toBe('')
    }
    expect(rows).toHaveLength(expected.size + BROKEN.length + 1)
    // quoting survived the round trip
    const odd = caseRows.find((r) => r[col('case_id')] === 'old, "quoted" case')!
    expect(odd[col('error_message')]).toBe(tricky)
    expect(odd[col('report_path')]).toBe('archive/2026/x/report.json')
    // numbers are the report's numbers, unrounded
    const first = summary.cases.find((c) => c.report.status === 'processed')!.report
    const row = labelRows.find((r) => r[col('case_id')] === first.case_id && r[col('label_value')] === String(first.labels[0].value))!
    expect(Number(row[col('volume_ml')])).toBe(first.labels[0].volume_ml)
    expect(Number(row[col('centroid_z_mm')])).toBe(first.labels[0].centroid_lps_mm[2])
    expect(Number(row[col('bbox_index_max_k')])).toBe(first.labels[0].bbox_index.max[2])
    expect(row[col('pipeline_version')]).toBe(first.pipeline.version)
    expect(row[col('config_hash')]).toBe(first.pipeline.config_hash)
    expect(Number(row[col('voxel_count')])).toBeGreaterThan(0)
  })

  it('writes JSONL with the same rows through the registered command', async () => {
    const program = registerReportsCommand(new Command('voxelflow').exitOverride())
    const chunks: string[] = []
    const original = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((t: string) => { chunks.push(String(t)); return true }) as typeof process.stdout.write
    try {
      await program.parseAsync(['node', 'voxelflow', 'reports', out, '--format', 'jsonl'])
    } finally {
      process.stdout.write = original
    }
    const lines = chunks.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(CASES * 5 + BROKEN.length + 1)
    for (const l of lines) expect(Object.keys(l)).toEqual([...DATASET_TABLE_COLUMNS])
    expect(lines.filter((l) => l.status === 'failed').every((l) => l.label_value === null && typeof l.error_message === 'string')).toBe(true)
  })

  it('names invalid report files and refuses a bad --format (BadInputError)', async () => {
    const bad = path.join(root, 'bad')
    await fs.mkdir(path.join(bad, 'c1'), { recursive: true })
    await fs.writeFile(path.join(bad, 'c1', 'report.json'), JSON.stringify({ status: 'processed', labels: 'many' }))
    const error = await runReportsCommand(bad, {}, () => {}).catch((e: unknown) => e)
    expect(isBadInput(error)).toBe(true)
    expect((error as Error).message).toContain('c1/report.json')
    const error2 = await runReportsCommand(out, { format: 'xlsx' }, () => {}).catch((e: unknown) => e)
    expect(isBadInput(error2)).toBe(true)
  })
})

describe('csv writer', () => {
  it('quotes only what RFC 4180 requires and round-trips through the parser', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField(null)).toBe('')
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004')
    const rows = [{ a: 'x\ny', b: -1.5, c: true }, { a: '', b: null, c: ' lead' }]
    expect(parseCsv(toCsv(['a', 'b', 'c'], rows))).toEqual([['a', 'b', 'c'], ['x\ny', '-1.5', 'true'], ['', '', ' lead']])
  })
})
