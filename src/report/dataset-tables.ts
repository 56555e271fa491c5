// The tables `voxelflow reports --table` can write, by name: each a fixed column list and the
// rows of one report.
import type { CsvValue } from './csv.js'
import { DATASET_TABLE_COLUMNS, type FoundReport, reportRows } from './dataset-table.js'
import { LANDMARKS_TABLE_COLUMNS, landmarksRows } from './landmarks-table.js'
import { METRICS_TABLE_COLUMNS, metricsRows } from './metrics-table.js'

export interface DatasetTable {
  columns: readonly string[]
  rows: (found: FoundReport) => Record<string, CsvValue>[]
}

export const datasetTables = {
  /** One row per case x label; one row per case without labels (failed cases with their error). */
  labels: { columns: DATASET_TABLE_COLUMNS, rows: reportRows },
  /** One row per case x reference label of report.metrics. */
  metrics: { columns: METRICS_TABLE_COLUMNS, rows: metricsRows },
  /** One row per case x landmark (reference, then predicted). */
  landmarks: { columns: LANDMARKS_TABLE_COLUMNS, rows: landmarksRows },
} satisfies Record<string, DatasetTable>

export type DatasetTableName = keyof typeof datasetTables
export const datasetTableNames = Object.keys(datasetTables) as DatasetTableName[]
