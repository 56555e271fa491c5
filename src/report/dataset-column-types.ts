// SQL types of the labels table's columns (Hive/Athena names), for the Glue table over the
// analytics prefix. Typed by column, so a new column without a type fails to compile.
import type { DatasetColumn } from './dataset-table.js'

export type SqlColumnType = 'string' | 'double' | 'bigint' | 'boolean'

const int = 'bigint', real = 'double', text = 'string', flag = 'boolean'

export const DATASET_COLUMN_TYPES: Record<DatasetColumn, SqlColumnType> = {
  row_type: text,
  dataset: text, case_id: text, run_id: text, status: text, created_at: text, schema_version: text, pipeline_version: text, config_hash: text,
  modality: text, input_kind: text, label_source: text,
  size_i: int, size_j: int, size_k: int, spacing_i_mm: real, spacing_j_mm: real, spacing_k_mm: real,
  label_value: int, label_name: text, voxel_count: int, volume_mm3: real, volume_ml: real,
  bbox_index_min_i: int, bbox_index_min_j: int, bbox_index_min_k: int, bbox_index_max_i: int, bbox_index_max_j: int, bbox_index_max_k: int,
  bbox_min_x_mm: real, bbox_min_y_mm: real, bbox_min_z_mm: real, bbox_max_x_mm: real, bbox_max_y_mm: real, bbox_max_z_mm: real,
  centroid_x_mm: real, centroid_y_mm: real, centroid_z_mm: real, sphere_equivalent_diameter_mm: real,
  intensity_mean: real, intensity_std_sample: real, intensity_std_population: real, intensity_min: real, intensity_max: real,
  intensity_median: real, intensity_p05: real, intensity_p95: real,
  principal_axis_length_1_mm: real, principal_axis_length_2_mm: real, principal_axis_length_3_mm: real, elongation: real, flatness: real,
  surface_area_mm2: real, touches_border: flag,
  landmark_count: int, warning_count: int, warning_codes: text, total_ms: real,
  error_kind: text, error_stage: text, error_message: text,
  report_path: text,
}
