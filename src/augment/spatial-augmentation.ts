// The rigid-plus-scale part of an augmentation as one point map about the image centre:
// anatomy at x moves to c + s R (x - c) + t. Resampling needs the inverse (output point ->
// input point), so image and labels are both resampled through the same inverse map, once.
import { centredTransform, invertTransform, multiply3, type AffineTransform } from '../image/affine-transform.js'
import { indexToPhysical } from '../image/geometry.js'
import type { Grid } from '../image/image.js'
import { eulerMatrix } from '../register/euler-transform.js'

/** Physical centre of a grid (the middle of its voxel centres). */
export function gridCentre(grid: Grid): number[] {
  return indexToPhysical(grid, grid.size.map((n) => (n - 1) / 2))
}

/** Where the anatomy goes: x -> c + s R (x - c) + t, with R = Rz Ry Rx (angles about LPS x, y, z). */
export function forwardAugmentTransform(grid: Grid, rotationDeg: ArrayLike<number>, scale: number, translationMm: ArrayLike<number>): AffineTransform {
  const rad = [0, 1, 2].map((d) => (rotationDeg[d] * Math.PI) / 180)
  const sR = multiply3([scale, 0, 0, 0, scale, 0, 0, 0, scale], eulerMatrix(rad, 'ZYX'))
  return centredTransform(sR, gridCentre(grid), translationMm)
}

/** The map resampling needs (output point -> input point). */
export function resamplingTransform(forward: AffineTransform): AffineTransform {
  return invertTransform(forward)
}
