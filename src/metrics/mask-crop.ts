// Two binary masks cropped together to the bounding box of their union, packed into one byte
// per voxel (bit 0: the first mask, the reference; bit 1: the second, the prediction), with
// the first and last occupied voxel of every row so later passes skip empty space. All the
// surface work runs on this crop: outside it both masks are empty by construction.
import { BadInputError } from '../pipeline/errors.js'
import { type RowExtents, unionRowExtents } from './row-extents.js'

/** A binary mask over a 2-D or 3-D grid, axis 0 fastest in `data` (the image index order i, j, k). */
export interface BinaryMask {
  /** Voxels per axis (2 or 3 axes). */
  size: readonly number[]
  /** Voxel values; inside means value === label when `label` is given, else value !== 0. */
  data: ArrayLike<number>
  label?: number
}

/** Inclusive voxel index box, always 3 axes (a 2-D box has min[2] = max[2] = 0). */
export interface IndexBox {
  min: [number, number, number]
  max: [number, number, number]
}

export interface MaskPairCrop {
  twoD: boolean
  /** The whole grid (2-D: third axis 1). */
  fullSize: [number, number, number]
  /** First voxel of the crop in the whole grid. */
  start: [number, number, number]
  /** Crop size in voxels (2-D: third axis 1). */
  dims: [number, number, number]
  /**
   * dims[0]*dims[1]*dims[2] voxels, bit 0 = reference, bit 1 = prediction; then two spare rows
   * of dims[0] values: a blank row (0) and a row inside both masks (3), read for rows beyond
   * the crop (outside both) and beyond the image (where voxel-border rules count inside).
   */
  bits: Uint8Array
  /** Per crop row (j + dims[1] * k): first / last i with any bit set, -1 when the row is empty. */
  rowFirst: Int32Array
  rowLast: Int32Array
}

/** [n0, n1, n2] of a 2-D or 3-D size; n2 = 1 in 2-D. */
export function grid3(size: readonly number[]): [number, number, number] {
  return [size[0], size[1], size.length === 3 ? size[2] : 1]
}

export function checkMask(mask: BinaryMask, name: string): void {
  for (const n of mask.size) {
    if (!Number.isInteger(n) || n < 1) throw new BadInputError(`${name}: bad size ${mask.size.join('x')}`)
  }
  const count = mask.size.reduce((a, b) => a * b, 1)
  if (mask.data.length !== count) throw new BadInputError(`${name}: ${mask.data.length} values for size ${mask.size.join('x')} (${count} voxels)`)
}

/**
 * Rows holding the non-zero voxels of either mask's data: every inside voxel lies in them
 * (unless a label is 0: then every voxel is a candidate).
 */
export function pairRows(a: BinaryMask, b: BinaryMask): RowExtents {
  const size = grid3(a.size)
  const zeroLabel = (l: number | undefined) => l === 0 || (l !== undefined && Number.isNaN(l))
  if (zeroLabel(a.label) || zeroLabel(b.label)) {
    const rows = size[1] * size[2]
    return { first: new Int32Array(rows), last: new Int32Array(rows).fill(size[0] - 1) }
  }
  return unionRowExtents(a.data, b.data, size)
}

/** Bounding box of the union of two same-size masks, or null when both are empty. */
export function unionBoundingBox(a: BinaryMask, b: BinaryMask, rows = pairRows(a, b)): IndexBox | null {
  const [n0, n1, n2] = grid3(a.size)
  const min: [number, number, number] = [n0, n1, n2]
  const max: [number, number, number] = [-1, -1, -1]
  const da = a.data, db = b.data
  const la = a.label, lb = b.label
  for (let k = 0; k < n2; k++) {
    for (let j = 0; j < n1; j++) {
      const r = j + n1 * k
      const lo = rows.first[r], hi = rows.last[r]
      if (lo < 0) continue
      const base = n0 * r
      let first = -1, last = -1
      for (let i = lo; i <= hi; i++) {
        const va = da[base + i], vb = db[base + i]
        const inside = (la === undefined ? va !== 0 : va === la) || (lb === undefined ? vb !== 0 : vb === lb)
        if (inside) {
          if (first < 0) first = i
          last = i
        }
      }
      if (first < 0) continue
      if (first < min[0]) min[0] = first
      if (last > max[0]) max[0] = last
      if (j < min[1]) min[1] = j
      if (j > max[1]) max[1] = j
      if (k < min[2]) min[2] = k
      if (k > max[2]) max[2] = k
    }
  }
  return max[0] < 0 ? null : { min, max }
}

/** Pack the two masks inside `box` (which must hold every inside voxel of both). */
export function cropMaskPair(a: BinaryMask, b: BinaryMask, box: IndexBox, rows = pairRows(a, b)): MaskPairCrop {
  const fullSize = grid3(a.size)
  const [n0, n1] = fullSize
  const start: [number, number, number] = [box.min[0], box.min[1], box.min[2]]
  const dims: [number, number, number] = [box.max[0] - box.min[0] + 1, box.max[1] - box.min[1] + 1, box.max[2] - box.min[2] + 1]
  const [d0, d1, d2] = dims
  const bits = new Uint8Array(d0 * d1 * d2 + 2 * d0)
  bits.fill(3, d0 * d1 * d2 + d0)
  const rowFirst = new Int32Array(d1 * d2).fill(-1)
  const rowLast = new Int32Array(d1 * d2).fill(-1)
  const labelled = a.label !== undefined && b.label !== undefined
  for (let k = 0; k < d2; k++) {
    for (let j = 0; j < d1; j++) {
      const r = start[1] + j + n1 * (start[2] + k)
      if (rows.first[r] < 0) continue
      const from = Math.max(rows.first[r], start[0]), to = Math.min(rows.last[r], box.max[0])
      if (to < from) continue
      const src = n0 * r + start[0]
      const row = j + d1 * k
      if (labelled) packLabelled(a.data, a.label!, b.data, b.label!, src, from - start[0], to - start[0], bits, d0 * row, rowFirst, rowLast, row)
      else packGeneral(a, b, src, from - start[0], to - start[0], bits, d0 * row, rowFirst, rowLast, row)
    }
  }
  return { twoD: a.size.length === 2, fullSize, start, dims, bits, rowFirst, rowLast }
}

// Pack crop columns [from, to] of one row and record its first / last occupied column.
function packLabelled(
  da: ArrayLike<number>, la: number, db: ArrayLike<number>, lb: number, src: number, from: number, to: number,
  bits: Uint8Array, dst: number, rowFirst: Int32Array, rowLast: Int32Array, row: number,
): void {
  let first = -1, last = -1
  for (let i = from; i <= to; i++) {
    const v = (da[src + i] === la ? 1 : 0) | (db[src + i] === lb ? 2 : 0)
    if (v !== 0) {
      bits[dst + i] = v
      if (first < 0) first = i
      last = i
    }
  }
  rowFirst[row] = first
  rowLast[row] = last
}

function packGeneral(
  a: BinaryMask, b: BinaryMask, src: number, from: number, to: number,
  bits: Uint8Array, dst: number, rowFirst: Int32Array, rowLast: Int32Array, row: number,
): void {
  const da = a.data, db = b.data, la = a.label, lb = b.label
  let first = -1, last = -1
  for (let i = from; i <= to; i++) {
    const va = da[src + i], vb = db[src + i]
    const v = ((la === undefined ? va !== 0 : va === la) ? 1 : 0) | ((lb === undefined ? vb !== 0 : vb === lb) ? 2 : 0)
    if (v !== 0) {
      bits[dst + i] = v
      if (first < 0) first = i
      last = i
    }
  }
  rowFirst[row] = first
  rowLast[row] = last
}
