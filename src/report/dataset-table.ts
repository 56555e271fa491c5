// Dataset tables over report.json files: one flat row per case x label, plus one row per case
// that has no label rows (failed cases, with their error; processed cases without labels), for
// pandas or Athena. Column names are fixed (DATASET_TABLE_COLUMNS) so a Glue table over the
// output keeps its schema; vectors are split into one column per component (_i/_j/_k for index
// space, _x/_y/_z for LPS mm).
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { reportSchema, type Report } from '../pipeline/report-schema.js'
import type { CsvValue } from './csv.js'

export const DATASET_TABLE_COLUMNS = [
  'row_type', // "label" or "case"
  'dataset', 'case_id', 'run_id', 'status', 'created_at', 'schema_version', 'pipeline_version', 'config_hash',
  'modality', 'input_kind', 'label_source',
  'size_i', 'size_j', 'size_k', 'spacing_i_mm', 'spacing_j_mm', 'spacing_k_mm',
  'label_value', 'label_name', 'voxel_count', 'volume_mm3', 'volume_ml',
  'bbox_index_min_i', 'bbox_index_min_j', 'bbox_index_min_k', 'bbox_index_max_i', 'bbox_index_max_j', 'bbox_index_max_k',
  'bbox_min_x_mm', 'bbox_min_y_mm', 'bbox_min_z_mm', 'bbox_max_x_mm', 'bbox_max_y_mm', 'bbox_max_z_mm',
  'centroid_x_mm', 'centroid_y_mm', 'centroid_z_mm', 'sphere_equivalent_diameter_mm',
  'intensity_mean', 'intensity_std_sample', 'intensity_std_population', 'intensity_min', 'intensity_max',
  'intensity_median', 'intensity_p05', 'intensity_p95',
  'principal_axis_length_1_mm', 'principal_axis_length_2_mm', 'principal_axis_length_3_mm', 'elongation', 'flatness',
  'surface_area_mm2', 'touches_border',
  'landmark_count', 'warning_count', 'warning_codes', 'total_ms',
  'error_kind', 'error_stage', 'error_message',
  'report_path',
] as const

export type DatasetColumn = (typeof DATASET_TABLE_COLUMNS)[number]
export type DatasetRow = Partial<Record<DatasetColumn, CsvValue>>

export interface FoundReport {
  /** Path relative to the searched directory, with forward slashes. */
  path: string
  report: Report
}

/** Every file named report.json under `dir` (recursively, symlinks not followed), sorted by path. */
export async function findReportFiles(dir: string): Promise<string[]> {
  const found: string[] = []
  const walk = async (d: string): Promise<void> => {
    const entries = await fs.readdir(d, { withFileTypes: true })
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.isFile() && e.name === 'report.json') found.push(p)
    }
  }
  await walk(dir)
  return found.sort()
}

export interface InvalidReport {
  path: string
  problem: string
}

/** Read and validate every report.json under `dir`. Invalid files are returned, not thrown. */
export async function loadReports(dir: string): Promise<{ reports: FoundReport[]; invalid: InvalidReport[] }> {
  const reports: FoundReport[] = []
  const invalid: InvalidReport[] = []
  for (const file of await findReportFiles(dir)) {
    const rel = path.relative(dir, file).split(path.sep).join('/')
    let json: unknown
    try {
      json = JSON.parse(await fs.readFile(file, 'utf8'))
    } catch (error) {
      invalid.push({ path: rel, problem: `not JSON: ${error instanceof Error ? error.message : String(error)}` })
      continue
    }
    const parsed = reportSchema.safeParse(json)
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      invalid.push({ path: rel, problem: `does not match the report schema: ${issues.join('; ')}${parsed.error.issues.length > 3 ? '; ...' : ''}` })
      continue
    }
    reports.push({ path: rel, report: parsed.data })
  }
  return { reports, invalid }
}

function caseColumns(found: FoundReport): DatasetRow {
  const r = found.report
  const total = Object.values(r.timings_ms).reduce((a, b) => a + b, 0)
  return {
    dataset: r.dataset, case_id: r.case_id, run_id: r.run_id, status: r.status, created_at: r.created_at,
    schema_version: r.schema_version, pipeline_version: r.pipeline.version, config_hash: r.pipeline.config_hash,
    modality: r.input?.modality, input_kind: r.input?.kind, label_source: r.label_source,
    size_i: r.output_grid?.size_voxels[0], size_j: r.output_grid?.size_voxels[1], size_k: r.output_grid?.size_voxels[2],
    spacing_i_mm: r.output_grid?.spacing_mm[0], spacing_j_mm: r.output_grid?.spacing_mm[1], spacing_k_mm: r.output_grid?.spacing_mm[2],
    landmark_count: r.landmarks.length, warning_count: r.warnings.length,
    warning_codes: [...new Set(r.warnings.map((w) => w.code))].join(';'), total_ms: total,
    error_kind: r.error?.kind, error_stage: r.error?.stage, error_message: r.error?.message,
    report_path: found.path,
  }
}

/** The rows of one report: one per label, or a single case row when it has no labels. */
export function reportRows(found: FoundReport): DatasetRow[] {
  const base = caseColumns(found)
  const labels = found.report.labels
  if (!labels.length) return [{ row_type: 'case', ...base }]
  return labels.map((l) => ({
    row_type: 'label',
    ...base,
    label_value: l.value, label_name: l.name, voxel_count: l.voxel_count, volume_mm3: l.volume_mm3, volume_ml: l.volume_ml,
    bbox_index_min_i: l.bbox_index.min[0], bbox_index_min_j: l.bbox_index.min[1], bbox_index_min_k: l.bbox_index.min[2],
    bbox_index_max_i: l.bbox_index.max[0], bbox_index_max_j: l.bbox_index.max[1], bbox_index_max_k: l.bbox_index.max[2],
    bbox_min_x_mm: l.bbox_mm.min_lps[0], bbox_min_y_mm: l.bbox_mm.min_lps[1], bbox_min_z_mm: l.bbox_mm.min_lps[2],
    bbox_max_x_mm: l.bbox_mm.max_lps[0], bbox_max_y_mm: l.bbox_mm.max_lps[1], bbox_max_z_mm: l.bbox_mm.max_lps[2],
    centroid_x_mm: l.centroid_lps_mm[0], centroid_y_mm: l.centroid_lps_mm[1], centroid_z_mm: l.centroid_lps_mm[2],
    sphere_equivalent_diameter_mm: l.sphere_equivalent_diameter_mm,
    intensity_mean: l.intensity_mean, intensity_std_sample: l.intensity_std_sample, intensity_std_population: l.intensity_std_population,
    intensity_min: l.intensity_min, intensity_max: l.intensity_max,
    intensity_median: l.intensity_median, intensity_p05: l.intensity_p05, intensity_p95: l.intensity_p95,
    principal_axis_length_1_mm: l.principal_axis_lengths_mm?.[0], principal_axis_length_2_mm: l.principal_axis_lengths_mm?.[1],
    principal_axis_length_3_mm: l.principal_axis_lengths_mm?.[2], elongation: l.elongation, flatness: l.flatness,
    surface_area_mm2: l.surface_area_mm2, touches_border: l.touches_border,
  }))
}

/** Rows of every report, in report-path order. */
export function datasetRows(reports: readonly FoundReport[]): DatasetRow[] {
  return reports.flatMap(reportRows)
}
