// One slice of a generated axial CT series as an explicit little-endian Part 10 file: the
// elements the uncompressed reader needs (position along z from the slice index, 0.5 mm pixels,
// 16 bits allocated), with the coding under test (bits stored, sign, rescale) as parameters.
import { encodeDicomFile, transferSyntaxes } from './dicom-encode.js'

export interface AxialCtSlice {
  seriesUid: string
  frameOfReferenceUid: string
  /** File index; the slice lies at z = position mm. */
  index: number
  position: number
  rows: number
  columns: number
  bitsStored: number
  signed: boolean
  intercept: string
  slope: string
  pixels: Uint16Array
}

export function axialCtSliceFile(s: AxialCtSlice): Uint8Array {
  const sopUid = `${s.seriesUid}.${s.index + 1}`
  return encodeDicomFile([
    { tag: 0x00080008, vr: 'CS', value: 'ORIGINAL\\PRIMARY\\AXIAL' },
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: 0x00080018, vr: 'UI', value: sopUid },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x0020000e, vr: 'UI', value: s.seriesUid },
    { tag: 0x00200032, vr: 'DS', value: `-20\\-18\\${s.position}` },
    { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
    { tag: 0x00200052, vr: 'UI', value: s.frameOfReferenceUid },
    { tag: 0x00280002, vr: 'US', value: [1] },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: [s.rows] },
    { tag: 0x00280011, vr: 'US', value: [s.columns] },
    { tag: 0x00280030, vr: 'DS', value: '0.5\\0.5' },
    { tag: 0x00280100, vr: 'US', value: [16] },
    { tag: 0x00280101, vr: 'US', value: [s.bitsStored] },
    { tag: 0x00280102, vr: 'US', value: [s.bitsStored - 1] },
    { tag: 0x00280103, vr: 'US', value: [s.signed ? 1 : 0] },
    { tag: 0x00281052, vr: 'DS', value: s.intercept },
    { tag: 0x00281053, vr: 'DS', value: s.slope },
    { tag: 0x7fe00010, vr: 'OW', value: s.pixels },
  ], transferSyntaxes.explicitLittle, '1.2.840.10008.5.1.4.1.1.2', sopUid)
}
