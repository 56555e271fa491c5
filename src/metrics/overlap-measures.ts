// Voxel-count measures of one label: volumetric Dice (as google-deepmind/surface-distance),
// Jaccard, sensitivity (recall), precision, volumes and their difference in mL, and the CHAOS
// challenge's relative absolute volume difference RAVD = |V_ref - V_pred| / V_ref * 100 (%).
// Undefined ratios follow IEEE division: x / 0 = Infinity, 0 / 0 = NaN (both masks empty:
// Dice, Jaccard NaN; empty reference: sensitivity NaN, RAVD Infinity; empty prediction:
// precision NaN).
import { diceFromCounts } from './volumetric-dice.js'

export interface OverlapCounts {
  reference: number
  prediction: number
  intersection: number
}

export interface OverlapMeasures {
  dice: number
  jaccard: number
  sensitivity: number
  precision: number
  referenceMl: number
  predictionMl: number
  /** prediction - reference, mL */
  volumeDifferenceMl: number
  ravdPercent: number
}

export function overlapMeasures(counts: OverlapCounts, voxelVolumeMm3: number): OverlapMeasures {
  const { reference: a, prediction: b, intersection: both } = counts
  const union = a + b - both
  const referenceMl = (a * voxelVolumeMm3) / 1000
  const predictionMl = (b * voxelVolumeMm3) / 1000
  return {
    dice: diceFromCounts(a, b, both),
    jaccard: both / union,
    sensitivity: both / a,
    precision: both / b,
    referenceMl,
    predictionMl,
    volumeDifferenceMl: ((b - a) * voxelVolumeMm3) / 1000,
    ravdPercent: (Math.abs(a - b) / a) * 100,
  }
}
