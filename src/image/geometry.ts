// Index <-> physical (LPS mm) conversions: the one place that knows the ITK convention
// p = origin + D * diag(spacing) * index, with D row-major (column j = axis j direction).
import type { Grid } from './image.js'

export function indexToPhysical(grid: Pick<Grid, 'origin' | 'spacing' | 'direction'>, index: ArrayLike<number>): number[] {
  const { origin, spacing, direction: d } = grid
  const out = [0, 0, 0]
  for (let r = 0; r < 3; r++) {
    let s = origin[r]
    for (let c = 0; c < 3; c++) s += d[r * 3 + c] * spacing[c] * index[c]
    out[r] = s
  }
  return out
}

/** Continuous index of a physical point (inverse of indexToPhysical; D is orthonormal or not). */
export function physicalToIndex(grid: Pick<Grid, 'origin' | 'spacing' | 'direction'>, point: ArrayLike<number>): number[] {
  const inv = invert3(grid.direction)
  const delta = [point[0] - grid.origin[0], point[1] - grid.origin[1], point[2] - grid.origin[2]]
  const out = [0, 0, 0]
  for (let r = 0; r < 3; r++) {
    let s = 0
    for (let c = 0; c < 3; c++) s += inv[r * 3 + c] * delta[c]
    out[r] = s / grid.spacing[r]
  }
  return out
}

export function invert3(m: ArrayLike<number>): number[] {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m)
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g
  const det = a * A + b * B + c * C
  if (Math.abs(det) < 1e-12) throw new Error('singular direction matrix')
  return [
    A / det, -(b * i - c * h) / det, (b * f - c * e) / det,
    B / det, (a * i - c * g) / det, -(a * f - c * d) / det,
    C / det, -(a * h - b * g) / det, (a * e - b * d) / det,
  ]
}

/** Volume of one voxel in mm^3 (spacing product; direction is orthonormal for real scans). */
export function voxelVolumeMm3(grid: Pick<Grid, 'spacing'>): number {
  return grid.spacing[0] * grid.spacing[1] * grid.spacing[2]
}

/** Three-letter orientation code (ITK/DICOM "LPS" style: the direction each index axis points TO). */
export function orientationCode(direction: ArrayLike<number>): string {
  const letters = [['L', 'R'], ['P', 'A'], ['S', 'I']]
  let code = ''
  for (let c = 0; c < 3; c++) {
    let best = 0
    for (let r = 1; r < 3; r++) if (Math.abs(direction[r * 3 + c]) > Math.abs(direction[best * 3 + c])) best = r
    code += direction[best * 3 + c] >= 0 ? letters[best][0] : letters[best][1]
  }
  return code
}
