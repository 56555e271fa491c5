// Reference and prediction must share a grid before voxels can be compared: same size, and
// spacing, origin and direction equal within a tolerance. Defaults: spacing within 1e-4
// relative, origin within 1e-4 voxel (per axis, in units of the reference spacing), direction
// cosines within 1e-4 - well above float32 rounding of NIfTI headers, well below anything
// that moves a voxel.
import type { Image } from '../image/image.js'
import { BadInputError } from '../pipeline/errors.js'

export interface GridTolerance {
  /** Relative spacing difference. */
  spacing: number
  /** Origin difference per axis, as a fraction of the reference spacing on that axis. */
  origin: number
  /** Absolute difference of direction-matrix entries. */
  direction: number
}

export const defaultGridTolerance: GridTolerance = { spacing: 1e-4, origin: 1e-4, direction: 1e-4 }

type GridLike = Pick<Image, 'size' | 'spacing' | 'origin' | 'direction'>

/** Human-readable differences between two grids (empty when they agree). */
export function gridDifferences(reference: GridLike, prediction: GridLike, tolerance: Partial<GridTolerance> = {}): string[] {
  const tol = { ...defaultGridTolerance, ...tolerance }
  const fmt = (v: ArrayLike<number>) => Array.from(v, (x) => Number(x.toPrecision(10))).join(' x ')
  const problems: string[] = []
  if (reference.size.length !== prediction.size.length) {
    problems.push(`dimension ${reference.size.length} vs ${prediction.size.length}`)
    return problems
  }
  if (reference.size.some((n, d) => n !== prediction.size[d])) problems.push(`size ${fmt(reference.size)} vs ${fmt(prediction.size)} voxels`)
  const n = reference.size.length
  for (let d = 0; d < n; d++) {
    if (Math.abs(reference.spacing[d] - prediction.spacing[d]) > tol.spacing * reference.spacing[d]) {
      problems.push(`spacing ${fmt(reference.spacing)} vs ${fmt(prediction.spacing)} mm`)
      break
    }
  }
  for (let d = 0; d < n; d++) {
    if (!(Math.abs(reference.origin[d] - prediction.origin[d]) <= tol.origin * reference.spacing[d])) {
      problems.push(`origin ${fmt(reference.origin)} vs ${fmt(prediction.origin)} mm`)
      break
    }
  }
  const da = Array.from(reference.direction as ArrayLike<number>)
  const db = Array.from(prediction.direction as ArrayLike<number>)
  if (da.length !== db.length || da.some((x, t) => !(Math.abs(x - db[t]) <= tol.direction))) {
    problems.push(`direction [${fmt(da)}] vs [${fmt(db)}]`)
  }
  return problems
}

/** Throws a BadInputError naming both files and every difference. */
export function assertSameGrid(
  reference: GridLike,
  prediction: GridLike,
  names: { reference?: string; prediction?: string } = {},
  tolerance: Partial<GridTolerance> = {},
): void {
  const problems = gridDifferences(reference, prediction, tolerance)
  if (!problems.length) return
  const ref = names.reference ?? 'the reference'
  throw new BadInputError(
    `prediction is not on the grid of ${ref}: ${problems.join('; ')}. ` +
      'Resample the prediction onto the reference grid first (voxelflow metrics --resample-prediction does it with nearest-neighbour interpolation).',
    { file: names.prediction, field: 'grid' },
  )
}
