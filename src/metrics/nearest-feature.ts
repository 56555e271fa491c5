// Exact Euclidean distance (mm, anisotropic spacing) from query points to the nearest point of
// a sparse feature set on the same grid: the distance transform evaluated where it is needed.
//
// Surfaces are sparse in a volume and the two surfaces compared are usually close. A full
// distance map of the cropped corner grid (~20 M points for a pelvis CT) costs about 1 s per
// direction here, so instead we keep the features of every grid line along axis 0 as sorted
// positions (the exact 1-D distance along a line - the first pass of a separable EDT - is a
// merge or binary search away) and answer the queries of each grid row together, visiting the
// lines around it in increasing order of their lower bound (dj s1)^2 + (dk s2)^2; a query
// stops as soon as that bound reaches its best squared distance. This is exact: no line left
// unvisited can hold anything nearer, and the cost follows the surfaces and their distance,
// not the volume. Queries farther than the precomputed search radius (outliers, far-apart
// masks) are finished plane by plane: for each plane i holding such queries, the 1-D line
// distances of that plane go through the linear-time exact EDT of
// src/filters/distance-transform.ts over (j, k) - the last two passes of the separable EDT,
// never more than one exact EDT of the cropped grid in all. That EDT sums spacing^2 * delta^2,
// so far distances may differ from scipy's in the last bit.
//
// The squared distance of a candidate is ((di s0)^2 + (dj s1)^2) + (dk s2)^2, each term
// (delta * spacing)^2, summed in axis order: the same floating-point expression as
// scipy.ndimage.distance_transform_edt(sampling=...), which google-deepmind/surface-distance uses.
import { squaredDistanceTransformInPlace } from '../filters/distance-transform.js'
import type { PointSet } from './point-set.js'

export interface FeatureLines {
  dims: [number, number, number]
  /** Features of line l (= j + n1 * k) are pos[lineStart[l] .. lineStart[l + 1]), increasing i. */
  lineStart: Int32Array
  pos: Int32Array
  features: PointSet
}

/** Index the features (linear indices in increasing order) of a grid of `dims` by line. */
export function buildFeatureLines(dims: [number, number, number], features: PointSet): FeatureLines {
  const [n0, n1, n2] = dims
  const lines = n1 * n2
  const lineStart = new Int32Array(lines + 1)
  const pos = new Int32Array(features.count)
  const idx = features.index
  for (let f = 0; f < features.count; f++) {
    const line = Math.floor(idx[f] / n0)
    lineStart[line + 1]++
    pos[f] = idx[f] - line * n0
  }
  for (let l = 0; l < lines; l++) lineStart[l + 1] += lineStart[l]
  return { dims, lineStart, pos, features }
}

/** |i - nearest feature| on line l, or -1 when the line has none. */
function nearestOnLine(lineStart: Int32Array, pos: Int32Array, l: number, i: number): number {
  const a = lineStart[l], b = lineStart[l + 1]
  if (a === b) return -1
  let lo = a
  if (b - a <= 8) {
    while (lo < b && pos[lo] < i) lo++
  } else {
    let hi = b
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (pos[mid] < i) lo = mid + 1
      else hi = mid
    }
  }
  if (lo === b) return i - pos[b - 1]
  const after = pos[lo] - i
  return lo > a && i - pos[lo - 1] < after ? i - pos[lo - 1] : after
}

export interface NearestOptions {
  /** Largest number of (dj, dk) line offsets in the precomputed search order (default 16384). */
  maxOffsets?: number
}

export interface NearestStats {
  queries: number
  /** Queries beyond the search order, finished by plane EDTs. */
  far: number
  /** Planes (i) transformed for them. */
  planes: number
}

/**
 * Distance (mm) from each query point to the nearest feature; Infinity when there is none.
 * `spacing` has one value per axis of `lines.dims` (2-D grids: any third value). Queries must
 * be in increasing index order (as surface extraction yields them): the queries of one grid
 * row share their walk over the neighbouring lines, merged with each line's sorted features.
 */
export function nearestFeatureDistances(
  lines: FeatureLines,
  spacing: readonly number[],
  queries: PointSet,
  options: NearestOptions = {},
  stats?: NearestStats,
): Float64Array {
  const count = queries.count
  const out = new Float64Array(count)
  if (stats) { stats.queries = count; stats.far = 0; stats.planes = 0 }
  if (lines.features.count === 0) {
    out.fill(Infinity)
    return out
  }
  const [n0, n1, n2] = lines.dims
  const s0 = spacing[0], s1 = spacing[1], s2 = n2 > 1 ? spacing[2] : 1
  const order = searchOrder(n1, n2, s1, s2, options.maxOffsets ?? 16384)
  const q = queries.index
  const best = out // squared distances first, square roots at the end
  best.fill(Infinity)
  const active = new Int32Array(Math.min(count, n0) + 1)
  const far: number[] = []
  let t = 0
  while (t < count) {
    const line = Math.floor(q[t] / n0)
    const rowEnd = (line + 1) * n0
    let end = t + 1
    while (end < count && q[end] < rowEnd) end++
    searchRow(lines, order, s0, q, t, end, line, best, active, far)
    t = end
  }
  if (far.length) {
    const planes = farPlanes(lines, s0, s1, s2, q, far, best)
    if (stats) { stats.far = far.length; stats.planes = planes }
  }
  for (let u = 0; u < count; u++) out[u] = Math.sqrt(best[u])
  return out
}

/**
 * The queries t..end-1 of one grid row: walk the line offsets in increasing lower bound; a
 * query leaves the walk once the bound reaches its best squared distance. Queries still
 * uncertified past the order's limit are appended to `far`.
 */
function searchRow(
  lines: FeatureLines, order: SearchOrder, s0: number, q: Int32Array, t: number, end: number, line: number,
  best: Float64Array, active: Int32Array, far: number[],
): void {
  const [n0, n1, n2] = lines.dims
  const { lineStart, pos } = lines
  const { lineOff, dj, dk, tj, tk, lb, limit } = order
  const P = lb.length
  const k = Math.floor(line / n1)
  const j = line - k * n1
  const rowBase = line * n0
  let nActive = 0
  for (let u = t; u < end; u++) active[nActive++] = u
  let maxBest = Infinity
  for (let p = 0; p < P && nActive > 0; p++) {
    const bound = lb[p]
    if (bound >= maxBest) break
    const jj = j + dj[p]
    if (jj < 0 || jj >= n1) continue
    const kk = k + dk[p]
    if (kk < 0 || kk >= n2) continue
    const L = line + lineOff[p]
    const a = lineStart[L], b = lineStart[L + 1]
    if (a === b) continue
    const ty = tj[p], tz = tk[p]
    let w = 0
    let newMax = 0
    let ptr = a
    const merge = b - a <= 4 * nActive
    for (let v = 0; v < nActive; v++) {
      const u = active[v]
      const bu = best[u]
      if (bound >= bu) continue // certified: no later offset can do better
      const i = q[u] - rowBase
      let lo: number
      if (merge) {
        while (ptr < b && pos[ptr] < i) ptr++
        lo = ptr
      } else {
        lo = a
        let hi = b
        while (lo < hi) {
          const mid = (lo + hi) >> 1
          if (pos[mid] < i) lo = mid + 1
          else hi = mid
        }
      }
      let di: number
      if (lo === b) di = i - pos[b - 1]
      else {
        di = pos[lo] - i
        if (lo > a && i - pos[lo - 1] < di) di = i - pos[lo - 1]
      }
      const x = di * s0
      const cand = (x * x + ty) + tz
      const nb = cand < bu ? cand : bu
      best[u] = nb
      active[w++] = u
      if (nb > newMax) newMax = nb
    }
    nActive = w
    maxBest = newMax
  }
  for (let v = 0; v < nActive; v++) if (best[active[v]] > limit) far.push(active[v])
}

/**
 * Far queries, grouped by their i: for each such plane, f(j, k) = (d_line(i) s0)^2 from the
 * line index, then the exact 2-D EDT of f over (j, k) gives every squared distance of the plane.
 */
function farPlanes(lines: FeatureLines, s0: number, s1: number, s2: number, q: Int32Array, far: number[], best: Float64Array): number {
  const [n0, n1, n2] = lines.dims
  const { lineStart, pos } = lines
  const byPlane = new Map<number, number[]>()
  for (const u of far) {
    const i = q[u] % n0
    const list = byPlane.get(i)
    if (list) list.push(u)
    else byPlane.set(i, [u])
  }
  const plane = new Float64Array(n1 * n2)
  const size = [n1, n2]
  const weights = [s1 * s1, n2 > 1 ? s2 * s2 : 1]
  for (const [i, list] of byPlane) {
    for (let l = 0; l < n1 * n2; l++) {
      const di = nearestOnLine(lineStart, pos, l, i)
      if (di < 0) plane[l] = Infinity
      else {
        const x = di * s0
        plane[l] = x * x
      }
    }
    squaredDistanceTransformInPlace(plane, size, weights)
    for (const u of list) best[u] = plane[Math.floor(q[u] / n0)]
  }
  return byPlane.size
}

interface SearchOrder {
  lineOff: Int32Array
  dj: Int32Array
  dk: Int32Array
  tj: Float64Array
  tk: Float64Array
  lb: Float64Array
  /** A squared distance <= limit found within the order is certified minimal. */
  limit: number
}

/**
 * Line offsets (dj, dk) sorted by lower bound fl(tj + tk), tj = (dj s1)^2, tk = (dk s2)^2: all
 * offsets of the box |dj| <= J, |dk| <= K whose bound is below limit = min((J s1)^2, (K s2)^2).
 * Offsets outside the box have a bound >= limit (rounding is monotonic), so a best squared
 * distance <= limit is final. When the box covers the grid, limit is Infinity.
 */
function searchOrder(n1: number, n2: number, s1: number, s2: number, maxOffsets: number): SearchOrder {
  // radius R (mm) giving about maxOffsets offsets in the box
  const R = Math.sqrt((maxOffsets * s1 * s2) / 4)
  let J = Math.min(n1 - 1, Math.ceil(R / s1))
  let K = Math.min(n2 - 1, Math.ceil(R / s2))
  const covers = J === n1 - 1 && K === n2 - 1
  let limit = Infinity
  if (!covers) {
    const a = J < n1 - 1 ? (J * s1) * (J * s1) : Infinity
    const b = K < n2 - 1 ? (K * s2) * (K * s2) : Infinity
    limit = Math.min(a, b)
  }
  if (J < 0) J = 0
  if (K < 0) K = 0
  const entries: { dj: number; dk: number; tj: number; tk: number; lb: number }[] = []
  for (let b = -K; b <= K; b++) {
    const zk = Math.abs(b) * s2
    const tk = zk * zk
    for (let a = -J; a <= J; a++) {
      const zj = Math.abs(a) * s1
      const tj = zj * zj
      const lb = tj + tk
      if (lb < limit) entries.push({ dj: a, dk: b, tj, tk, lb })
    }
  }
  entries.sort((x, y) => x.lb - y.lb)
  const n = entries.length
  const order: SearchOrder = {
    lineOff: new Int32Array(n), dj: new Int32Array(n), dk: new Int32Array(n),
    tj: new Float64Array(n), tk: new Float64Array(n), lb: new Float64Array(n), limit,
  }
  entries.forEach((e, p) => {
    order.lineOff[p] = e.dj + n1 * e.dk
    order.dj[p] = e.dj
    order.dk[p] = e.dk
    order.tj[p] = e.tj
    order.tk[p] = e.tk
    order.lb[p] = e.lb
  })
  return order
}
