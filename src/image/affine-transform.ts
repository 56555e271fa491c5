// A physical-space point map y = M x + t (LPS mm, M row-major 3x3), the form every ITK linear
// transform (Euler, similarity, affine) takes once its centre is folded into t. Used as
// ResampleImageFilter uses a transform: it maps OUTPUT points to INPUT points.
import { invert3 } from './geometry.js'

export interface AffineTransform {
  /** Row-major 3x3 matrix. */
  matrix: number[]
  /** Translation in mm. */
  translation: number[]
}

export const identityTransform: AffineTransform = { matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] }

export function applyTransform(t: AffineTransform, p: ArrayLike<number>): number[] {
  const m = t.matrix
  return [0, 1, 2].map((r) => m[r * 3] * p[0] + m[r * 3 + 1] * p[1] + m[r * 3 + 2] * p[2] + t.translation[r])
}

/** The point map x -> a(b(x)). */
export function composeTransforms(a: AffineTransform, b: AffineTransform): AffineTransform {
  const matrix = multiply3(a.matrix, b.matrix)
  const translation = applyTransform({ matrix: a.matrix, translation: a.translation }, b.translation)
  return { matrix, translation }
}

export function invertTransform(t: AffineTransform): AffineTransform {
  const matrix = invert3(t.matrix)
  const mt = applyTransform({ matrix, translation: [0, 0, 0] }, t.translation)
  return { matrix, translation: mt.map((v) => -v) }
}

/** x -> R (x - centre) + centre + offset: ITK's centred-transform parameterisation. */
export function centredTransform(matrix: number[], centre: ArrayLike<number>, offset: ArrayLike<number>): AffineTransform {
  const rc = applyTransform({ matrix, translation: [0, 0, 0] }, centre)
  return { matrix: [...matrix], translation: [0, 1, 2].map((r) => centre[r] - rc[r] + offset[r]) }
}

export function multiply3(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out = new Array<number>(9).fill(0)
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] += a[r * 3 + k] * b[k * 3 + c]
  return out
}

export function transpose3(m: ArrayLike<number>): number[] {
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]
}

/** Rotation by `angleRad` about the unit vector along `axis` (Rodrigues). */
export function axisAngleMatrix(axis: ArrayLike<number>, angleRad: number): number[] {
  const n = Math.hypot(axis[0], axis[1], axis[2])
  if (!(n > 0)) throw new Error('rotation axis must be a non-zero vector')
  const [x, y, z] = [axis[0] / n, axis[1] / n, axis[2] / n]
  const c = Math.cos(angleRad), s = Math.sin(angleRad), C = 1 - c
  return [
    c + x * x * C, x * y * C - z * s, x * z * C + y * s,
    y * x * C + z * s, c + y * y * C, y * z * C - x * s,
    z * x * C - y * s, z * y * C + x * s, c + z * z * C,
  ]
}

/** Angle (radians) of the rotation part of R_a^T R_b: how far apart two rotations are. */
export function rotationAngleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const r = multiply3(transpose3(a), b)
  const cos = (r[0] + r[4] + r[8] - 1) / 2
  return Math.acos(Math.min(1, Math.max(-1, cos)))
}
