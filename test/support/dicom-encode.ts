// Test support: write one DICOM Part 10 file in a chosen transfer syntax from a list of elements
// (PS3.5 chapter 7 data elements, chapter 10 transfer syntaxes, Annex A encapsulation), plus the
// two frame codecs the tests need: RLE Lossless (PS3.5 Annex G, PackBits segments) and JPEG
// Lossless process 14 selection value 1 (ITU T.81 Annex H, one fixed Huffman table). Written for
// the tests from the standard, so decoders are checked against an independent encoder.
import zlib from 'node:zlib'

export const transferSyntaxes = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  rleLossless: '1.2.840.10008.1.2.5',
} as const

export interface Element {
  /** (group << 16) | element */
  tag: number
  vr: string
  /** Text (string VRs, multiple values joined by "\\"), numbers (US/SS/UL), 16-bit words (OW) or bytes (OB). */
  value: string | number[] | Uint16Array | Uint8Array
  /** OB pixel data of an encapsulated syntax: one fragment per frame. */
  fragments?: Uint8Array[]
}

const longVrs = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'])

/** A Part 10 file: preamble, "DICM", file meta (explicit VR LE), then the dataset in `syntax`. */
export function encodeDicomFile(elements: Element[], syntax: string, sopClassUid: string, sopInstanceUid: string): Uint8Array {
  const metaBody = Buffer.concat([
    encodeElement({ tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) }, false, true),
    encodeElement({ tag: 0x00020002, vr: 'UI', value: sopClassUid }, false, true),
    encodeElement({ tag: 0x00020003, vr: 'UI', value: sopInstanceUid }, false, true),
    encodeElement({ tag: 0x00020010, vr: 'UI', value: syntax }, false, true),
    encodeElement({ tag: 0x00020012, vr: 'UI', value: '1.2.826.0.1.3680043.9.7433.1.1' }, false, true),
  ])
  const groupLength = encodeElement({ tag: 0x00020000, vr: 'UL', value: [metaBody.length] }, false, true)
  const implicit = syntax === transferSyntaxes.implicitLittle
  const little = syntax !== transferSyntaxes.explicitBig
  const sorted = [...elements].sort((a, b) => a.tag - b.tag)
  let dataset = Buffer.concat(sorted.map((e) => encodeElement(e, implicit, little)))
  // Deflated: the whole dataset after the file meta, raw deflate (RFC 1951, no zlib header).
  if (syntax === transferSyntaxes.deflatedExplicitLittle) dataset = zlib.deflateRawSync(dataset)
  const preamble = new Uint8Array(132)
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128)
  return Buffer.concat([preamble, groupLength, metaBody, dataset])
}

function encodeElement(e: Element, implicit: boolean, little: boolean): Uint8Array {
  const value = e.fragments ? encapsulate(e.fragments) : valueBytes(e, little)
  const undefinedLength = e.fragments !== undefined
  const length = undefinedLength ? 0xffffffff : value.length
  const head = new Uint8Array(implicit ? 8 : longVrs.has(e.vr) ? 12 : 8)
  const view = new DataView(head.buffer)
  view.setUint16(0, e.tag >>> 16, little)
  view.setUint16(2, e.tag & 0xffff, little)
  if (implicit) view.setUint32(4, length, little)
  else {
    head[4] = e.vr.charCodeAt(0)
    head[5] = e.vr.charCodeAt(1)
    if (longVrs.has(e.vr)) view.setUint32(8, length, little)
    else view.setUint16(6, length, little)
  }
  return Buffer.concat([head, value])
}

function valueBytes(e: Element, little: boolean): Uint8Array {
  const v = e.value
  if (typeof v === 'string') {
    const bytes = Buffer.from(v, 'latin1')
    if (bytes.length % 2 === 0) return new Uint8Array(bytes)
    return Buffer.concat([new Uint8Array(bytes), new Uint8Array([e.vr === 'UI' ? 0 : 0x20])])
  }
  if (v instanceof Uint8Array) return v.length % 2 ? Buffer.concat([v, new Uint8Array(1)]) : v
  const words = e.vr === 'UL' || e.vr === 'SL' ? 4 : 2
  const out = new Uint8Array(v.length * words)
  const view = new DataView(out.buffer)
  for (let i = 0; i < v.length; i++) {
    if (words === 4) view.setUint32(4 * i, v[i] >>> 0, little)
    else view.setUint16(2 * i, v[i] & 0xffff, little)
  }
  return out
}

/** Encapsulated pixel data: an empty Basic Offset Table item, one item per fragment, the delimiter. */
function encapsulate(fragments: Uint8Array[]): Uint8Array {
  const item = (data: Uint8Array, tag = 0xe000) => {
    const padded = data.length % 2 ? Buffer.concat([data, new Uint8Array(1)]) : data
    const head = new Uint8Array(8)
    const view = new DataView(head.buffer)
    view.setUint16(0, 0xfffe, true)
    view.setUint16(2, tag, true)
    view.setUint32(4, padded.length, true)
    return Buffer.concat([head, padded])
  }
  return Buffer.concat([item(new Uint8Array(0)), ...fragments.map((f) => item(f)), item(new Uint8Array(0), 0xe0dd)])
}

/** One RLE Lossless frame of 16-bit samples: header + 2 segments (high bytes, then low bytes). */
export function encodeRleFrame(samples: Uint16Array): Uint8Array {
  const high = Uint8Array.from(samples, (s) => s >> 8)
  const low = Uint8Array.from(samples, (s) => s & 0xff)
  const segments = [packBits(high), packBits(low)]
  const header = new Uint8Array(64)
  const view = new DataView(header.buffer)
  view.setUint32(0, segments.length, true)
  let offset = 64
  segments.forEach((s, i) => {
    view.setUint32(4 + 4 * i, offset, true)
    offset += s.length
  })
  return Buffer.concat([header, ...segments])
}

/** PackBits (Annex G.3.1): runs of 2..128 equal bytes as (257 - n, byte), else literals of 1..128 bytes as (n - 1, bytes). Even length. */
function packBits(bytes: Uint8Array): Uint8Array {
  const out: number[] = []
  let i = 0
  while (i < bytes.length) {
    let run = 1
    while (i + run < bytes.length && run < 128 && bytes[i + run] === bytes[i]) run++
    if (run >= 2) {
      out.push(257 - run, bytes[i])
      i += run
      continue
    }
    const start = i
    while (i < bytes.length && i - start < 128 && !(i + 1 < bytes.length && bytes[i + 1] === bytes[i])) i++
    if (i === start) i++ // a single byte before a run
    out.push(i - start - 1, ...bytes.subarray(start, i))
  }
  if (out.length % 2) out.push(0x80) // -128: no operation, pads the segment to an even length
  return Uint8Array.from(out)
}

/**
 * One JPEG Lossless frame (SOF3, predictor 1, point transform 0) of `precision`-bit samples. The
 * Huffman table gives each difference category 0..16 a 5-bit code (17 codes of 32: a valid prefix
 * code, no all-ones code), so no statistics are needed.
 */
export function encodeJpegLosslessFrame(samples: Uint16Array, rows: number, columns: number, precision: number): Uint8Array {
  const out: number[] = [0xff, 0xd8]
  const segment = (marker: number, body: number[]) => out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body)
  segment(0xc3, [precision, rows >> 8, rows & 0xff, columns >> 8, columns & 0xff, 1, 1, 0x11, 0])
  const counts = new Array(16).fill(0)
  counts[4] = 17 // 17 codes of length 5
  segment(0xc4, [0x00, ...counts, ...Array.from({ length: 17 }, (_, s) => s)])
  segment(0xda, [1, 1, 0x00, 1, 0, 0])
  let bitBuffer = 0
  let bitCount = 0
  const put = (value: number, bits: number) => {
    for (let b = bits - 1; b >= 0; b--) {
      bitBuffer = (bitBuffer << 1) | ((value >>> b) & 1)
      if (++bitCount === 8) {
        out.push(bitBuffer)
        if (bitBuffer === 0xff) out.push(0) // byte stuffing
        bitBuffer = 0
        bitCount = 0
      }
    }
  }
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) {
    const x = samples[r * columns + c]
    // Predictor 1 (left); the first row uses the left sample, the first column the sample above, the first sample 2^(P-1).
    const prediction = r === 0 && c === 0 ? 1 << (precision - 1) : c === 0 ? samples[(r - 1) * columns] : samples[r * columns + c - 1]
    let diff = (x - prediction) & 0xffff // modulo 2^16 (H.1.2.1)
    if (diff >= 0x8000) diff -= 0x10000
    if (diff === -0x8000) diff = 0x8000
    const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1
    put(category, 5)
    if (category > 0 && category < 16) put(diff > 0 ? diff : diff - 1 + (1 << category), category)
  }
  if (bitCount) put((1 << (8 - bitCount)) - 1, 8 - bitCount) // pad with 1 bits
  out.push(0xff, 0xd9)
  return Uint8Array.from(out)
}
