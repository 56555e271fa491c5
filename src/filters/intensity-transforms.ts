// Intensity transforms of the design's augmentation notes:
// * log: log1p(v - min(image)), i.e. log(1 + v - min) (>= 0, 0 at the minimum);
// * power: sign(z) |z|^gamma of the z-scored image z = (v - mean) / sigma;
// * exp: exp(z) of the z-scored image.
// z-scoring is NormalizeImageFilter's (sample sigma, see intensity-normalization.ts). ITK's
// nearest filters are LogImageFilter, PowImageFilter and ExpImageFilter, which apply the bare
// function to the raw values; these shift or standardise first on purpose, so that CT's
// negative HU have a logarithm and powers and exponentials stay in a sane range. The signed
// power keeps negative z defined for any gamma. Outputs are float32 (float64 for float64
// input). Global (min, mean and sigma of the whole image).
import { pixelsOf, withPixels, type Image } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'
import { intensityMoments, type Moments } from './intensity-normalization.js'
import { valueRange } from '../image/value-range.js'

export const intensityTransformFootprint: Footprint = globalFootprint

function outputFor(image: Image): Float32Array | Float64Array {
  const data = pixelsOf(image)
  return data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length)
}

/** log1p(v - min(image)). */
export function logTransform(image: Image): Image {
  return logTransformWith(image, valueRange(pixelsOf(image)).min)
}

/** log1p(v - min) with a given (whole-image) minimum. */
export function logTransformWith(image: Image, min: number): Image {
  const data = pixelsOf(image)
  const out = outputFor(image)
  for (let i = 0; i < data.length; i++) out[i] = Math.log1p(data[i] - min)
  return withPixels(image, out)
}

/** sign(z) |z|^gamma with z the z-scored image. */
export function powerTransform(image: Image, gamma: number): Image {
  return powerTransformWith(image, gamma, intensityMoments(pixelsOf(image)))
}

/** sign(z) |z|^gamma with z scored by given (whole-image) mean and sigma. */
export function powerTransformWith(image: Image, gamma: number, { mean, sigma }: Pick<Moments, 'mean' | 'sigma'>): Image {
  if (!Number.isFinite(gamma) || gamma <= 0) throw new Error(`power: gamma must be a positive number, got ${gamma}`)
  const data = pixelsOf(image)
  const inv = sigma > 0 ? 1 / sigma : 0
  const out = outputFor(image)
  for (let i = 0; i < data.length; i++) {
    const z = (data[i] - mean) * inv
    out[i] = z < 0 ? -Math.pow(-z, gamma) : Math.pow(z, gamma)
  }
  return withPixels(image, out)
}

/** exp(z) with z the z-scored image. */
export function expTransform(image: Image): Image {
  return expTransformWith(image, intensityMoments(pixelsOf(image)))
}

/** exp(z) with z scored by given (whole-image) mean and sigma. */
export function expTransformWith(image: Image, { mean, sigma }: Pick<Moments, 'mean' | 'sigma'>): Image {
  const data = pixelsOf(image)
  const inv = sigma > 0 ? 1 / sigma : 0
  const out = outputFor(image)
  for (let i = 0; i < data.length; i++) out[i] = Math.exp((data[i] - mean) * inv)
  return withPixels(image, out)
}
