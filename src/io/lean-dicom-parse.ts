// A lean reader for the common DICOM file: Part 10, Implicit or Explicit VR Little Endian,
// single frame, pixel data at the top level. It reads only the first kilobytes of the file,
// keeps the few attributes series grouping, geometry and rescale need, and stops at Pixel Data.
// Why: dcmjs reads and parses the whole file (0.5 MB of pixels per CT slice) and takes ~0.1 s
// just to load; for a 141-slice series that was most of `voxelflow convert`'s time.
// Anything it does not fully understand (other transfer syntaxes, enhanced multi-frame, odd
// values, no pixel data within the header window) makes it answer undefined, and the caller
// falls back to dcmjs: it never guesses and never throws on malformed bytes.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

export type LeanValue = string[] | number[]

export interface LeanDataset {
  transferSyntaxUid: string
  mediaStorageSopClassUid: string
  mediaStorageSopInstanceUid: string
  /** Kept attributes by keyword: text split on backslash (trimmed), binary numbers as numbers. */
  values: Map<string, LeanValue>
  /** Explicit VR of PixelPaddingValue ('US' or 'SS'); implicit VR files say nothing. */
  pixelPaddingVr?: string
  /** Byte offset of the Pixel Data value in the file. */
  pixelDataOffset: number
  /** Pixel Data length as declared (uncompressed data always has one). */
  pixelDataBytes: number
  fileBytes: number
}

const implicitLittle = '1.2.840.10008.1.2'
const explicitLittle = '1.2.840.10008.1.2.1'

type Kind = 'text' | 'uint16' | 'padding'
/** The attributes kept (tag as group << 16 | element), with their keyword and how to read them. */
const kept = new Map<number, [string, Kind]>([
  [0x00080008, ['ImageType', 'text']],
  [0x00080016, ['SOPClassUID', 'text']],
  [0x00080018, ['SOPInstanceUID', 'text']],
  [0x00080060, ['Modality', 'text']],
  [0x00080070, ['Manufacturer', 'text']],
  [0x0008103e, ['SeriesDescription', 'text']],
  [0x00081090, ['ManufacturerModelName', 'text']],
  [0x00180050, ['SliceThickness', 'text']],
  [0x00180080, ['RepetitionTime', 'text']],
  [0x00180088, ['SpacingBetweenSlices', 'text']],
  [0x00181120, ['GantryDetectorTilt', 'text']],
  [0x00185100, ['PatientPosition', 'text']],
  [0x0020000e, ['SeriesInstanceUID', 'text']],
  [0x00200011, ['SeriesNumber', 'text']],
  [0x00200032, ['ImagePositionPatient', 'text']],
  [0x00200037, ['ImageOrientationPatient', 'text']],
  [0x00200052, ['FrameOfReferenceUID', 'text']],
  [0x00280002, ['SamplesPerPixel', 'uint16']],
  [0x00280004, ['PhotometricInterpretation', 'text']],
  [0x00280008, ['NumberOfFrames', 'text']],
  [0x00280010, ['Rows', 'uint16']],
  [0x00280011, ['Columns', 'uint16']],
  [0x00280030, ['PixelSpacing', 'text']],
  [0x00280100, ['BitsAllocated', 'uint16']],
  [0x00280101, ['BitsStored', 'uint16']],
  [0x00280103, ['PixelRepresentation', 'uint16']],
  [0x00280120, ['PixelPaddingValue', 'padding']],
  [0x00281052, ['RescaleIntercept', 'text']],
  [0x00281053, ['RescaleSlope', 'text']],
  [0x00281054, ['RescaleType', 'text']],
])
/** Decimal and integer strings: kept as numbers only when every value is a plain number. */
const numericStrings = new Set(['SliceThickness', 'RepetitionTime', 'SpacingBetweenSlices', 'GantryDetectorTilt', 'SeriesNumber', 'ImagePositionPatient', 'ImageOrientationPatient', 'NumberOfFrames', 'PixelSpacing', 'RescaleIntercept', 'RescaleSlope'])
const plainNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Shared and per-frame functional groups: an enhanced object, left to dcmjs. */
const sharedFunctionalGroups = 0x52009229
const perFrameFunctionalGroups = 0x52009230
const pixelDataTag = 0x7fe00010
const itemTag = 0xfffee000
const itemDelimiter = 0xfffee00d
const sequenceDelimiter = 0xfffee0dd
const undefinedLength = 0xffffffff
/** Explicit VRs with a 2-byte reserved field and a 4-byte length (as two ASCII bytes, big end first). */
const vrCode = (vr: string) => (vr.charCodeAt(0) << 8) | vr.charCodeAt(1)
const longVrs = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'].map(vrCode))
const [vrOB, vrOW, vrUS, vrSS, vrUI] = ['OB', 'OW', 'US', 'SS', 'UI'].map(vrCode)

/** First read (ct-chest-141's Philips headers are 48 KB); grown up to the cap when longer. */
const firstWindow = 64 * 1024
const largestWindow = 1024 * 1024

let scratch = Buffer.allocUnsafe(firstWindow)

class Unsupported extends Error {}

/** The file's kept attributes, or undefined when the lean reader does not handle this file. */
export function readLeanDataset(file: string): LeanDataset | undefined {
  // Synchronous reads: a few kilobytes from each of hundreds of files; a thread-pool round trip
  // per open/read/close costs more than the reads themselves.
  const fd = openSync(file, 'r')
  try {
    const fileBytes = fstatSync(fd).size
    for (let window = firstWindow; ; window *= 4) {
      const length = Math.min(window, fileBytes)
      // One buffer for every file: the parse keeps no view of it (values are copied out).
      if (scratch.length < length) scratch = Buffer.allocUnsafe(length)
      const bytes = scratch
      const got = readSync(fd, bytes, 0, length, 0)
      const result = parseLeanDataset(bytes.subarray(0, got), fileBytes)
      if (result !== 'need-more') return result
      if (length >= fileBytes || window >= largestWindow) return undefined
    }
  } finally {
    closeSync(fd)
  }
}

/** Parse the start of a file (`bytes`, of a file of `fileBytes`). */
export function parseLeanDataset(bytes: Uint8Array, fileBytes: number): LeanDataset | undefined | 'need-more' {
  try {
    return parse(bytes, fileBytes)
  } catch (error) {
    if (error instanceof NeedMore) return 'need-more'
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

class NeedMore extends Error {}

/**
 * The last element header read, one record for all: the walk visits every element of hundreds of
 * files mostly before the JIT has optimised it, where a new object per element (and a call per
 * bounds check) cost about a third of the header phase. Callers copy the fields at once.
 */
const element = { tag: 0, vr: 0, length: 0, valueAt: 0 }

/**
 * The element header at `at` (8 bytes there already checked): its tag (group << 16 | element),
 * VR (two ASCII bytes as a number, 0 in implicit VR), value length and where the value starts.
 * Explicit VR: OB, OW, SQ, UN, UT ... have 2 reserved bytes and a 4-byte length, the others a
 * 2-byte length; implicit: 4 bytes.
 */
function elementHeader(view: DataView, at: number, explicit: boolean, need: (end: number) => void): typeof element {
  const first = view.getUint32(at, true)
  element.tag = ((first << 16) | (first >>> 16)) >>> 0
  if (!explicit) {
    element.vr = 0
    element.length = view.getUint32(at + 4, true)
    element.valueAt = at + 8
    return element
  }
  const vr = view.getUint16(at + 4, false)
  element.vr = vr
  if (!longVrs.has(vr)) {
    element.length = view.getUint16(at + 6, true)
    element.valueAt = at + 8
    return element
  }
  need(at + 12)
  element.length = view.getUint32(at + 8, true)
  element.valueAt = at + 12
  return element
}

function parse(input: Uint8Array, fileBytes: number): LeanDataset | undefined {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const size = bytes.length
  // Called where a bound is exceeded (the checks themselves are inline: they run per element).
  const need = (end: number) => {
    if (end > size) throw end > fileBytes || size >= fileBytes ? new Unsupported() : new NeedMore()
  }
  need(132)
  if (bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) return undefined

  // File meta information: always Explicit VR Little Endian, group 0002.
  let at = 132
  const meta = new Map<number, string>()
  for (;;) {
    need(at + 8)
    if (view.getUint16(at, true) !== 0x0002) break
    const { tag, vr, length, valueAt } = elementHeader(view, at, true, need)
    at = valueAt
    if (length === undefinedLength) throw new Unsupported()
    need(at + length)
    if (vr === vrUI) meta.set(tag, textValue(bytes, at, length)[0] ?? '')
    at += length
  }
  const transferSyntaxUid = meta.get(0x00020010) ?? ''
  if (transferSyntaxUid !== implicitLittle && transferSyntaxUid !== explicitLittle) return undefined
  const explicit = transferSyntaxUid === explicitLittle

  const values = new Map<string, LeanValue>()
  let pixelPaddingVr: string | undefined
  for (;;) {
    if (at + 8 > size) need(at + 8)
    const { tag, vr, length, valueAt } = elementHeader(view, at, explicit, need)
    at = valueAt
    if (tag === pixelDataTag) {
      // Encapsulated (undefined length) pixel data belongs to a compressed syntax, not here.
      if (length === undefinedLength || (explicit && vr !== vrOW && vr !== vrOB)) return undefined
      return {
        transferSyntaxUid,
        mediaStorageSopClassUid: meta.get(0x00020002) ?? '',
        mediaStorageSopInstanceUid: meta.get(0x00020003) ?? '',
        values,
        pixelPaddingVr,
        pixelDataOffset: at,
        pixelDataBytes: length,
        fileBytes,
      }
    }
    if (tag < 0x00080000 || tag === sharedFunctionalGroups || tag === perFrameFunctionalGroups || tag >= 0xfffe0000) return undefined
    if (length === undefinedLength) {
      at = skipUndefinedLength(view, at, explicit, need)
      continue
    }
    if (at + length > size) need(at + length)
    const wanted = kept.get(tag)
    if (wanted) {
      const [keyword, kind] = wanted
      // A kept attribute in an unexpected VR (UN, a re-encoded private copy...) is dcmjs's to judge.
      if (explicit && (kind === 'text' ? longVrs.has(vr) : kind === 'uint16' && vr !== vrUS)) return undefined
      if (kind === 'text') {
        const parts = textValue(bytes, at, length)
        if (numericStrings.has(keyword)) {
          if (!parts.every((p) => plainNumber.test(p))) return undefined
          values.set(keyword, parts.map(Number))
        } else values.set(keyword, parts)
      } else {
        if (length !== 2) return undefined
        if (kind === 'padding') {
          if (explicit && vr !== vrUS && vr !== vrSS) return undefined
          pixelPaddingVr = explicit ? (vr === vrSS ? 'SS' : 'US') : undefined
          values.set(keyword, [vr === vrSS ? view.getInt16(at, true) : view.getUint16(at, true)])
        } else values.set(keyword, [view.getUint16(at, true)])
      }
    }
    at += length
  }
}

/**
 * Skip a sequence or item of undefined length (elements inside are walked, so delimiter bytes
 * inside values are never mistaken for the end). Returns the offset after its delimiter.
 */
function skipUndefinedLength(view: DataView, start: number, explicit: boolean, need: (end: number) => void): number {
  let at = start
  let depth = 1
  while (depth > 0) {
    need(at + 8)
    const tag = (view.getUint16(at, true) << 16 | view.getUint16(at + 2, true)) >>> 0
    let length: number
    if (tag === itemTag || tag === itemDelimiter || tag === sequenceDelimiter) {
      // Items and delimiters have no VR, in either syntax.
      length = view.getUint32(at + 4, true)
      at += 8
      if (tag === itemTag && length === undefinedLength) {
        depth++
        continue
      }
      if (tag !== itemTag) {
        depth--
        continue
      }
    } else {
      const header = elementHeader(view, at, explicit, need)
      length = header.length
      at = header.valueAt
    }
    if (length === undefinedLength) {
      depth++
      continue
    }
    need(at + length)
    at += length
  }
  return at
}

/**
 * A text value as DICOM defines it: values split on backslash, each without its leading and
 * trailing spaces, the NUL padding byte dropped. Non-ASCII text (character sets) is left to dcmjs.
 */
function textValue(bytes: Buffer, at: number, length: number): string[] {
  let end = at + length
  while (end > at && (bytes[end - 1] === 0x00 || bytes[end - 1] === 0x20)) end--
  for (let i = at; i < end; i++) {
    const b = bytes[i]
    if (b < 0x20 || b > 0x7e) throw new Unsupported()
  }
  // Decoded natively: a string grown character by character cost more than the rest of the parse.
  const s = bytes.toString('latin1', at, end)
  if (!s.trim()) return []
  return s.split('\\').map((part) => part.trim())
}
