// compute_surface_dice_at_tolerance of google-deepmind/surface-distance: (area of the
// reference surface within tolerance of the prediction + the same the other way) / (both
// surface areas). 0 when exactly one mask is empty, NaN when both are.
import type { SurfaceDistances } from './surface-distances.js'
import { areaWithin } from './surface-overlap.js'

export function surfaceDiceAtTolerance(sd: SurfaceDistances, toleranceMm: number): number {
  const [inGt, allGt] = areaWithin(sd.distancesGtToPred, sd.surfelAreasGt, toleranceMm)
  const [inPred, allPred] = areaWithin(sd.distancesPredToGt, sd.surfelAreasPred, toleranceMm)
  return (inGt + inPred) / (allGt + allPred)
}
