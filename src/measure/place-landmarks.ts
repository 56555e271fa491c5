// Landmarks as the report lists them: where each point falls on the output grid (continuous and
// voxel index) and the scan's value there, sampled trilinearly on the input image itself (not on
// the resampled output, which would interpolate twice); null outside the scan.
import { physicalToIndex } from '../image/geometry.js'
import { type Grid, type Image, gridOf } from '../image/image.js'
import type { Landmark } from '../pipeline/report-schema.js'
import type { LandmarkPoint } from './landmarks-file.js'
import { sampleTrilinear } from './sample-trilinear.js'

export function placeLandmarks(points: readonly LandmarkPoint[], outputGrid: Grid, scan: Image): Landmark[] {
  const scanGrid = gridOf(scan)
  return points.map((p) => {
    const index = physicalToIndex(outputGrid, p.lps_mm) as [number, number, number]
    const intensity = sampleTrilinear(scan, physicalToIndex(scanGrid, p.lps_mm))
    return {
      name: p.name,
      ...(p.code && { code: p.code }),
      ...(p.laterality && { laterality: p.laterality }),
      lps_mm: [p.lps_mm[0], p.lps_mm[1], p.lps_mm[2]],
      index,
      voxel_index: index.map((x) => Math.round(x)) as [number, number, number],
      inside_image: intensity !== null,
      intensity_trilinear: intensity,
    }
  })
}
