// Mirrors itk::BinaryThresholdImageFilter: inside where lower <= v <= upper (both bounds
// inclusive), outside elsewhere; output is always uint8 (ITK lets the caller choose the
// output pixel type). NaN voxels are outside. Pointwise.
import { type Image, pixelsOf, withPixels } from '../image/image.js'
import { pointwiseFootprint, type Footprint } from '../chunks/footprint.js'

export const binaryThresholdFootprint: Footprint = pointwiseFootprint

/** Threshold the raw pixel array (any numeric typed array) into a new Uint8Array. */
export function thresholdPixels(
  data: ArrayLike<number>,
  lower: number,
  upper = Infinity,
  inside = 1,
  outside = 0,
): Uint8Array {
  checkByte(inside, 'inside')
  checkByte(outside, 'outside')
  if (Number.isNaN(lower) || Number.isNaN(upper)) throw new Error('binaryThreshold: bounds must be numbers')
  if (lower > upper) throw new Error(`binaryThreshold: lower ${lower} is greater than upper ${upper}`)
  const n = data.length
  const out = new Uint8Array(n)
  if (outside !== 0) out.fill(outside)
  for (let i = 0; i < n; i++) {
    const v = data[i]
    if (v >= lower && v <= upper) out[i] = inside
  }
  return out
}

/** 1 (inside) where lower <= value <= upper, 0 (outside) elsewhere; a uint8 image on the same grid. */
export function binaryThreshold(image: Image, lower: number, upper = Infinity, inside = 1, outside = 0): Image {
  return withPixels(image, thresholdPixels(pixelsOf(image), lower, upper, inside, outside))
}

function checkByte(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`binaryThreshold: ${name} value ${v} does not fit uint8`)
}
