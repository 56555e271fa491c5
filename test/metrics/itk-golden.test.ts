// ../shared/golden/itk (i): ITK 5.2's segmentation metrics between the pelvis bone mask (A) and
// its shifted copy (B), 3 mm voxels. Dice is the same definition everywhere and must agree to
// 1e-9. ITK's distances are defined differently from google-deepmind/surface-distance's (see
// below), so they are reproduced by the separate ITK-definition functions, within 1e-6 mm.
import { describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { compareLabelImages } from '../../src/metrics/compare-labels.js'
import { itkContourMeanDistance } from '../../src/metrics/itk-contour-mean-distance.js'
import { itkHausdorffDistance } from '../../src/metrics/itk-hausdorff.js'
import { volumetricDice } from '../../src/metrics/volumetric-dice.js'
import { goldenPath } from '../support/paths.js'

const itk = {
  dice: 0.373251748,
  hausdorff_distance_mm: 10.8166538,
  average_hausdorff_distance_mm: 2.47855029,
  contour_mean_distance_mm: 2.64952962,
  contour_directed_mean_a_to_b_mm: 2.64952962,
  contour_directed_mean_b_to_a_mm: 2.49448792,
}

async function masks() {
  const a = await readNifti(goldenPath('itk', 'input', 'ct-pelvis-crop.bone.nii.gz'))
  const b = await readNifti(goldenPath('itk', 'input', 'ct-pelvis-crop.bone-shift.nii.gz'))
  return { a, b, A: { size: a.size, data: pixelsOf(a) }, B: { size: b.size, data: pixelsOf(b) } }
}

describe('ITK 5.2 segmentation metrics on ct-pelvis-crop.bone vs bone-shift', () => {
  it('the manifest holds the numbers this test uses', async () => {
    const { readFileSync } = await import('node:fs')
    const manifest = JSON.parse(readFileSync(goldenPath('itk', 'manifest.json'), 'utf8')) as { outputs: { id: string; results: Record<string, number> }[] }
    expect(manifest.outputs.find((o) => o.id === 'i_seg_metrics')!.results).toEqual(itk)
  })

  it('Dice: the same definition as ITK LabelOverlapMeasures, exact to 1e-9', async () => {
    const { a, b, A, B } = await masks()
    expect(Math.abs(volumetricDice(A, B) - itk.dice)).toBeLessThanOrEqual(1e-9)
    const report = compareLabelImages(a, b)
    expect(report.labels.map((l) => l.label)).toEqual([1])
    expect(report.labels[0].voxel_count.reference).toBe(12750) // README: 12,750 voxels
    expect(report.labels[0].voxel_count.prediction).toBe(12418) // 332 pushed past the edge
    expect(Math.abs(report.labels[0].volumetric_dice - itk.dice)).toBeLessThanOrEqual(1e-9)
  })

  it("ITK's Hausdorff (filled voxel sets) and contour mean distances, within 1e-6 mm", async () => {
    const { a, A, B } = await masks()
    const h = itkHausdorffDistance(A, B, a.spacing)
    expect(Math.abs(h.hausdorffMm - itk.hausdorff_distance_mm)).toBeLessThanOrEqual(1e-6)
    expect(Math.abs(h.hausdorffMm - 3 * Math.sqrt(13))).toBeLessThanOrEqual(1e-12)
    expect(Math.abs(h.averageHausdorffMm - itk.average_hausdorff_distance_mm)).toBeLessThanOrEqual(1e-6)
    const c = itkContourMeanDistance(A, B, a.spacing)
    expect(Math.abs(c.meanMm - itk.contour_mean_distance_mm)).toBeLessThanOrEqual(1e-6)
    expect(Math.abs(c.directedMm.aToB - itk.contour_directed_mean_a_to_b_mm)).toBeLessThanOrEqual(1e-6)
    expect(Math.abs(c.directedMm.bToA - itk.contour_directed_mean_b_to_a_mm)).toBeLessThanOrEqual(1e-6)
  })

  it('the surface-distance means differ from ITK by definition, not by error', async () => {
    const { a, b } = await masks()
    const l = compareLabelImages(a, b).labels[0]
    const s = l.surface
    // ITK's contour mean is an unweighted mean over contour VOXELS (centres of boundary voxels,
    // 26 neighbours, the image border not a boundary), to the other mask's contour voxels, and
    // the undirected value is the max of both directions. google-deepmind/surface-distance
    // averages over points of the voxel-CORNER grid on each surface, weighted by surfel area,
    // the image border being a surface (this mask touches four faces), and keeps both
    // directions. Different point sets and weights give different means:
    expect(s.average_surface_distance_mm.reference_to_prediction).toBeLessThan(itk.contour_directed_mean_a_to_b_mm - 0.5)
    expect(s.average_surface_distance_mm.prediction_to_reference).toBeLessThan(itk.contour_directed_mean_b_to_a_mm - 0.5)
    // The maxima happen to coincide on this pair: both grids are the same 3 mm lattice (corner
    // points are voxel centres shifted by half a voxel) and the farthest points are (2, 3, 0)
    // voxels apart in both: 3 * sqrt(13) mm. So do the CHAOS MSSD (border voxel centres).
    expect(Math.abs(s.hausdorff_100_mm - itk.hausdorff_distance_mm)).toBeLessThanOrEqual(1e-6)
    expect(Math.abs(l.chaos.mssd_mm - itk.hausdorff_distance_mm)).toBeLessThanOrEqual(1e-6)
    // ITK's average Hausdorff is a mean over all FILLED voxels (0 inside the other mask):
    // another quantity again, and not the library's average surface distance.
    expect(Math.abs(s.average_surface_distance_mm.symmetric - itk.average_hausdorff_distance_mm)).toBeGreaterThan(0.5)
  })
})
