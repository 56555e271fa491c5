// The analytics object of a case: Hive-partitioned key, and the same rows as the CSV table.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FolderObjectStore } from '../../src/local/folder-object-store.js'
import { reportSchema, reportSchemaVersion } from '../../src/pipeline/report-schema.js'
import { writeAnalyticsRows } from '../../src/pipeline/stages/analytics-rows.js'
import { analyticsKeys } from '../../src/pipeline/work-keys.js'
import { DATASET_TABLE_COLUMNS } from '../../src/report/dataset-table.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-analytics-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('analytics keys', () => {
  it('partition the prefix Hive-style by dataset and pipeline version, escaping what Hive escapes', () => {
    expect(analyticsKeys.caseRows('pelvis', '0.1.0', 'case-001')).toBe('analytics/dataset=pelvis/pipeline_version=0.1.0/case-001.jsonl')
    expect(analyticsKeys.caseRows('a/b=c d', '1.0.0+build', 'x')).toBe('analytics/dataset=a%2Fb%3Dc%20d/pipeline_version=1.0.0+build/x.jsonl')
    expect(analyticsKeys.caseRows('', '0.1.0', 'ct')).toBe('analytics/dataset=default/pipeline_version=0.1.0/ct.jsonl')
  })
})

describe('writeAnalyticsRows', () => {
  it('writes one JSON line with every table column for a failed case', async () => {
    const report = reportSchema.parse({
      schema_version: reportSchemaVersion, status: 'failed', dataset: 'pelvis', case_id: 'c1', run_id: 'r', created_at: '2026-01-01T00:00:00.000Z',
      pipeline: { version: '0.1.0', config_hash: 'abc' }, inputs: [], outputs: { report: { bucket: 'out', key: 'pelvis/c1/report.json' } },
      labels: [], landmarks: [], timings_ms: { total: 5 }, warnings: [], error: { kind: 'bad_input', message: 'x.dcm: no pixel data' },
    })
    const key = await writeAnalyticsRows(new FolderObjectStore(dir, 'out'), report)
    expect(key).toBe('analytics/dataset=pelvis/pipeline_version=0.1.0/c1.jsonl')
    const lines = readFileSync(path.join(dir, key), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(1)
    expect(Object.keys(lines[0])).toEqual([...DATASET_TABLE_COLUMNS])
    expect(lines[0]).toMatchObject({ row_type: 'case', dataset: 'pelvis', pipeline_version: '0.1.0', case_id: 'c1', error_kind: 'bad_input', report_path: 'pelvis/c1/report.json', label_value: null })
  })
})
