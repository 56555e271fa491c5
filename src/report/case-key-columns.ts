// The columns that say which case and run a row of the metrics or landmarks table belongs to
// (the labels table has these and more; src/report/dataset-table.ts).
import type { CsvValue } from './csv.js'
import type { FoundReport } from './dataset-table.js'

export const CASE_KEY_COLUMNS = ['dataset', 'case_id', 'run_id', 'status', 'pipeline_version', 'config_hash', 'report_path'] as const

export function caseKeyValues(found: FoundReport): Record<(typeof CASE_KEY_COLUMNS)[number], CsvValue> {
  const r = found.report
  return {
    dataset: r.dataset, case_id: r.case_id, run_id: r.run_id, status: r.status,
    pipeline_version: r.pipeline.version, config_hash: r.pipeline.config_hash, report_path: found.path,
  }
}
