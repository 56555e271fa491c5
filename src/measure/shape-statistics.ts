// Final shape and intensity-distribution statistics from (reduced) shape partials.
//
// Definitions:
// * Principal moments (mm^2), as ITK's ShapeLabelMapFilter (LabelShapeStatisticsImageFilter,
//   ITK 5): eigenvalues, ascending, of the population covariance of the label's voxel CENTRES in
//   physical LPS space, C = (1/N) Σ p p^T - c c^T (no spacing^2/12 voxel-extent term; that term is
//   only in ITK's intensity-weighted StatisticsLabelMapFilter). We compute C = A C_idx A^T with
//   A = direction x diag(spacing) and C_idx the index covariance formed exactly in BigInt from
//   integer sums: the same matrix, without cancellation.
// * principal_axes_lps: unit eigenvectors (rows, same order as the moments), sign-normalised so
//   the largest component of each is positive (ITK instead makes the matrix a proper rotation; the
//   axes are the same lines).
// * principal_axis_lengths_mm: ITK's EquivalentEllipsoidDiameter: 2 R sqrt(λ_i / (λ1 λ2 λ3)^(1/3)),
//   R the equivalent sphere radius of the label's volume: the full axis lengths of the ellipsoid
//   with the label's volume and the shape of its moment ellipsoid (a solid ellipsoid of semi-axes
//   a_i has λ_i = a_i^2 / 5 and gets exactly 2 a_i). 0 when a moment is 0 (flat or linear labels).
// * elongation = sqrt(λ3 / λ2), flatness = sqrt(λ2 / λ1) (ITK; 0 when the denominator is 0).
// * surface_area_mm2: exposed voxel faces x face area (face normal to axis i has area s_j s_k):
//   the area of the boundary of the union of voxel boxes. Faces on the image border count. It
//   overestimates smooth surfaces (by ~1.5x for a sphere, the voxel-staircase factor); it is not
//   ITK's Crofton-based Perimeter.
// * touches_border: the index bounding box reaches the first or last plane of any axis;
//   voxels_on_border: ITK's NumberOfPixelsOnBorder.
// * intensity_median / p05 / p95: numpy's default ("linear", Hyndman-Fan type 7) percentile of
//   the exact value histogram: rank h = (N - 1) q, interpolating between the sorted values at
//   floor(h) and ceil(h). pyradiomics uses the same. null when the histogram overflowed.
import type { Grid } from '../image/image.js'
import { voxelVolumeMm3 } from '../image/geometry.js'
import type { Vec3 } from './label-partials.js'
import { histogramEntries, type ShapePartial, type ShapePartials } from './shape-partials.js'

export type Mat3 = [Vec3, Vec3, Vec3]

export interface ShapeStatistics {
  label: number
  principal_moments_mm2: Vec3
  principal_axes_lps: Mat3
  principal_axis_lengths_mm: Vec3
  elongation: number
  flatness: number
  surface_area_mm2: number
  exposed_faces: Vec3
  touches_border: boolean
  voxels_on_border: number
  intensity_median?: number | null
  intensity_p05?: number | null
  intensity_p95?: number | null
}

export interface ShapeStatisticsOptions {
  requireCompleteCoverage?: boolean
  excludeBackground?: boolean
}

/** Index-space covariance (population), exact integer arithmetic until the final division. */
export function indexCovariance(p: Pick<ShapePartial, 'count' | 'indexSum' | 'indexSecondMoments'>): number[][] {
  const n = BigInt(p.count)
  const s = p.indexSum.map((x) => BigInt(x))
  const m = p.indexSecondMoments.map((x) => BigInt(x))
  const pairs: [number, number, number][] = [[0, 0, 0], [1, 1, 1], [2, 2, 2], [0, 1, 3], [0, 2, 4], [1, 2, 5]]
  const c = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
  const n2 = Number(n * n)
  for (const [a, b, q] of pairs) {
    const v = Number(n * m[q] - s[a] * s[b]) / n2
    c[a][b] = v
    c[b][a] = v
  }
  return c
}

/** Physical covariance A C A^T, A = D diag(spacing) (D row-major, columns = index axes). */
export function physicalCovariance(cIdx: number[][], grid: Pick<Grid, 'spacing' | 'direction'>): number[][] {
  const A = [0, 1, 2].map((r) => [0, 1, 2].map((c) => grid.direction[r * 3 + c] * grid.spacing[c]))
  const AC = A.map((row) => [0, 1, 2].map((c) => row[0] * cIdx[0][c] + row[1] * cIdx[1][c] + row[2] * cIdx[2][c]))
  const out = [0, 1, 2].map((r) => [0, 1, 2].map((c) => AC[r][0] * A[c][0] + AC[r][1] * A[c][1] + AC[r][2] * A[c][2]))
  for (let r = 0; r < 3; r++) for (let c = r + 1; c < 3; c++) out[c][r] = out[r][c] = (out[r][c] + out[c][r]) / 2
  return out
}

/** Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations: ascending values, vectors as rows. */
export function symmetricEigen3(matrix: number[][]): { values: Vec3; vectors: Mat3 } {
  const a = matrix.map((r) => [...r])
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
  for (let sweep = 0; sweep < 64; sweep++) {
    const off = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2
    const scale = a[0][0] ** 2 + a[1][1] ** 2 + a[2][2] ** 2 + off
    if (off === 0 || off <= 1e-30 * scale) break
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      if (a[p][q] === 0) continue
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
      const c = 1 / Math.sqrt(t * t + 1), s = t * c
      for (let k = 0; k < 3; k++) { // A <- A J
        const akp = a[k][p], akq = a[k][q]
        a[k][p] = c * akp - s * akq
        a[k][q] = s * akp + c * akq
      }
      for (let k = 0; k < 3; k++) { // A <- J^T A
        const apk = a[p][k], aqk = a[q][k]
        a[p][k] = c * apk - s * aqk
        a[q][k] = s * apk + c * aqk
      }
      for (let k = 0; k < 3; k++) { // V <- V J (columns are eigenvectors)
        const vkp = v[k][p], vkq = v[k][q]
        v[k][p] = c * vkp - s * vkq
        v[k][q] = s * vkp + c * vkq
      }
    }
  }
  const order = [0, 1, 2].sort((x, y) => a[x][x] - a[y][y])
  const values = order.map((i) => a[i][i]) as Vec3
  const vectors = order.map((i) => {
    const col = [v[0][i], v[1][i], v[2][i]]
    let big = 0
    for (let d = 1; d < 3; d++) if (Math.abs(col[d]) > Math.abs(col[big])) big = d
    return (col[big] < 0 ? col.map((x) => -x + 0) : col) as Vec3
  }) as Mat3
  return { values, vectors }
}

/** numpy "linear" percentile (q in [0, 1]) of sorted (value, count) pairs. */
export function histogramPercentile(entries: readonly [number, number][], q: number): number {
  let n = 0
  for (const [, c] of entries) n += c
  if (n === 0) throw new Error('histogramPercentile: empty histogram')
  const h = (n - 1) * q
  const lo = Math.floor(h), hi = Math.ceil(h)
  const at = (rank: number): number => {
    let seen = 0
    for (const [v, c] of entries) {
      seen += c
      if (rank < seen) return v
    }
    return entries[entries.length - 1][0]
  }
  const a = at(lo)
  if (hi === lo) return a
  const b = at(hi)
  return a === b ? a : a + (h - lo) * (b - a)
}

const clean = (x: number): number => (x === 0 ? 0 : x)

/** Shape statistics of one label partial on `grid` (full volume grid). */
export function shapeStatisticsOfPartial(label: number, p: ShapePartial, grid: Pick<Grid, 'size' | 'spacing' | 'direction'>): ShapeStatistics {
  const cov = physicalCovariance(indexCovariance(p), grid)
  const { values, vectors } = symmetricEigen3(cov)
  const moments = values.map((x) => (Math.abs(x) < 1e-12 * Math.max(1, Math.abs(values[2])) ? 0 : x)) as Vec3
  const volume = p.count * voxelVolumeMm3(grid)
  const radius = Math.cbrt((3 * volume) / (4 * Math.PI))
  const edet = Math.cbrt(moments[0] * moments[1] * moments[2])
  const lengths = moments.map((m) => (edet > 0 && m / edet > 0 ? 2 * radius * Math.sqrt(m / edet) : 0)) as Vec3
  const [s0, s1, s2] = grid.spacing
  const [fi, fj, fk] = p.exposedFaces
  const s: ShapeStatistics = {
    label,
    principal_moments_mm2: moments,
    principal_axes_lps: vectors,
    principal_axis_lengths_mm: lengths,
    elongation: moments[1] !== 0 && moments[2] / moments[1] > 0 ? Math.sqrt(moments[2] / moments[1]) : 0,
    flatness: moments[0] !== 0 && moments[1] / moments[0] > 0 ? Math.sqrt(moments[1] / moments[0]) : 0,
    surface_area_mm2: fi * s1 * s2 + fj * s0 * s2 + fk * s0 * s1,
    exposed_faces: [fi, fj, fk],
    touches_border: p.borderVoxels > 0,
    voxels_on_border: p.borderVoxels,
  }
  if (p.histogram || p.histogramOverflow) {
    if (p.histogram) {
      const e = histogramEntries(p.histogram)
      s.intensity_median = clean(histogramPercentile(e, 0.5))
      s.intensity_p05 = clean(histogramPercentile(e, 0.05))
      s.intensity_p95 = clean(histogramPercentile(e, 0.95))
    } else {
      s.intensity_median = s.intensity_p05 = s.intensity_p95 = null
    }
  }
  return s
}

/** Shape statistics of every label, ascending by label value. */
export function shapeStatistics(partials: ShapePartials, grid: Pick<Grid, 'size' | 'spacing' | 'direction'>, options: ShapeStatisticsOptions = {}): ShapeStatistics[] {
  const [nx, ny, nz] = grid.size
  if (partials.sliceSize[0] !== nx || partials.sliceSize[1] !== ny || partials.kTotal !== nz) {
    throw new Error(`shapeStatistics: partials are for ${partials.sliceSize.join('x')}x${partials.kTotal}, grid is ${grid.size.join('x')}`)
  }
  if (options.requireCompleteCoverage ?? true) {
    const r = partials.kRanges
    if (r.length !== 1 || r[0][0] !== 0 || r[0][1] !== nz) {
      throw new Error(`shapeStatistics: partials cover k ranges ${JSON.stringify(r)}, expected [[0,${nz}]]`)
    }
  }
  return Object.keys(partials.labels)
    .map(Number)
    .sort((a, b) => a - b)
    .filter((l) => !(options.excludeBackground && l === 0))
    .map((l) => shapeStatisticsOfPartial(l, partials.labels[String(l)], grid))
}
