// First and last non-zero voxel of every grid row (axis 0 lines), found 4 bytes at a time: a
// segmentation is mostly background, and every later pass only visits the rows and spans
// listed here. Works on any typed array (all-zero bytes are the number 0 in every numeric
// type; -0 merely costs a slower look); plain arrays are scanned value by value.

export interface RowExtents {
  /** Per row (j + n1 * k): first i with a non-zero value, -1 when the row is all zero. */
  first: Int32Array
  last: Int32Array
}

interface TypedLike {
  buffer: ArrayBufferLike
  byteOffset: number
  BYTES_PER_ELEMENT: number
  length: number
}

/** Extents of the voxels non-zero in `a` or in `b`: one pass when both have the same layout. */
export function unionRowExtents(a: ArrayLike<number>, b: ArrayLike<number>, size: readonly [number, number, number]): RowExtents {
  const ta = ArrayBuffer.isView(a) ? (a as unknown as TypedLike) : null
  const tb = ArrayBuffer.isView(b) ? (b as unknown as TypedLike) : null
  if (ta && tb && ta.BYTES_PER_ELEMENT === tb.BYTES_PER_ELEMENT && (ta.byteOffset & 3) === (tb.byteOffset & 3) && ta.length === tb.length) {
    return scanTyped(ta, tb, size)
  }
  const ra = rowExtents(a, size)
  const rb = rowExtents(b, size)
  for (let r = 0; r < ra.first.length; r++) {
    if (rb.first[r] < 0) continue
    if (ra.first[r] < 0 || rb.first[r] < ra.first[r]) ra.first[r] = rb.first[r]
    if (rb.last[r] > ra.last[r]) ra.last[r] = rb.last[r]
  }
  return ra
}

export function rowExtents(data: ArrayLike<number>, size: readonly [number, number, number]): RowExtents {
  const [n0, n1, n2] = size
  const rows = n1 * n2
  const first = new Int32Array(rows).fill(-1)
  const last = new Int32Array(rows).fill(-1)
  const typed = ArrayBuffer.isView(data) ? (data as unknown as TypedLike) : null
  if (!typed) {
    for (let r = 0; r < rows; r++) {
      const base = r * n0
      let i = 0
      while (i < n0 && data[base + i] === 0) i++
      if (i === n0) continue
      first[r] = i
      let e = n0 - 1
      while (data[base + e] === 0) e--
      last[r] = e
    }
    return { first, last }
  }
  return scanTyped(typed, null, size)
}

/** Row extents of the non-zero bytes of `a` (or of `a | b`, same layout), 4 bytes at a time. */
function scanTyped(a: TypedLike, b: TypedLike | null, size: readonly [number, number, number]): RowExtents {
  const [n0, n1, n2] = size
  const rows = n1 * n2
  const first = new Int32Array(rows).fill(-1)
  const last = new Int32Array(rows).fill(-1)
  const bpe = a.BYTES_PER_ELEMENT
  const byteLength = a.length * bpe
  const wordStart = (4 - (a.byteOffset & 3)) & 3 // bytes before the first aligned word
  const wordCount = Math.max(0, Math.floor((byteLength - wordStart) / 4))
  // with one array, b reads the same memory (x | x = x): one code path for both cases
  const src = b ?? a
  const bytes = new Uint8Array(a.buffer, a.byteOffset, byteLength)
  const words = new Uint32Array(a.buffer, a.byteOffset + wordStart, wordCount)
  const bytesB = new Uint8Array(src.buffer, src.byteOffset, byteLength)
  const wordsB = new Uint32Array(src.buffer, src.byteOffset + wordStart, wordCount)
  const rowBytes = n0 * bpe
  for (let r = 0; r < rows; r++) {
    const b0 = r * rowBytes
    const b1 = b0 + rowBytes
    const f = firstNonZeroByte(bytes, words, bytesB, wordsB, wordStart, wordCount, b0, b1)
    if (f < 0) continue
    const l = lastNonZeroByte(bytes, words, bytesB, wordsB, wordStart, wordCount, b0, b1)
    first[r] = Math.floor((f - b0) / bpe)
    last[r] = Math.floor((l - b0) / bpe)
  }
  return { first, last }
}

function firstNonZeroByte(
  bytes: Uint8Array, words: Uint32Array, bytesB: Uint8Array, wordsB: Uint32Array, wordStart: number, wordCount: number, b0: number, b1: number,
): number {
  let b = b0
  // bytes up to the next word boundary
  while (b < b1 && (b < wordStart || ((b - wordStart) & 3) !== 0)) {
    if ((bytes[b] | bytesB[b]) !== 0) return b
    b++
  }
  let w = (b - wordStart) >> 2
  const wEnd = Math.min(wordCount, (b1 - wordStart) >> 2)
  while (w < wEnd && (words[w] | wordsB[w]) === 0) w++
  b = Math.max(b, wordStart + 4 * w)
  while (b < b1) {
    if ((bytes[b] | bytesB[b]) !== 0) return b
    b++
  }
  return -1
}

function lastNonZeroByte(
  bytes: Uint8Array, words: Uint32Array, bytesB: Uint8Array, wordsB: Uint32Array, wordStart: number, wordCount: number, b0: number, b1: number,
): number {
  let b = b1 - 1
  while (b >= b0 && (b - wordStart + 1) % 4 !== 0) {
    if ((bytes[b] | bytesB[b]) !== 0) return b
    b--
  }
  // b + 1 is a word boundary; words entirely in [b0, b + 1)
  let w = ((b + 1 - wordStart) >> 2) - 1
  const wMin = Math.max(0, Math.ceil((b0 - wordStart) / 4))
  while (w >= wMin && w < wordCount && (words[w] | wordsB[w]) === 0) w--
  b = Math.min(b, wordStart + 4 * (w + 1) - 1)
  while (b >= b0) {
    if ((bytes[b] | bytesB[b]) !== 0) return b
    b--
  }
  return -1
}
