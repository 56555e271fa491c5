// Every transfer syntax of issue 3 decodes to the same Hounsfield units. Three real slices of
// ../shared/data/ct-chest-141 (Implicit VR Little Endian, 12-bit unsigned, intercept -1024) are
// re-encoded here by an encoder written from PS3.5 (test/support/dicom-encode.ts): implicit and
// explicit VR little endian, explicit VR big endian, deflated, RLE Lossless, JPEG Lossless SV1,
// and 12-/16-bit variants (unsigned with junk above the high bit; signed two's complement with the
// intercept moved so the HU stay the same). Expected values come from the original
// files' stored words (HU = stored - 1024), not from the reader under test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { DicomMessage, DicomMetaDictionary } from '../../src/io/dcmjs-parser.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { inventoryDicom } from '../../src/io/dicom-series.js'
import { readDicomVolume } from '../../src/io/dicom-volume.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { type Element, encodeDicomFile, encodeJpegLosslessFrame, encodeRleFrame, transferSyntaxes as ts } from '../support/dicom-encode.js'
import { dataPath } from '../support/paths.js'

interface Slice {
  dataset: Record<string, unknown>
  /** Stored 16-bit words as in the original file. */
  words: Uint16Array
  z: number
}

function readSlice(file: string): Slice {
  const bytes = readFileSync(file)
  const message = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  const dataset = DicomMetaDictionary.naturalizeDataset(message.dict) as Record<string, unknown>
  const pixels = (dataset.PixelData as ArrayBuffer[])[0]
  return { dataset, words: new Uint16Array(pixels.slice(0)), z: (dataset.ImagePositionPatient as number[])[2] }
}

interface Variant {
  name: string
  syntax: string
  bitsStored: number
  signed: boolean
  intercept: number
  /** Stored words of this variant from the original's. */
  words: (original: Uint16Array) => Uint16Array
  /** Encapsulated frame for compressed syntaxes. */
  frame?: (words: Uint16Array, rows: number, columns: number) => Uint8Array
}

const same = (w: Uint16Array) => w
// Unused high bits (12..15) filled with junk (an old overlay plane, say): readers must mask them.
const junkAbove12 = (w: Uint16Array) => Uint16Array.from(w, (v, i) => (v & 0x0fff) | ((i * 7 + 5) & 0xf) << 12)
// 12-bit two's complement: stored = original - 2048 (fits -2048..2047), intercept +1024; bits 12..15 zero.
const signed12 = (w: Uint16Array) => Uint16Array.from(w, (v) => (v - 2048) & 0x0fff)

// 16-bit two's complement HU (intercept 0), as many CTs store them.
const signed16 = (w: Uint16Array) => Uint16Array.from(w, (v) => (v - 1024) & 0xffff)

const variants: Variant[] = [
  { name: 'implicit VR little endian', syntax: ts.implicitLittle, bitsStored: 12, signed: false, intercept: -1024, words: same },
  { name: 'explicit VR little endian', syntax: ts.explicitLittle, bitsStored: 12, signed: false, intercept: -1024, words: same },
  { name: 'explicit VR big endian', syntax: ts.explicitBig, bitsStored: 12, signed: false, intercept: -1024, words: same },
  { name: 'deflated explicit VR little endian', syntax: ts.deflatedExplicitLittle, bitsStored: 12, signed: false, intercept: -1024, words: same },
  { name: 'RLE lossless', syntax: ts.rleLossless, bitsStored: 12, signed: false, intercept: -1024, words: same, frame: (w) => encodeRleFrame(w) },
  { name: 'JPEG lossless process 14 SV1', syntax: ts.jpegLosslessSv1, bitsStored: 12, signed: false, intercept: -1024, words: same, frame: (w, r, c) => encodeJpegLosslessFrame(w, r, c, 12) },
  { name: '12-bit unsigned, junk above the high bit, explicit LE', syntax: ts.explicitLittle, bitsStored: 12, signed: false, intercept: -1024, words: junkAbove12 },
  { name: '12-bit unsigned, junk above the high bit, big endian', syntax: ts.explicitBig, bitsStored: 12, signed: false, intercept: -1024, words: junkAbove12 },
  { name: '12-bit signed, explicit LE', syntax: ts.explicitLittle, bitsStored: 12, signed: true, intercept: 1024, words: signed12 },
  { name: '12-bit signed, big endian', syntax: ts.explicitBig, bitsStored: 12, signed: true, intercept: 1024, words: signed12 },
  { name: '16-bit signed, explicit LE', syntax: ts.explicitLittle, bitsStored: 16, signed: true, intercept: 0, words: signed16 },
  { name: '16-bit signed, JPEG lossless SV1', syntax: ts.jpegLosslessSv1, bitsStored: 16, signed: true, intercept: 0, words: signed16, frame: (w, r, c) => encodeJpegLosslessFrame(w, r, c, 16) },
  { name: '12-bit signed, RLE lossless', syntax: ts.rleLossless, bitsStored: 12, signed: true, intercept: 1024, words: signed12, frame: (w) => encodeRleFrame(w) },
]

function elementsOf(slice: Slice, variant: Variant, seriesUid: string, index: number): Element[] {
  const d = slice.dataset
  const text = (v: unknown) => (Array.isArray(v) ? v.map(String).join('\\') : String(v))
  const words = variant.words(slice.words)
  const pixelData: Element = variant.frame
    ? { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(0), fragments: [variant.frame(words, Number(d.Rows), Number(d.Columns))] }
    : { tag: 0x7fe00010, vr: 'OW', value: words }
  return [
    { tag: 0x00080008, vr: 'CS', value: 'ORIGINAL\\PRIMARY\\AXIAL' },
    { tag: 0x00080016, vr: 'UI', value: text(d.SOPClassUID) },
    { tag: 0x00080018, vr: 'UI', value: `${seriesUid}.${index + 1}` },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00180050, vr: 'DS', value: text(d.SliceThickness) },
    { tag: 0x0020000d, vr: 'UI', value: text(d.StudyInstanceUID) },
    { tag: 0x0020000e, vr: 'UI', value: seriesUid },
    { tag: 0x00200013, vr: 'IS', value: String(index + 1) },
    { tag: 0x00200032, vr: 'DS', value: text(d.ImagePositionPatient) },
    { tag: 0x00200037, vr: 'DS', value: text(d.ImageOrientationPatient) },
    { tag: 0x00200052, vr: 'UI', value: text(d.FrameOfReferenceUID) },
    { tag: 0x00280002, vr: 'US', value: [1] },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: [Number(d.Rows)] },
    { tag: 0x00280011, vr: 'US', value: [Number(d.Columns)] },
    { tag: 0x00280030, vr: 'DS', value: text(d.PixelSpacing) },
    { tag: 0x00280100, vr: 'US', value: [16] },
    { tag: 0x00280101, vr: 'US', value: [variant.bitsStored] },
    { tag: 0x00280102, vr: 'US', value: [variant.bitsStored - 1] },
    { tag: 0x00280103, vr: 'US', value: [variant.signed ? 1 : 0] },
    { tag: 0x00281052, vr: 'DS', value: String(variant.intercept) },
    { tag: 0x00281053, vr: 'DS', value: '1' },
    pixelData,
  ]
}

describe('transfer syntaxes and bit depths decode to the same HU', () => {
  let dir: string
  let slices: Slice[]
  let expected: Int16Array
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-syntax-'))
    slices = ['00-slice000.dcm', '00-slice001.dcm', '00-slice002.dcm'].map((f) => readSlice(dataPath('ct-chest-141', f)))
    // README: ct-chest-141 is 12-bit unsigned with RescaleIntercept -1024; DICOM order, k ascending in z.
    const ordered = [...slices].sort((a, b) => a.z - b.z)
    expected = new Int16Array(ordered.length * ordered[0].words.length)
    ordered.forEach((s, k) => s.words.forEach((v, p) => (expected[k * s.words.length + p] = (v & 0x0fff) - 1024)))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  variants.forEach((variant, v) => {
    it(`${variant.name} (${variant.syntax})`, async () => {
      const folder = path.join(dir, `v${v}`)
      const seriesUid = `1.2.826.0.1.3680043.9.7433.2.${v + 1}`
      const headers = []
      for (const [i, slice] of slices.entries()) {
        const file = path.join(folder, `${i}.dcm`)
        const bytes = encodeDicomFile(elementsOf(slice, variant, seriesUid, i), variant.syntax, String(slice.dataset.SOPClassUID), `${seriesUid}.${i + 1}`)
        await import('node:fs/promises').then((fs) => fs.mkdir(folder, { recursive: true }))
        writeFileSync(file, bytes)
        headers.push(await readDicomHeader(file))
      }
      expect(headers.map((h) => h.pixelFormat?.transferSyntaxUid)).toEqual(slices.map(() => variant.syntax))
      const { series } = inventoryDicom(headers)
      expect(series).toHaveLength(1)
      const volume = await readDicomVolume(series[0], { layout: 'dicom' })
      expect(volume.image.size).toEqual([512, 512, 3])
      const got = pixelsOf(volume.image)
      let mismatches = 0
      for (let i = 0; i < expected.length; i++) if (got[i] !== expected[i]) mismatches++
      expect(mismatches).toBe(0)
    })
  })

  it('a syntax GDCM cannot decode (HTJ2K 1.2.840.10008.1.2.4.201) is a BadInputError naming the folder and the transfer syntax UID', async () => {
    const folder = path.join(dir, 'htj2k')
    const seriesUid = '1.2.826.0.1.3680043.9.7433.2.99'
    const variant: Variant = { name: 'htj2k', syntax: '1.2.840.10008.1.2.4.201', bitsStored: 12, signed: false, intercept: -1024, words: same, frame: (w) => encodeRleFrame(w) }
    const headers = []
    await import('node:fs/promises').then((fs) => fs.mkdir(folder, { recursive: true }))
    for (const [i, slice] of slices.entries()) {
      const file = path.join(folder, `${i}.dcm`)
      writeFileSync(file, encodeDicomFile(elementsOf(slice, variant, seriesUid, i), variant.syntax, String(slice.dataset.SOPClassUID), `${seriesUid}.${i + 1}`))
      headers.push(await readDicomHeader(file))
    }
    const error = await readDicomVolume(inventoryDicom(headers).series[0], { layout: 'dicom' }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as BadInputError).file).toBe(folder)
    expect((error as BadInputError).field).toBe('TransferSyntaxUID')
    expect((error as Error).message).toMatch(/transfer syntax 1\.2\.840\.10008\.1\.2\.4\.201/)
  })
})
