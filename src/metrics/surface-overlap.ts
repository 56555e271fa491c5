// compute_surface_overlap_at_tolerance of google-deepmind/surface-distance: the fraction of
// each surface (by area) lying within `toleranceMm` (inclusive) of the other surface,
// [reference, prediction]. A mask without surface gives NaN (0 / 0) on its side.
import { CompensatedSum } from './sums.js'
import type { SurfaceDistances } from './surface-distances.js'

export function surfaceOverlapAtTolerance(sd: SurfaceDistances, toleranceMm: number): [number, number] {
  const [inGt, allGt] = areaWithin(sd.distancesGtToPred, sd.surfelAreasGt, toleranceMm)
  const [inPred, allPred] = areaWithin(sd.distancesPredToGt, sd.surfelAreasPred, toleranceMm)
  return [inGt / allGt, inPred / allPred]
}

/** [area with distance <= tolerance, total area]. */
export function areaWithin(distances: Float64Array, areas: Float64Array, toleranceMm: number): [number, number] {
  const within = new CompensatedSum()
  const all = new CompensatedSum()
  for (let t = 0; t < distances.length; t++) {
    all.add(areas[t])
    if (distances[t] <= toleranceMm) within.add(areas[t])
  }
  return [within.value, all.value]
}

/** One pass for several tolerances: [area within each tolerance, total area]. */
export function areaWithinTolerances(distances: Float64Array, areas: Float64Array, tolerancesMm: readonly number[]): [number[], number] {
  const within = tolerancesMm.map(() => new CompensatedSum())
  const all = new CompensatedSum()
  const m = tolerancesMm.length
  for (let t = 0; t < distances.length; t++) {
    const a = areas[t], d = distances[t]
    all.add(a)
    for (let u = 0; u < m; u++) if (d <= tolerancesMm[u]) within[u].add(a)
  }
  return [within.map((s) => s.value), all.value]
}
