// compute_average_surface_distance of google-deepmind/surface-distance: area-weighted mean
// distance of each surface to the other, [reference->prediction, prediction->reference].
// Empty reference: (NaN, Infinity); empty prediction: (Infinity, NaN); both: (NaN, NaN).
// `symmetric` pools both surfaces (area-weighted mean over all surface elements), the surface
// analogue of the average symmetric surface distance; it is not part of the library.
import { CompensatedSum } from './sums.js'
import type { SurfaceDistances } from './surface-distances.js'

export function averageSurfaceDistance(sd: SurfaceDistances): [number, number] {
  const [ng, dg] = weightedSums(sd.distancesGtToPred, sd.surfelAreasGt)
  const [np, dp] = weightedSums(sd.distancesPredToGt, sd.surfelAreasPred)
  return [ng / dg, np / dp] // 0 / 0 = NaN without surface elements, as NumPy
}

/** Area-weighted mean over both surfaces together. */
export function symmetricAverageSurfaceDistance(sd: SurfaceDistances): number {
  const [ng, dg] = weightedSums(sd.distancesGtToPred, sd.surfelAreasGt)
  const [np, dp] = weightedSums(sd.distancesPredToGt, sd.surfelAreasPred)
  return (ng + np) / (dg + dp)
}

/** [sum of distance * area, sum of area], compensated. */
export function weightedSums(distances: Float64Array, areas: Float64Array): [number, number] {
  const num = new CompensatedSum()
  const den = new CompensatedSum()
  for (let t = 0; t < distances.length; t++) {
    num.add(distances[t] * areas[t])
    den.add(areas[t])
  }
  return [num.value, den.value]
}
