// HU plausibility of a NIfTI treated as CT (src/pipeline/load-case.ts guesses CT from the value
// range, since NIfTI has no modality): the same check DICOM CT gets (src/measure/hu-plausibility.ts).
// NIfTI has no Pixel Padding Value either; a minimum below any physical HU (air is -1000) is
// taken as the padding outside the reconstruction circle (-3024, -2048 ... are common), so a
// large padded corner does not pass for the air peak.
import type { PixelArray } from '../image/image.js'
import { type HuPlausibility, huPlausibility } from './hu-plausibility.js'

/** Below this a value is not a tissue or air HU: the minimum there is padding. */
const lowestPhysicalHu = -1100

export function niftiCtPlausibility(values: PixelArray): HuPlausibility {
  const min = minimumOf(values)
  return huPlausibility(values, { paddingValue: min < lowestPhysicalHu ? min : undefined })
}

/**
 * The smallest value (NaN ignored), four running minima at a time: one per lane keeps the
 * comparisons independent, ~2x faster than one chain over a 157 M-voxel CT.
 */
function minimumOf(values: PixelArray): number {
  let m0 = Infinity, m1 = Infinity, m2 = Infinity, m3 = Infinity
  const whole = values.length - (values.length % 4)
  for (let i = 0; i < whole; i += 4) {
    const a = values[i], b = values[i + 1], c = values[i + 2], d = values[i + 3]
    if (a < m0) m0 = a
    if (b < m1) m1 = b
    if (c < m2) m2 = c
    if (d < m3) m3 = d
  }
  for (let i = whole; i < values.length; i++) if (values[i] < m0) m0 = values[i]
  return Math.min(m0, m1, m2, m3)
}
