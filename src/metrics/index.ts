// src/metrics: segmentation metrics that agree with google-deepmind/surface-distance (surface
// distances on the voxel-corner grid), the CHAOS challenge (RAVD, ASSD, MSSD) and ITK 5.2
// (Hausdorff and contour mean distances, separate functions), one operation per file.
export { compareLabelImages, labelMetrics, type CompareOptions, type LabelMetrics, type MetricsReport, type Emptiness } from './compare-labels.js'
export { computeSurfaceDistances, sortedSurfaceDistances, surfaceDistancesOfCrop, type SurfaceDistances } from './surface-distances.js'
export { averageSurfaceDistance, symmetricAverageSurfaceDistance } from './average-surface-distance.js'
export { robustHausdorff, directedPercentileDistance } from './robust-hausdorff.js'
export { surfaceOverlapAtTolerance } from './surface-overlap.js'
export { surfaceDiceAtTolerance } from './surface-dice.js'
export { volumetricDice } from './volumetric-dice.js'
export { overlapMeasures, type OverlapCounts, type OverlapMeasures } from './overlap-measures.js'
export { chaosSurfaceDistance, type ChaosSurfaceDistance } from './chaos-surface-distance.js'
export { itkHausdorffDistance, type ItkHausdorff } from './itk-hausdorff.js'
export { itkContourMeanDistance, type ItkContourMeanDistance } from './itk-contour-mean-distance.js'
export { assertSameGrid, gridDifferences, defaultGridTolerance, type GridTolerance } from './grid-agreement.js'
export { type BinaryMask } from './mask-crop.js'
export {
  labelMetricsJsonSchema, metricsReportJsonSchema, metricsReportToJson, encodeNonFinite, decodeNonFinite,
  NON_FINITE_ENCODING, type LabelMetricsJson, type MetricsReportJson,
} from './metrics-schema.js'
