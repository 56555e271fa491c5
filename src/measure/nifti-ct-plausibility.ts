// HU plausibility of a NIfTI treated as CT (src/pipeline/load-case.ts guesses CT from the value
// range, since NIfTI has no modality): the same check DICOM CT gets (src/measure/hu-plausibility.ts).
// NIfTI has no Pixel Padding Value either; a minimum below any physical HU (air is -1000) is
// taken as the padding outside the reconstruction circle (-3024, -2048 ... are common), so a
// large padded corner does not pass for the air peak.
import type { PixelArray } from '../image/image.js'
import { minimumOf } from '../image/value-range.js'
import { type HuPlausibility, huPlausibility } from './hu-plausibility.js'

/** Below this a value is not a tissue or air HU: the minimum there is padding. */
const lowestPhysicalHu = -1100

export function niftiCtPlausibility(values: PixelArray): HuPlausibility {
  const min = minimumOf(values)
  return huPlausibility(values, { paddingValue: min < lowestPhysicalHu ? min : undefined })
}

