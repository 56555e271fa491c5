// Additive Gaussian noise with a seeded generator (the same seed gives the same field).
// Output float32.
import { pixelsOf, withPixels, type Image } from '../image/image.js'
import { makeRandom } from '../sample/random.js'

export function addGaussianNoise(image: Image, sd: number, seed: number): Image {
  if (!(sd >= 0) || !Number.isFinite(sd)) throw new Error(`noise SD must be a number >= 0, got ${sd}`)
  const src = pixelsOf(image)
  const out = Float32Array.from(src)
  if (sd === 0) return withPixels(image, out)
  const random = makeRandom('gaussian-noise', seed)
  for (let i = 0; i < out.length; i++) out[i] += sd * random.gaussian()
  return withPixels(image, out)
}
