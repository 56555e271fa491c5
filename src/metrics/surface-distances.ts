// compute_surface_distances of google-deepmind/surface-distance: every surface element of
// each mask (see surface-elements.ts) with its size (contour length in 2-D, area in 3-D, from
// the library's neighbour-code tables) and its distance to the other mask's surface points.
// Work is confined to the corner grid of the union's bounding box, which holds every surface
// point of both masks, so the distances are those of the whole grid.
import { BadInputError } from '../pipeline/errors.js'
import { type BinaryMask, type MaskPairCrop, checkMask, cropMaskPair, unionBoundingBox } from './mask-crop.js'
import { buildFeatureLines, nearestFeatureDistances, type NearestOptions } from './nearest-feature.js'
import { neighbourCodeSizeTable } from './neighbour-code-tables.js'
import { cornerSurfaces } from './surface-elements.js'

/**
 * The library's dict, unsorted (surface points in raster order of the corner grid; sort with
 * `sortedSurfaceDistances` to get the library's order). Both directions are empty when both
 * masks are; when one mask is empty, every distance from the other one is Infinity.
 */
export interface SurfaceDistances {
  /** mm from each reference surface element to the prediction's surface. */
  distancesGtToPred: Float64Array
  /** mm from each prediction surface element to the reference's surface. */
  distancesPredToGt: Float64Array
  /** Size of each reference surface element: mm^2 (3-D) or mm (2-D). */
  surfelAreasGt: Float64Array
  surfelAreasPred: Float64Array
}

/** The library's argument checks, with its messages. */
export function checkSurfaceDistanceArguments(maskGt: BinaryMask, maskPred: BinaryMask, spacingMm: readonly number[]): void {
  const a = maskGt.size, b = maskPred.size
  if (!(a.length === b.length && b.length === spacingMm.length)) {
    throw new BadInputError(
      `The arguments must be of compatible shape. Got mask_gt with ${a.length} dimensions (${a.join('x')}) and mask_pred with ` +
        `${b.length} dimensions (${b.join('x')}), while the spacing_mm was ${spacingMm.length} elements.`,
    )
  }
  if (a.length !== 2 && a.length !== 3) throw new BadInputError(`Only 2D and 3D masks are supported, not ${a.length}D.`)
  if (a.some((n, d) => n !== b[d])) throw new BadInputError(`The arguments must be of compatible shape: mask_gt is ${a.join('x')}, mask_pred is ${b.join('x')}.`)
  for (const s of spacingMm) {
    if (!(s > 0) || !Number.isFinite(s)) throw new BadInputError(`spacing_mm must be positive and finite, got ${spacingMm.join(', ')}`)
  }
  checkMask(maskGt, 'mask_gt')
  checkMask(maskPred, 'mask_pred')
}

/** compute_surface_distances(mask_gt, mask_pred, spacing_mm); axis d of the masks has spacing spacingMm[d]. */
export function computeSurfaceDistances(maskGt: BinaryMask, maskPred: BinaryMask, spacingMm: readonly number[], options?: NearestOptions): SurfaceDistances {
  checkSurfaceDistanceArguments(maskGt, maskPred, spacingMm)
  const box = unionBoundingBox(maskGt, maskPred)
  if (!box) return emptySurfaceDistances()
  return surfaceDistancesOfCrop(cropMaskPair(maskGt, maskPred, box), spacingMm, options)
}

export function emptySurfaceDistances(): SurfaceDistances {
  return { distancesGtToPred: new Float64Array(0), distancesPredToGt: new Float64Array(0), surfelAreasGt: new Float64Array(0), surfelAreasPred: new Float64Array(0) }
}

/** The same on a crop made by cropMaskPair (reference = bit 0, prediction = bit 1). */
export function surfaceDistancesOfCrop(crop: MaskPairCrop, spacingMm: readonly number[], options?: NearestOptions): SurfaceDistances {
  const table = neighbourCodeSizeTable(spacingMm)
  const { cornerDims, reference, prediction } = cornerSurfaces(crop)
  const spacing3 = crop.twoD ? [spacingMm[0], spacingMm[1], 1] : spacingMm
  const areas = (set: typeof reference): Float64Array => {
    const out = new Float64Array(set.count)
    for (let t = 0; t < set.count; t++) out[t] = table[set.code[t]]
    return out
  }
  // one feature index at a time keeps the peak memory at one 2-byte map of the corner grid
  const distancesGtToPred = nearestFeatureDistances(buildFeatureLines(cornerDims, prediction), spacing3, reference, options)
  const distancesPredToGt = nearestFeatureDistances(buildFeatureLines(cornerDims, reference), spacing3, prediction, options)
  return { distancesGtToPred, distancesPredToGt, surfelAreasGt: areas(reference), surfelAreasPred: areas(prediction) }
}

/** The library's order: each direction sorted by (distance, area). */
export function sortedSurfaceDistances(sd: SurfaceDistances): SurfaceDistances {
  const [dg, ag] = sortPairs(sd.distancesGtToPred, sd.surfelAreasGt)
  const [dp, ap] = sortPairs(sd.distancesPredToGt, sd.surfelAreasPred)
  return { distancesGtToPred: dg, surfelAreasGt: ag, distancesPredToGt: dp, surfelAreasPred: ap }
}

export function sortPairs(distances: Float64Array, areas: Float64Array): [Float64Array, Float64Array] {
  const order = Array.from(distances.keys()).sort((x, y) => distances[x] - distances[y] || areas[x] - areas[y] || 0)
  return [Float64Array.from(order, (t) => distances[t]), Float64Array.from(order, (t) => areas[t])]
}
