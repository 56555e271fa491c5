// google-deepmind/surface-distance's own test cases (../shared/golden/surface-distance), run
// by the library at commit 1f805ce: every case reproduced through our library API.
import { describe, expect, it } from 'vitest'
import { averageSurfaceDistance } from '../../src/metrics/average-surface-distance.js'
import { robustHausdorff } from '../../src/metrics/robust-hausdorff.js'
import { surfaceDiceAtTolerance } from '../../src/metrics/surface-dice.js'
import { computeSurfaceDistances, sortedSurfaceDistances } from '../../src/metrics/surface-distances.js'
import { surfaceOverlapAtTolerance } from '../../src/metrics/surface-overlap.js'
import { volumetricDice } from '../../src/metrics/volumetric-dice.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { expectClose, loadGoldenCases, maskData, num } from './golden-cases.js'

const cases = loadGoldenCases()

describe('surface-distance golden cases through the library API', () => {
  it('holds the 15 upstream cases', () => {
    expect(cases).toHaveLength(15)
  })

  for (const c of cases) {
    it(c.name, () => {
      const gt = { size: c.gt.shape, data: maskData(c.gt) }
      const pred = { size: c.pred.shape, data: maskData(c.pred) }
      if (c.expect_error) {
        let error: unknown
        try {
          computeSurfaceDistances(gt, pred, c.spacing_mm)
        } catch (e) {
          error = e
        }
        expect(isBadInput(error)).toBe(true)
        // the library's own message (ValueError text)
        expect((error as Error).message).toContain(c.expect_error.replace(/^ValueError: /, ''))
        expect(c.library.error).toContain((error as Error).message.split(' Got ')[0])
        return
      }
      expect(maskData(c.gt).reduce((a, b) => a + b, 0)).toBe(c.gt.count)
      const lib = c.library
      const sd = computeSurfaceDistances(gt, pred, c.spacing_mm)
      expect(sd.surfelAreasGt.length).toBe(lib.n_surfels_gt)
      expect(sd.surfelAreasPred.length).toBe(lib.n_surfels_pred)
      expectClose(sd.surfelAreasGt.reduce((a, b) => a + b, 0), lib.total_surface_gt, 'total surface gt')
      expectClose(sd.surfelAreasPred.reduce((a, b) => a + b, 0), lib.total_surface_pred, 'total surface pred')
      const [asdGt, asdPred] = averageSurfaceDistance(sd)
      expectClose(asdGt, num(lib.average_surface_distance[0]), 'ASD gt->pred')
      expectClose(asdPred, num(lib.average_surface_distance[1]), 'ASD pred->gt')
      expectClose(robustHausdorff(sd, 100), num(lib.hausdorff_100), 'HD100')
      expectClose(robustHausdorff(sd, 95), num(lib.hausdorff_95), 'HD95')
      for (const o of lib.surface_overlap_at_tolerance) {
        const [g, p] = surfaceOverlapAtTolerance(sd, o.tolerance_mm)
        expectClose(g, num(o.gt_to_pred), 'overlap gt')
        expectClose(p, num(o.pred_to_gt), 'overlap pred')
      }
      for (const d of lib.surface_dice_at_tolerance) expectClose(surfaceDiceAtTolerance(sd, d.tolerance_mm), num(d.value), 'surface Dice')
      expectClose(volumetricDice(gt, pred), num(lib.volumetric_dice), 'volumetric Dice')
      if (lib.distances_gt_to_pred) {
        // the full arrays, in the library's (distance, area) order
        const sorted = sortedSurfaceDistances(sd)
        const arrays: [Float64Array, unknown[] | undefined][] = [
          [sorted.distancesGtToPred, lib.distances_gt_to_pred], [sorted.surfelAreasGt, lib.surfel_areas_gt],
          [sorted.distancesPredToGt, lib.distances_pred_to_gt], [sorted.surfelAreasPred, lib.surfel_areas_pred],
        ]
        for (const [ours, theirs] of arrays) {
          expect(ours.length).toBe(theirs!.length)
          ours.forEach((x, t) => expectClose(x, num(theirs![t] as never), 'array element'))
        }
      }
    })
  }
})
