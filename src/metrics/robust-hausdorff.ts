// compute_robust_hausdorff of google-deepmind/surface-distance: per direction, the distances
// sorted by (distance, area); the percentile is the first sorted distance whose cumulative
// area / total area is >= percent / 100 (np.searchsorted, no interpolation; past the end: the
// largest distance); the result is the larger of the two directions. A direction without
// surface elements gives Infinity, so an empty mask gives Infinity (both empty: Infinity too).
//
// Sorting a million surface elements costs more than everything else here, so the percentile
// is found in linear time (area histogram over distance, then the distinct distances of one
// bucket). Only when the cumulative area ratio at the chosen boundary is within rounding of
// percent / 100 - where NumPy's own rounding decides - do we replay NumPy exactly (sort,
// sequential cumsum, pairwise total), so the answer is the library's in every case.
import { CompensatedSum, numpyPairwiseSum } from './sums.js'
import { sortPairs, type SurfaceDistances } from './surface-distances.js'

export function robustHausdorff(sd: SurfaceDistances, percent: number): number {
  return Math.max(
    directedPercentileDistance(sd.distancesGtToPred, sd.surfelAreasGt, percent),
    directedPercentileDistance(sd.distancesPredToGt, sd.surfelAreasPred, percent),
  )
}

/** The library's percentile of one direction (Infinity without surface elements). */
export function directedPercentileDistance(distances: Float64Array, areas: Float64Array, percent: number): number {
  const n = distances.length
  if (n === 0) return Infinity
  if (n <= 4096) return numpyPercentileDistance(distances, areas, percent)
  return fastPercentileDistance(distances, areas, percent) ?? numpyPercentileDistance(distances, areas, percent)
}

/** NumPy's computation replayed operation by operation (sorts: O(n log n)). */
export function numpyPercentileDistance(distances: Float64Array, areas: Float64Array, percent: number): number {
  const n = distances.length
  if (n === 0) return Infinity
  const [d, a] = sortPairs(distances, areas)
  const total = numpyPairwiseSum(a)
  const v = percent / 100
  let cum = 0
  for (let t = 0; t < n; t++) {
    cum += a[t]
    if (cum / total >= v) return d[t]
  }
  return d[n - 1]
}

const BUCKETS = 4096

/** Linear time; null when the answer hinges on rounding (the caller then replays NumPy). */
function fastPercentileDistance(distances: Float64Array, areas: Float64Array, percent: number): number | null {
  const n = distances.length
  let dmin = Infinity, dmax = -Infinity
  const total = new CompensatedSum()
  let atMax = 0 // area at the largest distance so far
  for (let t = 0; t < n; t++) {
    const d = distances[t]
    if (d < dmin) dmin = d
    if (d > dmax) {
      dmax = d
      atMax = 0
    }
    if (d === dmax) atMax += areas[t]
    total.add(areas[t])
  }
  if (dmin === dmax) return dmin // one distinct distance (all 0, or all Infinity)
  if (!Number.isFinite(dmax) || !(total.value > 0)) return null
  const T = total.value
  const v = percent / 100
  const eps = (n + 64) * 2 ** -52 // bounds NumPy's relative rounding of cumsum / sum
  // Hausdorff 100: the largest distance, unless the area below it could already reach v
  if (v >= 1 && v - (T - atMax) / T > eps) return dmax
  const scale = BUCKETS / dmax
  const bucketOf = (d: number): number => Math.min(BUCKETS - 1, Math.floor(d * scale))
  const sum = new Float64Array(BUCKETS)
  const comp = new Float64Array(BUCKETS)
  const lowest = new Float64Array(BUCKETS).fill(Infinity)
  const highest = new Float64Array(BUCKETS).fill(-Infinity)
  for (let t = 0; t < n; t++) {
    const d = distances[t]
    const b = bucketOf(d)
    if (d < lowest[b]) lowest[b] = d
    if (d > highest[b]) highest[b] = d
    const x = areas[t]
    const s = sum[b]
    const u = s + x
    comp[b] += Math.abs(s) >= Math.abs(x) ? s - u + x : x - u + s
    sum[b] = u
  }
  // the bucket where the cumulative ratio reaches v (or the last non-empty one)
  const before = new CompensatedSum()
  let target = -1
  for (let b = 0; b < BUCKETS; b++) {
    if (sum[b] === 0 && comp[b] === 0) continue
    const through = before.value + sum[b] + comp[b]
    target = b
    if (through / T >= v) break
    before.add(sum[b])
    before.add(comp[b])
  }
  // distinct distances of that bucket, in order (usually one: distances are discrete)
  const blocks = new Map<number, CompensatedSum>()
  if (lowest[target] === highest[target]) {
    const s = new CompensatedSum()
    s.add(sum[target])
    s.add(comp[target])
    blocks.set(lowest[target], s)
  } else {
    for (let t = 0; t < n; t++) {
      const d = distances[t]
      if (bucketOf(d) !== target) continue
      let s = blocks.get(d)
      if (!s) blocks.set(d, (s = new CompensatedSum()))
      s.add(areas[t])
    }
  }
  const keys = [...blocks.keys()].sort((x, y) => x - y)
  const running = new CompensatedSum()
  running.add(before.sum)
  running.add(before.comp)
  let prevRatio = running.value / T
  for (const d of keys) {
    const s = blocks.get(d)!
    running.add(s.sum)
    running.add(s.comp)
    const ratio = running.value / T
    if (ratio >= v) {
      // at the largest distance NumPy answers dmax whether or not it reaches v there
      if (Math.abs(prevRatio - v) <= eps || (d !== dmax && Math.abs(ratio - v) <= eps)) return null
      return d
    }
    prevRatio = ratio
  }
  // past the end: NumPy clamps to the largest distance, unless rounding could stop it earlier
  if (Math.abs(prevRatio - v) <= eps) return null
  return dmax
}
