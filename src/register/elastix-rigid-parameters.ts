// The elastix parameter map of voxelflow's rigid registration (elastix's default "rigid" map
// with the choices below made explicit) and the Euler transform read back from elastix's
// transform parameter object.
import { defaultParameterMapNode } from '@itk-wasm/elastix'
import type { JsonCompatible } from 'itk-wasm'
import { makeEulerTransform, type EulerTransform } from './euler-transform.js'

export type CentredInitializer = 'geometric' | 'moments'

export interface RigidParameterOptions {
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
}

export async function rigidParameterMap(o: RigidParameterOptions & { bins: number }): Promise<Record<string, string[]>> {
  const resolutions = o.resolutions ?? 3
  const { parameterMap } = await defaultParameterMapNode('rigid', { numberOfResolutions: resolutions })
  const s = (v: number | string): string[] => [String(v)]
  return {
    ...(parameterMap as Record<string, string[]>),
    Transform: s('EulerTransform'),
    Metric: s('AdvancedMattesMutualInformation'),
    NumberOfHistogramBins: s(o.bins),
    // geometric: elastix aligns the image centres; moments: the caller has aligned the centres
    // of mass already (elastix's CenterOfGravity weighs CT air with negative mass)
    AutomaticTransformInitialization: s(o.initializer === 'moments' ? 'false' : 'true'),
    AutomaticTransformInitializationMethod: s('GeometricalCenter'),
    NumberOfResolutions: s(resolutions),
    MaximumNumberOfIterations: s(o.iterations ?? 250),
    NumberOfSpatialSamples: s(o.samples ?? 4096),
    RandomSeed: s(o.seed ?? 121212),
    // our resampler makes the output image; elastix's would only cost time
    WriteResultImage: s('false'),
  }
}

export function parseEulerTransform(object: JsonCompatible): EulerTransform {
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
