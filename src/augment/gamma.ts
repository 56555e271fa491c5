// Gamma intensity augmentation: v -> min + (max - min) ((v - min) / (max - min))^gamma with the
// image's own min and max (as TorchIO's RandomGamma after rescaling, and MONAI's
// AdjustContrast): the range is kept, mid-tones move. Output float32.
import { pixelsOf, withPixels, type Image } from '../image/image.js'

export function gammaIntensity(image: Image, gamma: number): Image {
  if (!(gamma > 0) || !Number.isFinite(gamma)) throw new Error(`gamma must be a positive number, got ${gamma}`)
  const src = pixelsOf(image)
  let lo = Infinity, hi = -Infinity
  for (let i = 0; i < src.length; i++) {
    const v = src[i]
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  const out = new Float32Array(src.length)
  const range = hi - lo
  if (!(range > 0)) {
    out.set(src)
    return withPixels(image, out)
  }
  for (let i = 0; i < src.length; i++) out[i] = lo + range * Math.pow((src[i] - lo) / range, gamma)
  return withPixels(image, out)
}
