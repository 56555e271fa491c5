// Surface elements of two masks the way google-deepmind/surface-distance finds them: points of
// the voxel-CORNER grid (the voxel grid shifted by half a voxel, one more point per axis)
// whose 2x2 (2-D) or 2x2x2 (3-D) neighbourhood is neither all outside nor all inside. Voxels
// outside the grid count as outside, so a mask touching the border has a surface there.
// Corner (i, j, k) sits between voxels i-1 and i on axis 0 (and likewise on the others); its
// neighbour code is defined in neighbour-code-tables.ts.
import type { MaskPairCrop } from './mask-crop.js'
import { FULL_CODE_2D, FULL_CODE_3D } from './neighbour-code-tables.js'
import { PointSet } from './point-set.js'

export interface CornerSurfaces {
  /** Corner grid of the crop: crop dims + 1 per axis (2-D: third axis 1). */
  cornerDims: [number, number, number]
  /** Surface points of the reference (bit 0) and prediction (bit 1): corner-grid linear index and neighbour code, raster order. */
  reference: PointSet
  prediction: PointSet
}

// w packs one voxel column of the 2x2 rows around a corner: two bits (reference, prediction)
// per row, rows (j-1,k-1), (j-1,k), (j,k-1), (j,k) from high to low. A nibble of the code is
// the same four rows for one mask, (j-1,k-1) in its bit 3. In 2-D only rows (j-1) and (j) are
// used, in the places of (j,k-1) and (j,k): the nibble is then two bits, (j-1) in bit 1.
const NIBBLE_REF = new Uint8Array(256)
const NIBBLE_PRED = new Uint8Array(256)
for (let w = 0; w < 256; w++) {
  NIBBLE_REF[w] = (((w >> 6) & 1) << 3) | (((w >> 4) & 1) << 2) | (((w >> 2) & 1) << 1) | (w & 1)
  NIBBLE_PRED[w] = (((w >> 7) & 1) << 3) | (((w >> 5) & 1) << 2) | (((w >> 3) & 1) << 1) | ((w >> 1) & 1)
}

export function cornerSurfaces(crop: MaskPairCrop): CornerSurfaces {
  const [d0, d1, d2] = crop.dims
  const twoD = crop.twoD
  const c0 = d0 + 1, c1 = d1 + 1, c2 = twoD ? 1 : d2 + 1
  const estimate = Math.max(1 << 12, Math.min(1 << 22, 4 * (c0 * c1 + c1 * c2 + c0 * c2)))
  const reference = new PointSet(estimate)
  const prediction = new PointSet(estimate)
  const { bits, rowFirst, rowLast } = crop
  const blank = d0 * d1 * d2 // offset of the zero row after the crop
  const full = twoD ? FULL_CODE_2D : FULL_CODE_3D
  const shift = twoD ? 2 : 4

  for (let k = 0; k < c2; k++) {
    for (let j = 0; j < c1; j++) {
      // the voxel rows around this corner row; absent or empty ones read the blank row
      let oA = blank, oB = blank, oC = blank, oD = blank
      if (twoD) {
        oC = rowOffset(j - 1, 0, d0, d1, d2, rowFirst, blank)
        oD = rowOffset(j, 0, d0, d1, d2, rowFirst, blank)
      } else {
        oA = rowOffset(j - 1, k - 1, d0, d1, d2, rowFirst, blank)
        oB = rowOffset(j - 1, k, d0, d1, d2, rowFirst, blank)
        oC = rowOffset(j, k - 1, d0, d1, d2, rowFirst, blank)
        oD = rowOffset(j, k, d0, d1, d2, rowFirst, blank)
      }
      let lo = d0, hi = -1
      if (oA !== blank) { const r = oA / d0; lo = Math.min(lo, rowFirst[r]); hi = Math.max(hi, rowLast[r]) }
      if (oB !== blank) { const r = oB / d0; lo = Math.min(lo, rowFirst[r]); hi = Math.max(hi, rowLast[r]) }
      if (oC !== blank) { const r = oC / d0; lo = Math.min(lo, rowFirst[r]); hi = Math.max(hi, rowLast[r]) }
      if (oD !== blank) { const r = oD / d0; lo = Math.min(lo, rowFirst[r]); hi = Math.max(hi, rowLast[r]) }
      if (hi < 0) continue
      extractRow(bits, oA, oB, oC, oD, lo, hi, c0 * (j + c1 * k), shift, full, reference, prediction)
    }
  }
  return { cornerDims: [c0, c1, c2], reference, prediction }
}

function rowOffset(j: number, k: number, d0: number, d1: number, d2: number, rowFirst: Int32Array, blank: number): number {
  if (j < 0 || j >= d1 || k < 0 || k >= d2) return blank
  const r = j + d1 * k
  return rowFirst[r] < 0 ? blank : d0 * r
}

/** Surface points of one corner row: voxel columns lo..hi of the four rows, corners lo..hi+1. */
function extractRow(
  bits: Uint8Array, oA: number, oB: number, oC: number, oD: number, lo: number, hi: number,
  base: number, shift: number, full: number, reference: PointSet, prediction: PointSet,
): void {
  let prevR = 0, prevP = 0
  for (let i = lo; i <= hi; i++) {
    const w = (bits[oA + i] << 6) | (bits[oB + i] << 4) | (bits[oC + i] << 2) | bits[oD + i]
    if (w === 0 && prevR === 0 && prevP === 0) continue
    const nr = NIBBLE_REF[w]
    const np = NIBBLE_PRED[w]
    const codeR = (prevR << shift) | nr
    const codeP = (prevP << shift) | np
    if (codeR !== 0 && codeR !== full) reference.push(base + i, codeR)
    if (codeP !== 0 && codeP !== full) prediction.push(base + i, codeP)
    prevR = nr
    prevP = np
  }
  // the corner after the last column: only its lower neighbours can be inside
  const codeR = prevR << shift
  const codeP = prevP << shift
  if (codeR !== 0) reference.push(base + hi + 1, codeR)
  if (codeP !== 0) prediction.push(base + hi + 1, codeP)
}
