// The upstream surface-distance cases of ../shared/golden/surface-distance/upstream-cases.json
// as masks: NumPy array axis d is our image axis d (axis 0 fastest in memory), so spacing_mm[d]
// belongs to axis d exactly as in the library.
import { readFileSync } from 'node:fs'
import { goldenPath } from '../support/paths.js'

export interface GoldenMask {
  shape: number[]
  boxes: [number, number][][]
  voxels: number[][]
  boxes_removed?: [number, number][][]
  count: number
}

export type GoldenNumber = number | 'Infinity' | '-Infinity' | 'NaN'

export interface GoldenLibraryOutput {
  error?: string
  average_surface_distance: [GoldenNumber, GoldenNumber]
  hausdorff_100: GoldenNumber
  hausdorff_95: GoldenNumber
  surface_overlap_at_tolerance: { tolerance_mm: number; gt_to_pred: GoldenNumber; pred_to_gt: GoldenNumber }[]
  surface_dice_at_tolerance: { tolerance_mm: number; value: GoldenNumber }[]
  volumetric_dice: GoldenNumber
  n_surfels_gt: number
  n_surfels_pred: number
  total_surface_gt: number
  total_surface_pred: number
  distances_gt_to_pred?: GoldenNumber[]
  surfel_areas_gt?: number[]
  distances_pred_to_gt?: GoldenNumber[]
  surfel_areas_pred?: number[]
}

export interface GoldenCase {
  name: string
  gt: GoldenMask
  pred: GoldenMask
  spacing_mm: number[]
  tolerances_mm: number[]
  expect_error?: string
  library: GoldenLibraryOutput
}

export function loadGoldenCases(): GoldenCase[] {
  const file = goldenPath('surface-distance', 'upstream-cases.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: GoldenCase[] }).cases
}

/** The golden's strings for non-finite numbers back to numbers. */
export const num = (x: GoldenNumber): number => (typeof x === 'number' ? x : Number(x))

/** Mask voxels as a Uint8Array, axis 0 fastest. */
export function maskData(m: GoldenMask): Uint8Array {
  const shape = m.shape
  const strides: number[] = []
  let s = 1
  for (const n of shape) { strides.push(s); s *= n }
  const data = new Uint8Array(s)
  const paint = (boxes: [number, number][][], value: number) => {
    for (const box of boxes) {
      const visit = (axis: number, offset: number): void => {
        if (axis < 0) { data[offset] = value; return }
        for (let x = box[axis][0]; x < box[axis][1]; x++) visit(axis - 1, offset + x * strides[axis])
      }
      visit(shape.length - 1, 0)
    }
  }
  paint(m.boxes, 1)
  for (const v of m.voxels) data[v.reduce((acc, x, d) => acc + x * strides[d], 0)] = 1
  if (m.boxes_removed) paint(m.boxes_removed, 0)
  return data
}

/** Equal within 1e-9 relative; Infinity and NaN must match exactly. */
export function expectClose(actual: number, expected: number, what: string, relative = 1e-9): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) {
    if (!Object.is(actual, expected)) throw new Error(`${what}: expected ${expected}, got ${actual}`)
    return
  }
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE)
  if (!(Math.abs(actual - expected) <= relative * scale)) throw new Error(`${what}: expected ${expected}, got ${actual} (relative error ${Math.abs(actual - expected) / scale})`)
}
