// Final per-label statistics from (reduced) label partials and the full image grid.
//
// Conventions:
// * bbox_index: inclusive voxel index box (i, j, k of the NIfTI array = ITK index), size = max - min + 1.
// * bbox_mm: axis-aligned box in LPS mm enclosing the 8 corners of the index box taken at voxel
//   EDGES (index min - 0.5 and max + 0.5), mapped through the full direction matrix, so a single
//   voxel has a box of its own physical extent and size = n * spacing for axis-aligned grids.
//   bbox_mm_centers is the same box through the corner voxel CENTRES (min and max indices).
// * centroid_lps: mean voxel centre in LPS mm (= ITK ShapeLabelObject centroid).
// * volume: count x product of spacings (the direction matrix is orthonormal for scans).
// * std_sample uses n - 1 (ITK LabelStatisticsImageFilter's sigma); std_population uses n.
//   Both come from double-double sums, so there is no cancellation in sum(v^2) - sum(v)^2 / n.
import type { Grid } from '../image/image.js'
import { indexToPhysical, voxelVolumeMm3 } from '../image/geometry.js'
import { ddDivNumber, ddMul, ddSub, ddToNumber } from './double-double.js'
import type { LabelPartial, LabelPartials, Vec3 } from './label-partials.js'

export interface Box3 {
  min: Vec3
  max: Vec3
  size: Vec3
}

export interface LabelStatistics {
  label: number
  voxel_count: number
  volume_mm3: number
  volume_ml: number
  bbox_index: Box3
  /** LPS box of the index box's corners at voxel edges (index +/- 0.5). */
  bbox_mm: Box3
  /** LPS box of the index box's corner voxel centres. */
  bbox_mm_centers: Box3
  centroid_index: Vec3
  centroid_lps: Vec3
  /** Diameter of the sphere with the same volume: 2 * (3V / 4 pi)^(1/3). */
  equivalent_sphere_diameter_mm: number
  // Intensity statistics (present when the partials carry intensity):
  sum?: number
  mean?: number
  /** Sample standard deviation (n - 1); null for a single voxel. */
  std_sample?: number | null
  variance_sample?: number | null
  std_population?: number
  min?: number
  max?: number
}

export interface LabelStatisticsOptions {
  /**
   * Require the partials to cover every k plane of the grid exactly once (default true): a
   * missing slab would silently shrink volumes.
   */
  requireCompleteCoverage?: boolean
  /** Leave out label 0 (default false). */
  excludeBackground?: boolean
}

const round = (x: number): number => (x === 0 ? 0 : x)

function physicalBox(grid: Pick<Grid, 'origin' | 'spacing' | 'direction'>, lo: Vec3, hi: Vec3): Box3 {
  const min: Vec3 = [Infinity, Infinity, Infinity]
  const max: Vec3 = [-Infinity, -Infinity, -Infinity]
  for (let c = 0; c < 8; c++) {
    const p = indexToPhysical(grid, [c & 1 ? hi[0] : lo[0], c & 2 ? hi[1] : lo[1], c & 4 ? hi[2] : lo[2]])
    for (let d = 0; d < 3; d++) {
      if (p[d] < min[d]) min[d] = p[d]
      if (p[d] > max[d]) max[d] = p[d]
    }
  }
  return { min, max, size: [max[0] - min[0], max[1] - min[1], max[2] - min[2]] }
}

/** Statistics of one label partial on `grid` (exported for single-label use). */
export function statisticsOfPartial(label: number, p: LabelPartial, grid: Pick<Grid, 'origin' | 'spacing' | 'direction'>): LabelStatistics {
  const n = p.count
  const volume = n * voxelVolumeMm3(grid)
  const centroidIndex = p.indexSum.map((s) => s / n) as Vec3
  const lo = p.bboxMin, hi = p.bboxMax
  const s: LabelStatistics = {
    label,
    voxel_count: n,
    volume_mm3: volume,
    volume_ml: volume / 1000,
    bbox_index: { min: [...lo], max: [...hi], size: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] },
    bbox_mm: physicalBox(grid, [lo[0] - 0.5, lo[1] - 0.5, lo[2] - 0.5], [hi[0] + 0.5, hi[1] + 0.5, hi[2] + 0.5]),
    bbox_mm_centers: physicalBox(grid, lo, hi),
    centroid_index: centroidIndex,
    centroid_lps: indexToPhysical(grid, centroidIndex) as Vec3,
    equivalent_sphere_diameter_mm: 2 * Math.cbrt((3 * volume) / (4 * Math.PI)),
  }
  if (p.sum && p.sumSquares) {
    const mean = ddDivNumber(p.sum, n)
    // M2 = sum(v^2) - mean * sum(v): sum of squared deviations, in double-double.
    let m2 = ddToNumber(ddSub(p.sumSquares, ddMul(mean, p.sum)))
    if (m2 < 0) m2 = 0 // only possible through rounding with non-integer data
    s.sum = ddToNumber(p.sum)
    s.mean = round(ddToNumber(mean))
    s.variance_sample = n > 1 ? m2 / (n - 1) : null
    s.std_sample = n > 1 ? Math.sqrt(m2 / (n - 1)) : null
    s.std_population = Math.sqrt(m2 / n)
    s.min = p.min
    s.max = p.max
  }
  return s
}

/** Final statistics of every label in the reduced partials, ascending by label value. */
export function labelStatistics(partials: LabelPartials, grid: Grid, options: LabelStatisticsOptions = {}): LabelStatistics[] {
  const [nx, ny, nz] = grid.size
  if (partials.sliceSize[0] !== nx || partials.sliceSize[1] !== ny) {
    throw new Error(`labelStatistics: partials are for slices of ${partials.sliceSize.join('x')}, grid is ${grid.size.join('x')}`)
  }
  if (options.requireCompleteCoverage ?? true) {
    const r = partials.kRanges
    if (r.length !== 1 || r[0][0] !== 0 || r[0][1] !== nz) {
      throw new Error(
        `labelStatistics: partials cover k ranges ${JSON.stringify(r)}, expected [[0,${nz}]] (a slab is missing or was not reduced)`,
      )
    }
  }
  return Object.keys(partials.labels)
    .map(Number)
    .sort((a, b) => a - b)
    .filter((label) => !(options.excludeBackground && label === 0))
    .map((label) => statisticsOfPartial(label, partials.labels[String(label)], grid))
}
