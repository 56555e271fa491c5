// The metrics report as JSON. JSON has no Infinity or NaN, and the libraries we agree with
// return them for empty masks, so in JSON every non-finite number is a STRING:
//   Infinity -> "Infinity",  -Infinity -> "-Infinity",  NaN -> "NaN"
// (the spelling of JavaScript's String(x) and Number(s), and of the surface-distance golden
// file; Python's float(s) reads them too). Every other number is a plain JSON number. Each
// label also states which mask is empty (`empty`) and why values are non-finite (`notes`).
// This zod schema is the single source of truth for that shape; report-schema.ts can embed
// `labelMetricsJsonSchema` for the analyze stage's report.
import { z } from 'zod'
import type { MetricsReport } from './compare-labels.js'

export const NON_FINITE_ENCODING =
  'JSON has no Infinity or NaN: non-finite values are the strings "Infinity", "-Infinity" and "NaN" (Number(s) in JavaScript, float(s) in Python)'

export const nonFiniteNumberSchema = z.enum(['Infinity', '-Infinity', 'NaN'])
/** A metric value: a JSON number, or one of the three strings for non-finite values. */
export const metricNumberSchema = z.union([z.number(), nonFiniteNumberSchema])
const m = metricNumberSchema
const count = z.number().int().nonnegative()

export const labelMetricsJsonSchema = z.object({
  label: z.number(),
  name: z.string(),
  empty: z.enum(['none', 'reference', 'prediction', 'both']).describe('which mask is empty'),
  voxel_count: z.object({ reference: count, prediction: count, intersection: count }),
  volume_ml: z.object({ reference: z.number(), prediction: z.number() }),
  volume_difference_ml: z.number().describe('prediction - reference'),
  ravd_percent: m.describe('CHAOS relative absolute volume difference |V_ref - V_pred| / V_ref * 100'),
  volumetric_dice: m,
  jaccard: m,
  sensitivity: m,
  precision: m,
  surface: z.object({
    surfel_count: z.object({ reference: count, prediction: count }),
    total_surface: z.object({ reference: z.number(), prediction: z.number() }).describe('mm^2 in 3-D, mm in 2-D (surface_unit)'),
    average_surface_distance_mm: z.object({ reference_to_prediction: m, prediction_to_reference: m, symmetric: m }),
    hausdorff_100_mm: m,
    hausdorff_percentile_mm: m.describe('robust Hausdorff at the report percentile (area-weighted, google-deepmind/surface-distance)'),
    surface_overlap: z.array(z.object({ tolerance_mm: z.number(), reference_to_prediction: m, prediction_to_reference: m })),
    surface_dice: z.array(z.object({ tolerance_mm: z.number(), value: m })),
  }),
  chaos: z.object({ assd_mm: m, mssd_mm: m }).describe('CHAOS challenge average / maximum symmetric surface distance (border voxel centres)'),
  notes: z.array(z.string()),
})

export const metricsReportJsonSchema = z.object({
  definitions: z.string(),
  non_finite_encoding: z.literal(NON_FINITE_ENCODING),
  reference: z.object({ file: z.string().optional(), dimension: z.number().int(), size_voxels: z.array(z.number().int()), spacing_mm: z.array(z.number()) }),
  prediction: z.object({ file: z.string().optional(), resampled: z.boolean(), grid_differences: z.array(z.string()) }),
  tolerances_mm: z.array(z.number()),
  percentile: z.number(),
  surface_unit: z.enum(['mm2', 'mm']),
  labels: z.array(labelMetricsJsonSchema),
})

export type LabelMetricsJson = z.infer<typeof labelMetricsJsonSchema>
export type MetricsReportJson = z.infer<typeof metricsReportJsonSchema>

export const METRICS_DEFINITIONS =
  'surface measures as google-deepmind/surface-distance (surfels on the voxel-corner grid, neighbour-code areas, area-weighted); ' +
  'RAVD, ASSD and MSSD as the CHAOS challenge; Dice, Jaccard, sensitivity, precision on voxel counts'

/** Deep copy with every non-finite number replaced by its string. */
export function encodeNonFinite<T>(value: T): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (Array.isArray(value)) return value.map((v) => encodeNonFinite(v))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeNonFinite(v)
    return out
  }
  return value
}

/** The inverse: "Infinity", "-Infinity" and "NaN" strings back to numbers (other strings kept). */
export function decodeNonFinite(value: unknown): unknown {
  if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') return Number(value)
  if (Array.isArray(value)) return value.map((v) => decodeNonFinite(v))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = decodeNonFinite(v)
    return out
  }
  return value
}

/** The report as JSON-safe data, checked against the schema. */
export function metricsReportToJson(report: MetricsReport): MetricsReportJson {
  return metricsReportJsonSchema.parse({
    definitions: METRICS_DEFINITIONS,
    non_finite_encoding: NON_FINITE_ENCODING,
    ...(encodeNonFinite(report) as object),
  })
}
