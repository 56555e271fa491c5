// Rigid (Euler 3-D) multimodal registration with elastix (@itk-wasm/elastix): centred
// transform initializer (geometric centres, as elastix's AutomaticTransformInitialization, or
// centres of mass, centre-of-mass.ts), AdvancedMattesMutualInformation, adaptive stochastic
// gradient descent over a multi-resolution smoothing pyramid. The transform maps FIXED points
// to MOVING points (elastix's convention), so the moving image, its labels (nearest neighbour)
// and anything else defined in moving space are resampled onto the fixed grid through it;
// landmarks go the other way (see transform-landmarks.ts).
// Differs from running elastix alone: the resampled image is made by our resampler with the
// recovered transform (so image and labels follow one and the same mapping), and the final
// metric is Mattes MI over all voxels at full resolution (mattes-mutual-information.ts):
// the wasm build of elastix does not expose its log, where its own sampled value lives.
import { elastixNode } from '@itk-wasm/elastix'
import type { JsonCompatible } from 'itk-wasm'
import { invertTransform, type AffineTransform } from '../image/affine-transform.js'
import { gridOf, makeImage, pixelsOf, voxelCount, withPixels, type Image } from '../image/image.js'
import { resample, resampleLabels, type Interpolator } from '../filters/resample.js'
import { BadInputError } from '../pipeline/errors.js'
import { eulerToAffine, makeEulerTransform, type EulerTransform } from './euler-transform.js'
import { centreOfMass } from './centre-of-mass.js'
import { parseEulerTransform, rigidParameterMap, type RigidParameterOptions } from './elastix-rigid-parameters.js'
import { mattesMutualInformation } from './mattes-mutual-information.js'

export type { CentredInitializer } from './elastix-rigid-parameters.js'

export interface RigidRegistrationOptions extends RigidParameterOptions {
  /** Interpolation of the resampled moving image (default bspline). */
  interpolator?: Interpolator
  /** Value where the fixed grid maps outside the moving image (default 0). */
  defaultValue?: number
  /** Names used in error messages. */
  fixedName?: string
  movingName?: string
}

export interface RigidRegistrationResult {
  /** Fixed -> moving Euler transform. */
  transform: EulerTransform
  /** The same as a point map (fixed -> moving). */
  fixedToMoving: AffineTransform
  /** Its inverse (moving -> fixed): where moving-space points land in the fixed image. */
  movingToFixed: AffineTransform
  /** -MI (Mattes) of the fixed and the moving image before (identity transform) and after registration. */
  metric: { name: 'MattesMutualInformation'; bins: number; initial: number; final: number }
  /** The moving image resampled onto the fixed grid (float32). */
  resampled: Image
  elapsed_ms: number
}

export async function registerRigid(fixed: Image, moving: Image, options: RigidRegistrationOptions = {}): Promise<RigidRegistrationResult> {
  const started = performance.now()
  checkImage(fixed, options.fixedName ?? 'fixed image')
  checkImage(moving, options.movingName ?? 'moving image')
  const bins = options.bins ?? 32
  // moments: our own centres of mass (see centre-of-mass.ts); the moving image is presented
  // shifted by their difference, elastix starts from the identity, and the shift is taken
  // back out of the translation it returns
  const shift = options.initializer === 'moments' ? subtract(centreOfMass(fixed), centreOfMass(moving)) : [0, 0, 0]
  const parameterMap = await rigidParameterMap({ ...options, bins })
  // the elastix pipeline aborts when the two pixel types differ: give it float32 twice
  const movingShifted = makeImage({ ...gridOf(moving), origin: moving.origin.map((o, d) => o + shift[d]) }, pixelsOf(asFloat32(moving)))
  const { transformParameterObject } = await elastixNode([parameterMap] as unknown as JsonCompatible, {
    fixed: asFloat32(fixed),
    moving: movingShifted,
  })
  const found = parseEulerTransform(transformParameterObject)
  const transform = makeEulerTransform(found.angles_deg.map((a) => (a * Math.PI) / 180), subtract(found.translation_mm, shift), found.centre_mm, found.order)
  const fixedToMoving = eulerToAffine(transform)
  const resampled = resample(moving, gridOf(fixed), {
    interpolator: options.interpolator ?? 'bspline',
    defaultValue: options.defaultValue ?? 0,
    transform: fixedToMoving,
  })
  const metric = {
    name: 'MattesMutualInformation' as const,
    bins,
    initial: mattesOnFixedGrid(fixed, moving, undefined, bins),
    final: mattesOnFixedGrid(fixed, moving, fixedToMoving, bins),
  }
  return { transform, fixedToMoving, movingToFixed: invertTransform(fixedToMoving), metric, resampled, elapsed_ms: performance.now() - started }
}

/** A moving-space label map carried onto the fixed grid (nearest neighbour, label type kept). */
export function labelsOnFixedGrid(labels: Image, fixed: Image, fixedToMoving: AffineTransform): Image {
  return resampleLabels(labels, gridOf(fixed), fixedToMoving)
}

/** Mattes -MI between the fixed image and the moving one seen through `transform` (linear, outside skipped). */
export function mattesOnFixedGrid(fixed: Image, moving: Image, transform: AffineTransform | undefined, bins = 32): number {
  const seen = resample(moving, gridOf(fixed), { interpolator: 'linear', defaultValue: Number.NaN, transform })
  return mattesMutualInformation(pixelsOf(fixed), pixelsOf(seen), { bins })
}

function subtract(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

function asFloat32(image: Image): Image {
  const data = pixelsOf(image)
  return data instanceof Float32Array ? image : withPixels(image, Float32Array.from(data))
}

function checkImage(image: Image, name: string): void {
  if (image.size.length !== 3) throw new BadInputError(`registration needs a 3-D image, got size ${image.size.join('x')}`, { file: name })
  const components = (image.imageType as { components?: number }).components ?? 1
  if (components !== 1) throw new BadInputError('registration needs a scalar image (one component per voxel)', { file: name })
  if (image.size.some((n) => n < 4)) throw new BadInputError(`registration needs at least 4 voxels along every axis, got ${image.size.join('x')}`, { file: name })
  if (pixelsOf(image).length !== voxelCount(image.size)) throw new Error(`${name}: pixel count does not match its size`)
}
