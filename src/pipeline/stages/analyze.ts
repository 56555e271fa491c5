// Stage "analyze": final per-label statistics (names, mm, mL) from the reduced partials, and
// landmarks placed on the output grid.
import type { Grid } from '../../image/image.js'
import type { LabelPartials } from '../../measure/label-partials.js'
import { labelStatistics } from '../../measure/label-statistics.js'
import { type ShapePartials } from '../../measure/shape-partials.js'
import { shapeStatistics } from '../../measure/shape-statistics.js'
import { getJson, putJson } from '../object-io.js'
import type { Landmark, LandmarkPrediction, LabelStatisticsRow } from '../report-schema.js'
import { compareLandmarks } from '../../measure/landmark-errors.js'
import { type StageContext, withScratch } from '../stage-context.js'
import { getImage } from '../object-io.js'
import { compareLabelImages } from '../../metrics/compare-labels.js'
import { type MetricsReportJson, metricsReportToJson } from '../../metrics/metrics-schema.js'
import type { Analyzed, Assembled, Prepared, RunRef } from '../state.js'
import { workKeys } from '../work-keys.js'
import type { CaseFacts } from './prepare.js'

export interface Analysis {
  labels: LabelStatisticsRow[]
  landmarks: Landmark[]
  landmark_prediction?: LandmarkPrediction
  metrics?: MetricsReportJson
}

export interface AnalyzeInput {
  run: RunRef
  prepared: Prepared
  assembled: Assembled
}

export async function analyze(input: AnalyzeInput, context: StageContext): Promise<Analyzed> {
  const started = Date.now()
  const work = context.stores(input.run.workBucket)
  const facts = await getJson<CaseFacts>(work, input.prepared.facts.key)
  const partials = await getJson<LabelPartials>(context.stores(input.assembled.statistics.bucket), input.assembled.statistics.key)
  const shape = await getJson<ShapePartials>(context.stores(input.assembled.shape.bucket), input.assembled.shape.key)
  const analysis: Analysis = {
    labels: labelRows(partials, facts.outputGrid, facts.labelNames, shape),
    landmarks: facts.landmarks,
  }
  if (facts.predictedLandmarks) {
    const { source, landmarks } = facts.predictedLandmarks
    analysis.landmark_prediction = { source, landmarks, ...comparisonOf(facts.landmarks, landmarks) }
  }
  if (facts.prediction) analysis.metrics = await evaluatePrediction(input, facts, context)
  const key = workKeys.analysis(input.run)
  await putJson(work, key, analysis)
  return { analysis: { bucket: input.run.workBucket, key }, ms: Date.now() - started }
}

/** Every reference label against the case's prediction, as surface-distance and CHAOS define the metrics. */
async function evaluatePrediction(input: AnalyzeInput, facts: CaseFacts, context: StageContext): Promise<MetricsReportJson> {
  const prediction = facts.prediction!
  return withScratch(context, async (scratch) => {
    const reference = await getImage(context.stores(input.assembled.labels.bucket), input.assembled.labels.key, scratch)
    const predicted = await getImage(context.stores(input.run.workBucket), prediction.key, scratch)
    const names = Object.fromEntries(Object.entries(facts.labelNames).map(([value, name]) => [Number(value), name]))
    return metricsReportToJson(compareLabelImages(reference, predicted, { names, files: { prediction: prediction.source } }))
  })
}

function comparisonOf(reference: Landmark[], predicted: Landmark[]) {
  const { pairs, unmatched_reference, unmatched_predicted, summary } = compareLandmarks(reference, predicted)
  return { errors: pairs, unmatched_reference, unmatched_predicted, summary }
}

export function labelRows(partials: LabelPartials, grid: Grid, names: Record<string, string>, shape?: ShapePartials): LabelStatisticsRow[] {
  const shapeByLabel = new Map((shape ? shapeStatistics(shape, grid, { excludeBackground: true }) : []).map((s) => [s.label, s]))
  return labelStatistics(partials, grid, { excludeBackground: true }).map((s) => {
    const form = shapeByLabel.get(s.label)
    return {
      value: s.label,
      name: names[String(s.label)] ?? `label ${s.label}`,
      voxel_count: s.voxel_count,
      volume_mm3: s.volume_mm3,
      volume_ml: s.volume_ml,
      bbox_index: { min: s.bbox_index.min, max: s.bbox_index.max },
      bbox_mm: { min_lps: s.bbox_mm.min, max_lps: s.bbox_mm.max },
      centroid_lps_mm: s.centroid_lps,
      sphere_equivalent_diameter_mm: s.equivalent_sphere_diameter_mm,
      intensity_mean: s.mean ?? 0,
      intensity_std_sample: s.std_sample ?? null,
      intensity_std_population: s.std_population ?? 0,
      intensity_min: s.min ?? 0,
      intensity_max: s.max ?? 0,
      ...(form && {
        intensity_median: form.intensity_median ?? null,
        intensity_p05: form.intensity_p05 ?? null,
        intensity_p95: form.intensity_p95 ?? null,
        principal_moments_mm2: form.principal_moments_mm2,
        principal_axes_lps: form.principal_axes_lps,
        principal_axis_lengths_mm: form.principal_axis_lengths_mm,
        elongation: form.elongation,
        flatness: form.flatness,
        surface_area_mm2: form.surface_area_mm2,
        touches_border: form.touches_border,
        voxels_on_border: form.voxels_on_border,
      }),
    }
  })
}
