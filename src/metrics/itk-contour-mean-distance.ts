// ITK's ContourMeanDistanceImageFilter (ITK 5.2), for comparison with ITK-based tools.
// Contour voxels of a mask: its voxels with a background voxel among their 26 neighbours (the
// image border does not count as background). Directed A->B: the mean, over A's contour
// voxels, of the distance (mm, voxel centres) to the nearest contour voxel of B (ITK takes
// |Maurer distance map of B| there). The undirected value is the MAXIMUM of the two directed
// means, as ITK computes it. Not a surface-distance-library measure (those use the voxel-corner
// surface with areas). Empty masks: from an empty A the directed mean is NaN; towards an empty
// B it is Infinity.
import { type BinaryMask, cropMaskPair, unionBoundingBox } from './mask-crop.js'
import { buildFeatureLines, nearestFeatureDistances } from './nearest-feature.js'
import { checkSurfaceDistanceArguments } from './surface-distances.js'
import { accurateSum } from './sums.js'
import { voxelBorders } from './voxel-borders.js'

export interface ItkContourMeanDistance {
  meanMm: number
  directedMm: { aToB: number; bToA: number }
}

export function itkContourMeanDistance(a: BinaryMask, b: BinaryMask, spacingMm: readonly number[]): ItkContourMeanDistance {
  checkSurfaceDistanceArguments(a, b, spacingMm)
  const box = unionBoundingBox(a, b)
  if (!box) return { meanMm: NaN, directedMm: { aToB: NaN, bToA: NaN } }
  const crop = cropMaskPair(a, b, box)
  const contours = voxelBorders(crop, 'full')
  const spacing3 = crop.twoD ? [spacingMm[0], spacingMm[1], 1] : spacingMm
  const mean = (d: Float64Array) => accurateSum(d) / d.length
  const aToB = mean(nearestFeatureDistances(buildFeatureLines(contours.dims, contours.prediction), spacing3, contours.reference))
  const bToA = mean(nearestFeatureDistances(buildFeatureLines(contours.dims, contours.reference), spacing3, contours.prediction))
  return { meanMm: Math.max(aToB, bToA), directedMm: { aToB, bToA } }
}
