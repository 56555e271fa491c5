import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { reportSchema, reportSchemaVersion } from '../../src/pipeline/report-schema.js'
import { reportJsonSchemaFile, reportJsonSchemaText } from '../../src/pipeline/write-report-json-schema.js'

const minimal = {
  schema_version: reportSchemaVersion,
  status: 'failed',
  dataset: 'd',
  case_id: 'c',
  run_id: 'r',
  created_at: '2026-01-01T00:00:00.000Z',
  pipeline: { version: '0.1.0', config_hash: 'abc' },
  inputs: [],
  outputs: { report: { bucket: 'b', key: 'c/report.json' } },
  labels: [],
  landmarks: [],
  timings_ms: { total: 1 },
  warnings: [],
  error: { kind: 'bad_input', message: 'x.dcm: no pixel data' },
}

describe('report schema', () => {
  it('the checked-in JSON Schema is the one generated from the zod schema (run `npm run schema`)', () => {
    expect(readFileSync(reportJsonSchemaFile, 'utf8')).toBe(reportJsonSchemaText())
  })

  it('accepts a well-formed failure report', () => {
    expect(reportSchema.safeParse(minimal).success).toBe(true)
  })

  it('rejects malformed reports', () => {
    expect(reportSchema.safeParse({ ...minimal, status: 'done' }).success).toBe(false)
    expect(reportSchema.safeParse({ ...minimal, schema_version: '0.9' }).success).toBe(false)
    const { case_id: _dropped, ...withoutCase } = minimal
    expect(reportSchema.safeParse(withoutCase).success).toBe(false)
    const badLabel = { value: 1, name: 'bone', voxel_count: -1 }
    expect(reportSchema.safeParse({ ...minimal, labels: [badLabel] }).success).toBe(false)
  })
})
