// The report's analytics rows: the `voxelflow reports` labels table of this one case, as JSON
// lines under the partitioned analytics prefix (src/pipeline/work-keys.ts), where the Glue table
// of infra/constructs/analytics-table.ts reads them. Written before report.json, the commit point.
import { toJsonl } from '../../report/csv.js'
import { DATASET_TABLE_COLUMNS, reportRows } from '../../report/dataset-table.js'
import type { ObjectStore } from '../../store/object-store.js'
import type { Report } from '../report-schema.js'
import { analyticsKeys } from '../work-keys.js'

export async function writeAnalyticsRows(output: ObjectStore, report: Report): Promise<string> {
  const key = analyticsKeys.caseRows(report.dataset, report.pipeline.version, report.case_id)
  const rows = reportRows({ path: report.outputs.report.key, report })
  await output.put(key, toJsonl(DATASET_TABLE_COLUMNS, rows), 'application/x-ndjson')
  return key
}
