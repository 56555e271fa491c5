// Dataset table of landmarks: one row per case x landmark, the reference set (SR) first, then the
// predicted set when the case has one. A reference row carries the error of the predicted
// landmark matched to it (empty when none matched); each case row also repeats the case's error
// summary so one table answers "which cases have large landmark errors".
import type { Landmark } from '../pipeline/report-schema.js'
import { CASE_KEY_COLUMNS, caseKeyValues } from './case-key-columns.js'
import type { CsvValue } from './csv.js'
import type { FoundReport } from './dataset-table.js'

export const LANDMARKS_TABLE_COLUMNS = [
  ...CASE_KEY_COLUMNS,
  'landmark_set', // "reference" or "predicted"
  'landmark_name', 'code_value', 'code_scheme', 'code_meaning', 'laterality',
  'x_mm', 'y_mm', 'z_mm', 'index_i', 'index_j', 'index_k', 'voxel_i', 'voxel_j', 'voxel_k',
  'inside_image', 'intensity_trilinear',
  'matched_by', 'error_mm', 'error_x_mm', 'error_y_mm', 'error_z_mm',
  'case_error_count', 'case_error_mean_mm', 'case_error_median_mm', 'case_error_max_mm', 'case_error_std_population_mm', 'case_error_std_sample_mm',
] as const

export type LandmarksRow = Partial<Record<(typeof LANDMARKS_TABLE_COLUMNS)[number], CsvValue>>

export function landmarksRows(found: FoundReport): LandmarksRow[] {
  const r = found.report
  const prediction = r.landmark_prediction
  const summary = prediction?.summary
  const caseValues = {
    ...caseKeyValues(found),
    case_error_count: summary?.count, case_error_mean_mm: summary?.mean_mm, case_error_median_mm: summary?.median_mm,
    case_error_max_mm: summary?.max_mm, case_error_std_population_mm: summary?.std_population_mm, case_error_std_sample_mm: summary?.std_sample_mm,
  }
  const errorOf = new Map((prediction?.errors ?? []).map((e) => [e.name, e]))
  const reference = r.landmarks.map((l): LandmarksRow => {
    const e = errorOf.get(l.name)
    return {
      ...caseValues, landmark_set: 'reference', ...landmarkValues(l),
      matched_by: e?.matched_by, error_mm: e?.error_mm,
      error_x_mm: e?.error_vector_mm[0], error_y_mm: e?.error_vector_mm[1], error_z_mm: e?.error_vector_mm[2],
    }
  })
  const predicted = (prediction?.landmarks ?? []).map((l): LandmarksRow => ({ ...caseValues, landmark_set: 'predicted', ...landmarkValues(l) }))
  return [...reference, ...predicted]
}

function landmarkValues(l: Landmark): LandmarksRow {
  return {
    landmark_name: l.name, code_value: l.code?.value, code_scheme: l.code?.scheme, code_meaning: l.code?.meaning, laterality: l.laterality?.meaning,
    x_mm: l.lps_mm[0], y_mm: l.lps_mm[1], z_mm: l.lps_mm[2],
    index_i: l.index[0], index_j: l.index[1], index_k: l.index[2],
    voxel_i: l.voxel_index?.[0], voxel_j: l.voxel_index?.[1], voxel_k: l.voxel_index?.[2],
    inside_image: l.inside_image, intensity_trilinear: l.intensity_trilinear,
  }
}
