// Every metric of src/metrics for each label of a reference and a prediction label image:
// the analyze stage's and `voxelflow metrics`' one entry point. Per label: voxel counts,
// volumes, Dice, Jaccard, sensitivity, precision, RAVD; the surface measures of
// google-deepmind/surface-distance (average surface distance both ways, Hausdorff 100 and at a
// percentile, surface overlap and surface Dice at each tolerance); the CHAOS challenge's
// ASSD / MSSD. Values are the libraries' own, Infinity and NaN included (empty masks); see
// metrics-schema.ts for how they travel in JSON.
import { resampleLabels } from '../filters/resample.js'
import { gridOf, type Image, pixelsOf } from '../image/image.js'
import { BadInputError } from '../pipeline/errors.js'
import { weightedSums } from './average-surface-distance.js'
import { chaosSurfaceDistance } from './chaos-surface-distance.js'
import { assertSameGrid, gridDifferences, type GridTolerance } from './grid-agreement.js'
import { labelCensus, type LabelCount } from './label-census.js'
import { cropMaskPair, grid3, type MaskPairCrop } from './mask-crop.js'
import { overlapMeasures } from './overlap-measures.js'
import { robustHausdorff } from './robust-hausdorff.js'
import { unionRowExtents } from './row-extents.js'
import { emptySurfaceDistances, surfaceDistancesOfCrop } from './surface-distances.js'
import { areaWithinTolerances } from './surface-overlap.js'

export interface CompareOptions {
  /** Labels to compare (default: every non-zero value of either image). */
  labels?: readonly number[]
  /** Names by label value (default "label N"). */
  names?: Readonly<Record<number, string>>
  /** Tolerances (mm) for surface overlap and surface Dice; default [1]. */
  tolerancesMm?: readonly number[]
  /** Percentile of the robust Hausdorff distance; default 95. */
  percentile?: number
  /** Resample the prediction onto the reference grid (nearest neighbour) when the grids differ. */
  resamplePrediction?: boolean
  gridTolerance?: Partial<GridTolerance>
  /** File names for messages and the report. */
  files?: { reference?: string; prediction?: string }
}

export type Emptiness = 'none' | 'reference' | 'prediction' | 'both'

/** One label; snake_case as in report.json. Numbers may be Infinity or NaN (see `notes`). */
export interface LabelMetrics {
  label: number
  name: string
  /** Which mask is empty, if any. */
  empty: Emptiness
  voxel_count: { reference: number; prediction: number; intersection: number }
  volume_ml: { reference: number; prediction: number }
  /** prediction - reference */
  volume_difference_ml: number
  /** CHAOS: |V_ref - V_pred| / V_ref * 100 */
  ravd_percent: number
  volumetric_dice: number
  jaccard: number
  sensitivity: number
  precision: number
  surface: {
    surfel_count: { reference: number; prediction: number }
    /** Total surface: mm^2 in 3-D, contour length mm in 2-D (MetricsReport.surface_unit). */
    total_surface: { reference: number; prediction: number }
    average_surface_distance_mm: { reference_to_prediction: number; prediction_to_reference: number; symmetric: number }
    hausdorff_100_mm: number
    /** Robust Hausdorff at MetricsReport.percentile. */
    hausdorff_percentile_mm: number
    surface_overlap: { tolerance_mm: number; reference_to_prediction: number; prediction_to_reference: number }[]
    surface_dice: { tolerance_mm: number; value: number }[]
  }
  chaos: { assd_mm: number; mssd_mm: number }
  notes: string[]
}

export interface MetricsReport {
  reference: { file?: string; dimension: number; size_voxels: number[]; spacing_mm: number[] }
  prediction: { file?: string; resampled: boolean; grid_differences: string[] }
  tolerances_mm: number[]
  percentile: number
  surface_unit: 'mm2' | 'mm'
  labels: LabelMetrics[]
}

export function compareLabelImages(reference: Image, prediction: Image, options: CompareOptions = {}): MetricsReport {
  const files = options.files ?? {}
  const dimension = reference.size.length
  for (const [image, file] of [[reference, files.reference], [prediction, files.prediction]] as const) {
    if (image.size.length !== 2 && image.size.length !== 3) {
      throw new BadInputError(`Only 2D and 3D masks are supported, not ${image.size.length}D.`, { file })
    }
  }
  if (reference.size.length !== prediction.size.length) {
    throw new BadInputError(
      `The arguments must be of compatible shape: the reference is ${reference.size.length}-D (${reference.size.join('x')}), ` +
        `the prediction ${prediction.size.length}-D (${prediction.size.join('x')})`,
      { file: files.prediction },
    )
  }
  const tolerancesMm = [...(options.tolerancesMm ?? [1])]
  for (const t of tolerancesMm) if (!(t >= 0) || !Number.isFinite(t)) throw new BadInputError(`tolerance must be a non-negative number of mm, got ${t}`, { field: 'tolerance' })
  const percentile = options.percentile ?? 95
  if (!(percentile >= 0 && percentile <= 100)) throw new BadInputError(`percentile must be within 0..100, got ${percentile}`, { field: 'percentile' })

  const differences = gridDifferences(reference, prediction, options.gridTolerance)
  let resampled = false
  if (differences.length) {
    if (!options.resamplePrediction) assertSameGrid(reference, prediction, files, options.gridTolerance)
    if (dimension !== 3 || prediction.size.length !== 3) throw new BadInputError('resampling is implemented for 3-D images only', { file: files.prediction })
    prediction = resampleLabels(prediction, gridOf(reference))
    resampled = true
  }

  const size3 = grid3(reference.size)
  const spacing = Array.from(reference.spacing).slice(0, dimension)
  const voxelMm3 = spacing.reduce((a, b) => a * b, 1)
  const refData = pixelsOf(reference)
  const predData = pixelsOf(prediction)
  const rows = unionRowExtents(refData, predData, size3)
  const census = labelCensus(size3, refData, predData, rows)
  const labels = options.labels ? [...options.labels] : [...census.keys()]
  const report: MetricsReport = {
    reference: { file: files.reference, dimension, size_voxels: [...reference.size], spacing_mm: spacing },
    prediction: { file: files.prediction, resampled, grid_differences: differences },
    tolerances_mm: tolerancesMm,
    percentile,
    surface_unit: dimension === 3 ? 'mm2' : 'mm',
    labels: [],
  }
  for (const label of labels) {
    const count: LabelCount = census.get(label) ?? { reference: 0, prediction: 0, intersection: 0, box: null }
    const crop = count.box
      ? cropMaskPair({ size: reference.size, data: refData, label }, { size: reference.size, data: predData, label }, count.box, rows)
      : null
    report.labels.push(labelMetrics(label, options.names?.[label] ?? `label ${label}`, count, crop, spacing, voxelMm3, tolerancesMm, percentile))
  }
  return report
}

/** All metrics of one label from its counts and crop (null when the label is in neither image). */
export function labelMetrics(
  label: number,
  name: string,
  count: LabelCount,
  crop: MaskPairCrop | null,
  spacing: readonly number[],
  voxelMm3: number,
  tolerancesMm: readonly number[],
  percentile: number,
): LabelMetrics {
  const sd = crop ? surfaceDistancesOfCrop(crop, spacing) : emptySurfaceDistances()
  const overlap = overlapMeasures(count, voxelMm3)
  const [numRef, denRef] = weightedSums(sd.distancesGtToPred, sd.surfelAreasGt)
  const [numPred, denPred] = weightedSums(sd.distancesPredToGt, sd.surfelAreasPred)
  const [inRef, allRef] = areaWithinTolerances(sd.distancesGtToPred, sd.surfelAreasGt, tolerancesMm)
  const [inPred, allPred] = areaWithinTolerances(sd.distancesPredToGt, sd.surfelAreasPred, tolerancesMm)
  const chaos = chaosSurfaceDistance(crop, spacing)
  const empty: Emptiness =
    count.reference === 0 && count.prediction === 0 ? 'both' : count.reference === 0 ? 'reference' : count.prediction === 0 ? 'prediction' : 'none'
  return {
    label,
    name,
    empty,
    voxel_count: { reference: count.reference, prediction: count.prediction, intersection: count.intersection },
    volume_ml: { reference: overlap.referenceMl, prediction: overlap.predictionMl },
    volume_difference_ml: overlap.volumeDifferenceMl,
    ravd_percent: overlap.ravdPercent,
    volumetric_dice: overlap.dice,
    jaccard: overlap.jaccard,
    sensitivity: overlap.sensitivity,
    precision: overlap.precision,
    surface: {
      surfel_count: { reference: sd.surfelAreasGt.length, prediction: sd.surfelAreasPred.length },
      total_surface: { reference: denRef, prediction: denPred },
      average_surface_distance_mm: {
        reference_to_prediction: numRef / denRef, prediction_to_reference: numPred / denPred, symmetric: (numRef + numPred) / (denRef + denPred),
      },
      hausdorff_100_mm: robustHausdorff(sd, 100),
      hausdorff_percentile_mm: robustHausdorff(sd, percentile),
      // the library's surface overlap and surface Dice, from one pass per direction
      surface_overlap: tolerancesMm.map((t, u) => ({ tolerance_mm: t, reference_to_prediction: inRef[u] / allRef, prediction_to_reference: inPred[u] / allPred })),
      surface_dice: tolerancesMm.map((t, u) => ({ tolerance_mm: t, value: (inRef[u] + inPred[u]) / (allRef + allPred) })),
    },
    chaos: { assd_mm: chaos.assdMm, mssd_mm: chaos.mssdMm },
    notes: emptinessNotes(empty),
  }
}

function emptinessNotes(empty: Emptiness): string[] {
  switch (empty) {
    case 'none':
      return []
    case 'reference':
      return [
        'reference mask is empty: every distance from the prediction surface is Infinity (ASD prediction->reference, Hausdorff, MSSD, ASSD = Infinity); ' +
          'reference-side averages and overlaps are NaN (0/0); surface Dice and Dice = 0; sensitivity NaN, RAVD Infinity',
      ]
    case 'prediction':
      return [
        'prediction mask is empty: every distance from the reference surface is Infinity (ASD reference->prediction, Hausdorff, MSSD, ASSD = Infinity); ' +
          'prediction-side averages and overlaps are NaN (0/0); surface Dice and Dice = 0; precision NaN',
      ]
    case 'both':
      return [
        'label is in neither mask: Dice, Jaccard, surface Dice, average surface distances and overlaps are NaN (0/0); ' +
          'Hausdorff is Infinity (as google-deepmind/surface-distance returns it); CHAOS ASSD and MSSD NaN',
      ]
  }
}
