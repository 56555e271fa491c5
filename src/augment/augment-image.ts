// One augmentation of an image and, optionally, its label map: flips (exact), then rotation,
// scaling and translation about the image centre in ONE resampling (image: linear or B-spline;
// labels: nearest neighbour through the very same map, so they stay on the anatomy), then gamma
// and Gaussian noise on the image only. The output grid is the input grid.
import { gridOf, type Image } from '../image/image.js'
import { resample, resampleLabels, type Interpolator } from '../filters/resample.js'
import type { AugmentParameters } from './augment-parameters.js'
import { flipAlong } from './flip.js'
import { gammaIntensity } from './gamma.js'
import { addGaussianNoise } from './gaussian-noise.js'
import { forwardAugmentTransform, resamplingTransform } from './spatial-augmentation.js'

export interface AugmentOptions {
  /** Image interpolation (default linear). */
  interpolator?: Interpolator
  /** Value where the output maps outside the input (default: the image minimum). */
  defaultValue?: number
}

export interface Augmented {
  image: Image
  labels?: Image
  parameters: AugmentParameters
}

export function augmentImage(image: Image, labels: Image | undefined, parameters: AugmentParameters, options: AugmentOptions = {}): Augmented {
  if (labels && labels.size.some((n, d) => n !== image.size[d])) {
    throw new Error(`augment: the label map (${labels.size.join('x')}) is not on the image grid (${image.size.join('x')})`)
  }
  let img = image
  let lab = labels
  for (const axis of parameters.flips) {
    img = flipAlong(img, axis)
    if (lab) lab = flipAlong(lab, axis)
  }
  const p = parameters
  const moves = p.scale !== 1 || p.rotation_deg.some((a) => a !== 0) || p.translation_mm.some((t) => t !== 0)
  if (moves) {
    const grid = gridOf(image)
    const transform = resamplingTransform(forwardAugmentTransform(grid, p.rotation_deg, p.scale, p.translation_mm))
    img = resample(img, grid, { interpolator: options.interpolator ?? 'linear', defaultValue: options.defaultValue ?? minimumOf(image), transform })
    if (lab) lab = resampleLabels(lab, grid, transform)
  }
  if (p.gamma !== 1) img = gammaIntensity(img, p.gamma)
  if (p.noise_sd > 0) img = addGaussianNoise(img, p.noise_sd, p.noise_seed)
  return { image: img, labels: lab, parameters }
}

function minimumOf(image: Image): number {
  const data = image.data as unknown as ArrayLike<number>
  let lo = Infinity
  for (let i = 0; i < data.length; i++) if (data[i] < lo) lo = data[i]
  return Number.isFinite(lo) ? lo : 0
}
