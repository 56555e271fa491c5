// ITK's Euler3DTransform as elastix's EulerTransform uses it: parameters (rx, ry, rz) in radians
// and (tx, ty, tz) in mm about a fixed centre c, x -> R (x - c) + c + t, with R = Rz Rx Ry
// (ComputeZYX false, the default) or R = Rz Ry Rx (ComputeZYX true). It maps FIXED-image points
// to MOVING-image points (elastix's convention, which is what resampling the moving image needs).
import { centredTransform, multiply3, type AffineTransform } from '../image/affine-transform.js'

export interface EulerTransform {
  /** Rotation angles about x, y, z (LPS axes), degrees. */
  angles_deg: [number, number, number]
  /** Translation, mm (LPS). */
  translation_mm: [number, number, number]
  /** Centre of rotation, mm (LPS). */
  centre_mm: [number, number, number]
  /** Rotation order: 'ZXY' means R = Rz Rx Ry (ITK default), 'ZYX' means R = Rz Ry Rx. */
  order: 'ZXY' | 'ZYX'
  /** Row-major 3x3 rotation matrix R in LPS. */
  matrix: number[]
}

export function eulerMatrix(anglesRad: ArrayLike<number>, order: 'ZXY' | 'ZYX' = 'ZXY'): number[] {
  const [cx, cy, cz] = [0, 1, 2].map((d) => Math.cos(anglesRad[d]))
  const [sx, sy, sz] = [0, 1, 2].map((d) => Math.sin(anglesRad[d]))
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx]
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy]
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1]
  return order === 'ZXY' ? multiply3(rz, multiply3(rx, ry)) : multiply3(rz, multiply3(ry, rx))
}

export function makeEulerTransform(
  anglesRad: ArrayLike<number>, translation: ArrayLike<number>, centre: ArrayLike<number>, order: 'ZXY' | 'ZYX' = 'ZXY',
): EulerTransform {
  const deg = (r: number): number => (r * 180) / Math.PI
  return {
    angles_deg: [deg(anglesRad[0]), deg(anglesRad[1]), deg(anglesRad[2])],
    translation_mm: [translation[0], translation[1], translation[2]],
    centre_mm: [centre[0], centre[1], centre[2]],
    order,
    matrix: eulerMatrix(anglesRad, order),
  }
}

/** The point map of an Euler transform (fixed -> moving). */
export function eulerToAffine(e: EulerTransform): AffineTransform {
  return centredTransform(e.matrix, e.centre_mm, e.translation_mm)
}
