// The pixel type a decoded scan is stored in: GDCM returns rescaled DICOM as float64 when the
// slope or intercept is not an integer and as int32 when it is, although float32 holds any
// stored value x slope + intercept of a 16-bit scan to well under the scanner's precision and
// int16 holds every CT HU value (dcm2niix writes both that way).
import { componentTypeOf, type Image, pixelsOf, withPixels } from './image.js'
import { valueRange } from './value-range.js'

export function toStorageType(image: Image): Image {
  const data = pixelsOf(image)
  const type = componentTypeOf(data)
  if (type === 'float64') return withPixels(image, Float32Array.from(data))
  if (type === 'int32' || type === 'uint32') {
    const { min, max } = valueRange(data)
    if (min >= -32768 && max <= 32767) return withPixels(image, Int16Array.from(data))
  }
  return image
}
