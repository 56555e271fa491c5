// Average and maximum symmetric surface distance as the CHAOS challenge's evaluation code
// (emrekavur/CHAOS-evaluation, CHAOSmetrics.py) defines them: border voxels are the voxels of
// a mask minus its erosion by the face-connected structuring element with border_value=1
// (voxel centres; the image border makes no border), distances in mm between border voxel
// centres to the nearest border voxel of the other mask, ASSD = (sum of both directions) /
// (number of border voxels of both), MSSD = the largest distance of both directions.
// Distances use index offsets times spacing: physical distances for orthonormal directions.
// Empty masks (the CHAOS code does not define them): one mask empty gives Infinity for both,
// both empty gives NaN.
import type { MaskPairCrop } from './mask-crop.js'
import { buildFeatureLines, nearestFeatureDistances } from './nearest-feature.js'
import { CompensatedSum } from './sums.js'
import { voxelBorders } from './voxel-borders.js'

export interface ChaosSurfaceDistance {
  assdMm: number
  mssdMm: number
  borderVoxels: { reference: number; prediction: number }
}

export function chaosSurfaceDistance(crop: MaskPairCrop | null, spacingMm: readonly number[]): ChaosSurfaceDistance {
  if (!crop) return { assdMm: NaN, mssdMm: NaN, borderVoxels: { reference: 0, prediction: 0 } }
  const borders = voxelBorders(crop, 'face')
  const spacing3 = crop.twoD ? [spacingMm[0], spacingMm[1], 1] : spacingMm
  const refToPred = nearestFeatureDistances(buildFeatureLines(borders.dims, borders.prediction), spacing3, borders.reference)
  const predToRef = nearestFeatureDistances(buildFeatureLines(borders.dims, borders.reference), spacing3, borders.prediction)
  const sum = new CompensatedSum()
  let max = -Infinity
  for (const d of [refToPred, predToRef]) {
    for (let t = 0; t < d.length; t++) {
      sum.add(d[t])
      if (d[t] > max) max = d[t]
    }
  }
  const n = refToPred.length + predToRef.length
  return {
    assdMm: n === 0 ? NaN : sum.value / n,
    mssdMm: n === 0 ? NaN : max,
    borderVoxels: { reference: refToPred.length, prediction: predToRef.length },
  }
}
