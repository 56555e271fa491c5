// ITK's HausdorffDistanceImageFilter (ITK 5.2), for comparison with ITK-based tools. It is not
// the surface Hausdorff of google-deepmind/surface-distance: ITK measures the FILLED voxel
// sets. Directed A->B: for every voxel of A, the distance (mm, between voxel centres) to the
// nearest voxel of B, 0 inside B (the Maurer distance map of B clamped at 0); its maximum is
// the directed Hausdorff distance, its mean over A's voxels the directed average. Hausdorff =
// max of both directions; average Hausdorff = mean of the two directed averages.
// The nearest voxel of B seen from outside B is always one of B's contour voxels (26
// neighbours, the image border not counting as background), which is what we search.
// Empty masks (ITK does not define them): from an empty A the directed values are NaN; towards
// an empty B they are Infinity.
import { type BinaryMask, cropMaskPair, unionBoundingBox } from './mask-crop.js'
import { buildFeatureLines, nearestFeatureDistances } from './nearest-feature.js'
import { PointSet } from './point-set.js'
import { checkSurfaceDistanceArguments } from './surface-distances.js'
import { CompensatedSum } from './sums.js'
import { voxelBorders } from './voxel-borders.js'
import type { MaskPairCrop } from './mask-crop.js'

export interface ItkHausdorff {
  hausdorffMm: number
  averageHausdorffMm: number
  directedMm: { aToB: number; bToA: number }
  directedAverageMm: { aToB: number; bToA: number }
}

export function itkHausdorffDistance(a: BinaryMask, b: BinaryMask, spacingMm: readonly number[]): ItkHausdorff {
  checkSurfaceDistanceArguments(a, b, spacingMm)
  const box = unionBoundingBox(a, b)
  const nan = { hausdorffMm: NaN, averageHausdorffMm: NaN, directedMm: { aToB: NaN, bToA: NaN }, directedAverageMm: { aToB: NaN, bToA: NaN } }
  if (!box) return nan
  const crop = cropMaskPair(a, b, box)
  const contours = voxelBorders(crop, 'full')
  const spacing3 = crop.twoD ? [spacingMm[0], spacingMm[1], 1] : spacingMm
  const ab = directed(crop, 1, 2, contours.prediction, contours.dims, spacing3)
  const ba = directed(crop, 2, 1, contours.reference, contours.dims, spacing3)
  return {
    hausdorffMm: Math.max(ab.max, ba.max),
    averageHausdorffMm: (ab.mean + ba.mean) / 2,
    directedMm: { aToB: ab.max, bToA: ba.max },
    directedAverageMm: { aToB: ab.mean, bToA: ba.mean },
  }
}

/** Voxels with `bit` set and `otherBit` clear, in raster order (crop voxel grid). */
export function voxelsOnlyIn(crop: MaskPairCrop, bit: number, otherBit: number): { outside: PointSet; inBoth: number; total: number } {
  const [d0, d1, d2] = crop.dims
  const outside = new PointSet()
  let inBoth = 0, total = 0
  for (let r = 0; r < d1 * d2; r++) {
    const first = crop.rowFirst[r]
    if (first < 0) continue
    const base = d0 * r
    for (let i = first; i <= crop.rowLast[r]; i++) {
      const v = crop.bits[base + i]
      if ((v & bit) === 0) continue
      total++
      if (v & otherBit) inBoth++
      else outside.push(base + i)
    }
  }
  return { outside, inBoth, total }
}

function directed(crop: MaskPairCrop, bit: number, otherBit: number, otherContour: PointSet, dims: [number, number, number], spacing: readonly number[]) {
  const { outside, total } = voxelsOnlyIn(crop, bit, otherBit)
  if (total === 0) return { max: NaN, mean: NaN }
  const d = nearestFeatureDistances(buildFeatureLines(dims, otherContour), spacing, outside)
  const sum = new CompensatedSum()
  let max = 0
  for (let t = 0; t < d.length; t++) {
    sum.add(d[t])
    if (d[t] > max) max = d[t]
  }
  return { max, mean: sum.value / total }
}
