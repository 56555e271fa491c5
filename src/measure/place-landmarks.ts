// Landmarks as the report lists them: where each point falls on the output grid (continuous and
// voxel index) and the image value there (trilinear; null outside the image).
import { physicalToIndex } from '../image/geometry.js'
import { type Image, gridOf } from '../image/image.js'
import type { Landmark } from '../pipeline/report-schema.js'
import type { LandmarkPoint } from './landmarks-file.js'
import { sampleTrilinear } from './sample-trilinear.js'

export function placeLandmarks(points: readonly LandmarkPoint[], image: Image): Landmark[] {
  const grid = gridOf(image)
  return points.map((p) => {
    const index = physicalToIndex(grid, p.lps_mm) as [number, number, number]
    const intensity = sampleTrilinear(image, index)
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
