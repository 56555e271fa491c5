// compute_dice_coefficient of google-deepmind/surface-distance: 2 |A and B| / (|A| + |B|),
// NaN when both masks are empty.
import { type BinaryMask, checkMask } from './mask-crop.js'
import { BadInputError } from '../pipeline/errors.js'

export function volumetricDice(maskGt: BinaryMask, maskPred: BinaryMask): number {
  checkMask(maskGt, 'mask_gt')
  checkMask(maskPred, 'mask_pred')
  if (maskGt.data.length !== maskPred.data.length) throw new BadInputError(`masks differ in size: ${maskGt.size.join('x')} and ${maskPred.size.join('x')}`)
  const a = maskGt.data, b = maskPred.data
  const la = maskGt.label, lb = maskPred.label
  let na = 0, nb = 0, both = 0
  for (let t = 0; t < a.length; t++) {
    const ia = la === undefined ? a[t] !== 0 : a[t] === la
    const ib = lb === undefined ? b[t] !== 0 : b[t] === lb
    if (ia) na++
    if (ib) nb++
    if (ia && ib) both++
  }
  return diceFromCounts(na, nb, both)
}

export function diceFromCounts(na: number, nb: number, both: number): number {
  const sum = na + nb
  return sum === 0 ? NaN : (2 * both) / sum
}
