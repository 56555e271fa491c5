// Landmarks follow a registration: a point marked in the MOVING image lands in the fixed image
// at movingToFixed(p), the inverse of elastix's fixed -> moving transform.
import { applyTransform, type AffineTransform } from '../image/affine-transform.js'

export interface Landmark {
  label?: string
  /** LPS mm. */
  point: number[]
}

export function landmarksToFixed(landmarks: Landmark[], movingToFixed: AffineTransform): Landmark[] {
  return landmarks.map((l) => ({ ...l, point: applyTransform(movingToFixed, l.point) }))
}
