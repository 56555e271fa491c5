// Writing naturalized datasets as DICOM Part 10 files (Explicit VR Little Endian) with dcmjs,
// and the value formatting DICOM asks for (DS strings of at most 16 characters).
import dcmjs from 'dcmjs'
import { deterministicUid } from './random.js'

const { DicomDict, DicomMessage, DicomMetaDictionary, WriteBufferStream } = dcmjs.data
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent')

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
export const IMPLEMENTATION_CLASS_UID = deterministicUid('voxelflow', 'implementation-class')
export const IMPLEMENTATION_VERSION_NAME = 'VOXELFLOW_01'

/** A naturalized dcmjs dataset: keyword -> value (sequences are arrays of datasets). */
export type Dataset = Record<string, unknown>

/** Decimal String: the shortest faithful rendering that fits DICOM's 16 characters. */
export function ds(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`DS value must be finite, got ${x}`)
  for (let digits = 10; digits >= 1; digits--) {
    let s = String(Number(x.toFixed(digits)))
    if (s === '-0') s = '0'
    if (s.length <= 16) return s
  }
  const s = x.toExponential(8)
  if (s.length <= 16) return s
  throw new Error(`cannot write ${x} as a DICOM DS`)
}

export const dsList = (xs: ArrayLike<number>): string[] => Array.from(xs, ds)

/** A coded concept as a one-item sequence value. */
export function codeItem(code: { value: string; scheme: string; meaning: string }): Dataset {
  return { CodeValue: code.value, CodingSchemeDesignator: code.scheme, CodeMeaning: code.meaning }
}

/** An ArrayBuffer holding exactly the bytes of `view`, padded to even length. */
export function evenBuffer(view: ArrayBufferView): ArrayBuffer {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
  const out = new Uint8Array(bytes.length + (bytes.length & 1))
  out.set(bytes)
  return out.buffer
}

function metaFor(sopClass: string, sopInstance: string): Dataset {
  return {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: sopInstance,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
    _vrMap: { FileMetaInformationVersion: 'OB' },
  }
}

function pixelDataElement(pixelData: { vr: 'OB' | 'OW'; data: ArrayBufferView }): Uint8Array {
  // Pixel Data (7FE0,0010) is the last element; writing it directly avoids dcmjs copying
  // large buffers through its growing write stream.
  const bytes = new Uint8Array(pixelData.data.buffer, pixelData.data.byteOffset, pixelData.data.byteLength)
  const length = bytes.length + (bytes.length & 1)
  const out = new Uint8Array(12 + length)
  const view = new DataView(out.buffer, 0, 12)
  view.setUint16(0, 0x7fe0, true)
  view.setUint16(2, 0x0010, true)
  view.setUint8(4, pixelData.vr.charCodeAt(0))
  view.setUint8(5, pixelData.vr.charCodeAt(1))
  view.setUint16(6, 0, true)
  view.setUint32(8, length, true)
  out.set(bytes, 12)
  return out
}
/**
 * Encode `dataset` (which must hold SOPClassUID and SOPInstanceUID) as a Part 10 file in
 * Explicit VR Little Endian, with `pixelData` (native, little endian) appended as Pixel Data.
 * Deterministic: the same inputs always give the same bytes.
 */
export function encodePart10(dataset: Dataset, pixelData?: { vr: 'OB' | 'OW'; data: ArrayBufferView }): Uint8Array {
  const sopClass = dataset.SOPClassUID as string | undefined
  const sopInstance = dataset.SOPInstanceUID as string | undefined
  if (!sopClass || !sopInstance) throw new Error('dataset needs SOPClassUID and SOPInstanceUID')
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(metaFor(sopClass, sopInstance)))
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset)
  const header = new Uint8Array(dict.write() as ArrayBuffer)
  return pixelData ? Buffer.concat([header, pixelDataElement(pixelData)]) : header
}

interface EncodedElement {
  tag: string
  bytes: Uint8Array
}

/** Each top-level element of `dataset` encoded on its own by dcmjs (Explicit VR LE). */
function encodeElements(dataset: Dataset): EncodedElement[] {
  const dict = DicomMetaDictionary.denaturalizeDataset(dataset) as Record<string, unknown>
  return Object.keys(dict).map((tag) => {
    const stream = new WriteBufferStream(256, true)
    DicomMessage.write({ [tag]: dict[tag] }, stream, EXPLICIT_VR_LITTLE_ENDIAN, {})
    return { tag: tag.toUpperCase(), bytes: new Uint8Array(stream.getBuffer() as ArrayBuffer) }
  })
}

// ---------------------------------------------------------------------------------------
// A direct encoder for large, simply typed sequences (a SEG's per-frame functional groups).
// dcmjs allocates several buffers per element, which makes thousands of small nested items
// slow; this writes the same bytes dcmjs would (tags and VRs from dcmjs's dictionary,
// undefined-length sequences and items, even padding) for string, US/UL/SS/SL/FL/FD and SQ
// values, and is checked against dcmjs byte for byte in the tests.

const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UI', 'UC', 'UR', 'UT'])
const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT'])
const NUMERIC: Record<string, [number, (v: DataView, o: number, x: number) => void]> = {
  US: [2, (v, o, x) => v.setUint16(o, x, true)],
  SS: [2, (v, o, x) => v.setInt16(o, x, true)],
  UL: [4, (v, o, x) => v.setUint32(o, x, true)],
  SL: [4, (v, o, x) => v.setInt32(o, x, true)],
  FL: [4, (v, o, x) => v.setFloat32(o, x, true)],
  FD: [8, (v, o, x) => v.setFloat64(o, x, true)],
}

function tagOf(name: string): { tag: number; key: string; vr: string } {
  const entry = (DicomMetaDictionary.nameMap as Record<string, { tag: string; vr: string }>)[name]
  if (!entry) throw new Error(`unknown DICOM keyword ${name}`)
  const key = entry.tag.replace(/[(),]/g, '').toUpperCase()
  return { tag: parseInt(key, 16), key, vr: entry.vr }
}

class ByteSink {
  private chunks: Uint8Array[] = []
  length = 0
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes)
    this.length += bytes.length
  }
  header(tag: number, vr: string, length: number): void {
    const long = LONG_LENGTH_VRS.has(vr)
    const out = new Uint8Array(long ? 12 : 8)
    const v = new DataView(out.buffer)
    v.setUint16(0, tag >>> 16, true)
    v.setUint16(2, tag & 0xffff, true)
    v.setUint8(4, vr.charCodeAt(0))
    v.setUint8(5, vr.charCodeAt(1))
    if (long) v.setUint32(8, length >>> 0, true)
    else v.setUint16(6, length, true)
    this.push(out)
  }
  delimiter(element: number, length = 0): void {
    const out = new Uint8Array(8)
    const v = new DataView(out.buffer)
    v.setUint16(0, 0xfffe, true)
    v.setUint16(2, element, true)
    v.setUint32(4, length >>> 0, true)
    this.push(out)
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks)
  }
}

function writeDatasetFast(sink: ByteSink, dataset: Dataset): void {
  const names = Object.keys(dataset).filter((n) => n !== '_vrMap' && dataset[n] !== undefined)
  const entries = names.map((n) => ({ name: n, ...tagOf(n) })).sort((a, b) => a.tag - b.tag)
  for (const { name, tag, vr } of entries) writeElementFast(sink, tag, vr, dataset[name])
}

function writeElementFast(sink: ByteSink, tag: number, vr: string, value: unknown): void {
  const values = value === null ? [] : Array.isArray(value) ? value : [value]
  if (vr === 'SQ') {
    sink.header(tag, 'SQ', 0xffffffff)
    for (const item of values as Dataset[]) {
      sink.delimiter(0xe000, 0xffffffff)
      writeDatasetFast(sink, item)
      sink.delimiter(0xe00d)
    }
    sink.delimiter(0xe0dd)
  } else if (STRING_VRS.has(vr)) {
    let text = values.map(String).join('\\')
    if (text.length & 1) text += vr === 'UI' ? '\0' : ' '
    const bytes = new Uint8Array(text.length)
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c > 127) throw new Error(`non-ASCII text in ${vr} element`)
      bytes[i] = c
    }
    sink.header(tag, vr, bytes.length)
    sink.push(bytes)
  } else if (NUMERIC[vr]) {
    const [size, set] = NUMERIC[vr]
    const out = new Uint8Array(size * values.length)
    const v = new DataView(out.buffer)
    values.forEach((x, i) => set(v, i * size, Number(x)))
    sink.header(tag, vr, out.length)
    sink.push(out)
  } else {
    throw new Error(`the direct encoder does not write VR ${vr}`)
  }
}

/** One top-level element encoded directly (see above); same bytes as dcmjs. */
export function encodeElementFast(name: string, value: unknown): EncodedElement {
  const { tag, key, vr } = tagOf(name)
  const sink = new ByteSink()
  writeElementFast(sink, tag, vr, value)
  return { tag: key, bytes: sink.bytes() }
}

/**
 * A Part 10 file from a dataset encoded by dcmjs plus elements encoded elsewhere (for
 * example by encodeElementFast), laid out in tag order.
 */
export function encodePart10With(dataset: Dataset, extra: EncodedElement[], pixelData?: { vr: 'OB' | 'OW'; data: ArrayBufferView }): Uint8Array {
  const sopClass = dataset.SOPClassUID as string | undefined
  const sopInstance = dataset.SOPInstanceUID as string | undefined
  if (!sopClass || !sopInstance) throw new Error('dataset needs SOPClassUID and SOPInstanceUID')
  return assemble(sopClass, sopInstance, [...encodeElements(dataset), ...extra], pixelData)
}

function assemble(sopClass: string, sopInstance: string, elements: EncodedElement[], pixelData?: { vr: 'OB' | 'OW'; data: ArrayBufferView }): Uint8Array {
  const sorted = [...elements].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].tag === sorted[i - 1].tag) throw new Error(`element ${sorted[i].tag} given twice`)
  }
  const meta = new DicomDict(DicomMetaDictionary.denaturalizeDataset(metaFor(sopClass, sopInstance)))
  const header = new Uint8Array(meta.write() as ArrayBuffer)
  return Buffer.concat([header, ...sorted.map((e) => e.bytes), ...(pixelData ? [pixelDataElement(pixelData)] : [])])
}

/**
 * Many files that share most of their attributes (the slices of a series): the shared
 * elements are encoded by dcmjs once, the per-file ones for each file, and the elements are
 * laid out in tag order exactly as dcmjs writes a whole dataset. Same bytes as encodePart10.
 */
export class Part10Series {
  private readonly shared: EncodedElement[]
  private readonly sopClass: string

  constructor(shared: Dataset) {
    this.sopClass = String(shared.SOPClassUID ?? '')
    if (!this.sopClass) throw new Error('the shared attributes need SOPClassUID')
    this.shared = encodeElements(shared)
  }

  encode(perFile: Dataset, pixelData?: { vr: 'OB' | 'OW'; data: ArrayBufferView }): Uint8Array {
    const sopInstance = perFile.SOPInstanceUID as string | undefined
    if (!sopInstance) throw new Error('the per-file attributes need SOPInstanceUID')
    return assemble(this.sopClass, sopInstance, [...this.shared, ...encodeElements(perFile)], pixelData)
  }
}
