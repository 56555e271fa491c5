// Dataset table of segmentation metrics: one row per case x reference label of report.metrics
// (cases without metrics have no rows). Non-finite values stay the report's strings
// ("Infinity", "NaN"), which pandas reads as floats. Surface overlap and surface Dice are given
// at the report's first tolerance, named in surface_tolerance_mm, so the columns are fixed.
import { CASE_KEY_COLUMNS, caseKeyValues } from './case-key-columns.js'
import type { CsvValue } from './csv.js'
import type { FoundReport } from './dataset-table.js'

export const METRICS_TABLE_COLUMNS = [
  ...CASE_KEY_COLUMNS,
  'prediction_file', 'label_value', 'label_name', 'empty',
  'voxel_count_reference', 'voxel_count_prediction', 'voxel_count_intersection',
  'volume_reference_ml', 'volume_prediction_ml', 'volume_difference_ml', 'ravd_percent',
  'volumetric_dice', 'jaccard', 'sensitivity', 'precision',
  'asd_reference_to_prediction_mm', 'asd_prediction_to_reference_mm', 'asd_symmetric_mm',
  'hausdorff_100_mm', 'hausdorff_percentile', 'hausdorff_percentile_mm',
  'surface_tolerance_mm', 'surface_overlap_reference_to_prediction', 'surface_overlap_prediction_to_reference', 'surface_dice',
  'chaos_assd_mm', 'chaos_mssd_mm',
] as const

export type MetricsRow = Partial<Record<(typeof METRICS_TABLE_COLUMNS)[number], CsvValue>>

export function metricsRows(found: FoundReport): MetricsRow[] {
  const metrics = found.report.metrics
  if (!metrics) return []
  const key = caseKeyValues(found)
  const tolerance = metrics.tolerances_mm[0]
  return metrics.labels.map((l) => {
    const overlap = l.surface.surface_overlap.find((o) => o.tolerance_mm === tolerance)
    const dice = l.surface.surface_dice.find((d) => d.tolerance_mm === tolerance)
    return {
      ...key,
      prediction_file: metrics.prediction.file, label_value: l.label, label_name: l.name, empty: l.empty,
      voxel_count_reference: l.voxel_count.reference, voxel_count_prediction: l.voxel_count.prediction, voxel_count_intersection: l.voxel_count.intersection,
      volume_reference_ml: l.volume_ml.reference, volume_prediction_ml: l.volume_ml.prediction, volume_difference_ml: l.volume_difference_ml,
      ravd_percent: l.ravd_percent, volumetric_dice: l.volumetric_dice, jaccard: l.jaccard, sensitivity: l.sensitivity, precision: l.precision,
      asd_reference_to_prediction_mm: l.surface.average_surface_distance_mm.reference_to_prediction,
      asd_prediction_to_reference_mm: l.surface.average_surface_distance_mm.prediction_to_reference,
      asd_symmetric_mm: l.surface.average_surface_distance_mm.symmetric,
      hausdorff_100_mm: l.surface.hausdorff_100_mm, hausdorff_percentile: metrics.percentile, hausdorff_percentile_mm: l.surface.hausdorff_percentile_mm,
      surface_tolerance_mm: tolerance,
      surface_overlap_reference_to_prediction: overlap?.reference_to_prediction, surface_overlap_prediction_to_reference: overlap?.prediction_to_reference,
      surface_dice: dice?.value,
      chaos_assd_mm: l.chaos.assd_mm, chaos_mssd_mm: l.chaos.mssd_mm,
    }
  })
}
