// Rigid (Euler 3-D) multimodal registration with elastix (@itk-wasm/elastix): centred
// transform initializer (geometric centres or centres of mass, as elastix's
// AutomaticTransformInitialization), AdvancedMattesMutualInformation, adaptive stochastic
// gradient descent over a multi-resolution smoothing pyramid. The transform maps FIXED points
// to MOVING points (elastix's convention), so the moving image, its labels (nearest neighbour)
// and anything else defined in moving space are resampled onto the fixed grid through it;
// landmarks go the other way (see transform-landmarks.ts).
// Differs from running elastix alone: the resampled image is made by our resampler with the
// recovered transform (so image and labels follow one and the same mapping), and the final
// metric is Mattes MI over all voxels at full resolution (mattes-mutual-information.ts):
// the wasm build of elastix does not expose its log, where its own sampled value lives.
import { defaultParameterMapNode, elastixNode } from '@itk-wasm/elastix'
import type { JsonCompatible } from 'itk-wasm'
import { invertTransform, type AffineTransform } from '../image/affine-transform.js'
import { gridOf, pixelsOf, voxelCount, withPixels, type Image } from '../image/image.js'
import { resample, resampleLabels, type Interpolator } from '../filters/resample.js'
import { BadInputError } from '../pipeline/errors.js'
import { eulerToAffine, makeEulerTransform, type EulerTransform } from './euler-transform.js'
import { mattesMutualInformation } from './mattes-mutual-information.js'

export type CentredInitializer = 'geometric' | 'moments'

export interface RigidRegistrationOptions {
  /** Centre both images on their geometric centres (default) or centres of mass (moments). */
  initializer?: CentredInitializer
  /** Pyramid levels (default 3). */
  resolutions?: number
  /** Optimizer iterations per level (default 250). */
  iterations?: number
  /** Random spatial samples per iteration (default 4096). */
  samples?: number
  /** Histogram bins of the metric (default 32, elastix's). */
  bins?: number
  /** Seed of elastix's random sampler: the same seed gives the same result. */
  seed?: number
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
  const parameterMap = await rigidParameterMap({ ...options, bins })
  // the elastix pipeline aborts when the two pixel types differ: give it float32 twice
  const { transformParameterObject } = await elastixNode([parameterMap] as unknown as JsonCompatible, {
    fixed: asFloat32(fixed),
    moving: asFloat32(moving),
  })
  const transform = parseEulerTransform(transformParameterObject)
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

async function rigidParameterMap(o: RigidRegistrationOptions & { bins: number }): Promise<Record<string, string[]>> {
  const resolutions = o.resolutions ?? 3
  const { parameterMap } = await defaultParameterMapNode('rigid', { numberOfResolutions: resolutions })
  const s = (v: number | string): string[] => [String(v)]
  return {
    ...(parameterMap as Record<string, string[]>),
    Transform: s('EulerTransform'),
    Metric: s('AdvancedMattesMutualInformation'),
    NumberOfHistogramBins: s(o.bins),
    AutomaticTransformInitialization: s('true'),
    AutomaticTransformInitializationMethod: s(o.initializer === 'moments' ? 'CenterOfGravity' : 'GeometricalCenter'),
    NumberOfResolutions: s(resolutions),
    MaximumNumberOfIterations: s(o.iterations ?? 250),
    NumberOfSpatialSamples: s(o.samples ?? 4096),
    RandomSeed: s(o.seed ?? 121212),
    // our resampler makes the output image; elastix's would only cost time
    WriteResultImage: s('false'),
  }
}

function parseEulerTransform(object: JsonCompatible): EulerTransform {
  const maps = object as unknown as Array<Record<string, string[]>>
  const map = maps[maps.length - 1]
  if (map?.Transform?.[0] !== 'EulerTransform') throw new Error(`elastix returned a ${map?.Transform?.[0]} transform, expected EulerTransform`)
  const p = map.TransformParameters.map(Number)
  const centre = map.CenterOfRotationPoint.map(Number)
  if (p.length !== 6 || centre.length !== 3 || ![...p, ...centre].every(Number.isFinite)) {
    throw new Error(`elastix returned unreadable Euler parameters ${map.TransformParameters.join(' ')}`)
  }
  return makeEulerTransform(p.slice(0, 3), p.slice(3), centre, map.ComputeZYX?.[0] === 'true' ? 'ZYX' : 'ZXY')
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
