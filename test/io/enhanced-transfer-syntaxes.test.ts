// Enhanced multi-frame files in other transfer syntaxes: the 4 Siemens XA10 files of
// ../shared/data/mr-enhanced (Explicit VR LE, 6 frames of 64 x 64 each) re-encoded as explicit VR
// big endian (words swapped, PS3.5 7.3), RLE Lossless (encoder from PS3.5 Annex G in test
// support), Deflated Image Frame Compression (raw deflate per frame) and JPEG Lossless SV1
// (encoder from ITU T.81 in test support, decoded by GDCM) must still convert to a 4-D NIfTI equal
// to the dcm2niix Ref voxel for voxel (README: 64x64x6x4). A syntax GDCM cannot decode (HTJ2K) is
// refused with a BadInputError naming the file and the transfer syntax.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { DicomMessage } from '../../src/io/dcmjs-parser.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { encodeJpegLosslessFrame, encodeRleFrame, transferSyntaxes as ts } from '../support/dicom-encode.js'
import { dataPath } from '../support/paths.js'
import { readRawNifti } from '../support/raw-nifti.js'

interface DicomDictLike {
  dict: Record<string, { vr?: string; Value?: unknown[] }>
  meta: Record<string, { vr?: string; Value?: unknown[] }>
  write(options?: Record<string, unknown>): ArrayBuffer
}

const htj2k = '1.2.840.10008.1.2.4.201'
const xa10 = dataPath('mr-enhanced', 'In', 'Siemens', 'XA10')

/** One XA10 file re-encoded: header as dcmjs reads it, pixel data encoded here. */
function reencode(file: string, syntax: string): Uint8Array {
  const bytes = readFileSync(file)
  const dicom = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as unknown as DicomDictLike
  const value = (tag: string) => Number(dicom.dict[tag].Value![0])
  const [rows, columns, frames] = [value('00280010'), value('00280011'), value('00280008')]
  expect(value('00280100')).toBe(16)
  const words = new Uint16Array((dicom.dict['7FE00010'].Value![0] as ArrayBuffer).slice(0, rows * columns * frames * 2))
  const frame = (f: number) => words.subarray(f * rows * columns, (f + 1) * rows * columns)
  if (syntax === ts.explicitBig) {
    // dcmjs writes OW bytes as given: hand it big-endian words.
    const swapped = new Uint8Array(words.length * 2)
    words.forEach((w, i) => swapped.set([w >> 8, w & 0xff], 2 * i))
    dicom.dict['7FE00010'] = { vr: 'OW', Value: [swapped.buffer] }
  } else {
    const encode = (f: number): Uint8Array =>
      syntax === ts.rleLossless ? encodeRleFrame(frame(f))
      : syntax === ts.jpegLosslessSv1 ? encodeJpegLosslessFrame(frame(f), rows, columns, 16)
      : syntax === htj2k ? encodeRleFrame(frame(f)) // not HTJ2K data: no decoder gets that far
      : new Uint8Array(zlib.deflateRawSync(new Uint8Array(frame(f).buffer.slice(frame(f).byteOffset, frame(f).byteOffset + frame(f).byteLength))))
    dicom.dict['7FE00010'] = { vr: 'OB', Value: Array.from({ length: frames }, (_, f) => encode(f).slice().buffer) }
  }
  dicom.meta['00020010'] = { vr: 'UI', Value: [syntax] }
  return new Uint8Array(dicom.write({ fragmentMultiframe: false }))
}

describe('enhanced multi-frame MR in other transfer syntaxes', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-enhanced-ts-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const writeSeries = (name: string, syntax: string): string => {
    const folder = path.join(dir, name)
    mkdirSync(folder)
    for (const f of readdirSync(xa10)) writeFileSync(path.join(folder, f), reencode(path.join(xa10, f), syntax))
    return folder
  }

  for (const [name, syntax] of [['big endian', ts.explicitBig], ['RLE lossless', ts.rleLossless], ['deflated image frames', '1.2.840.10008.1.2.8.1'], ['JPEG lossless SV1', ts.jpegLosslessSv1]] as const) {
    it(`${name} (${syntax}): the 4-D NIfTI equals the Ref`, async () => {
      const out = path.join(dir, `${syntax}.nii`)
      const r = await runConvertCommand(writeSeries(syntax, syntax), out)
      expect(r.sidecar.geometry.size).toEqual([64, 64, 6, 4])
      const ours = readRawNifti(out)
      const ref = readRawNifti(dataPath('mr-enhanced', 'Ref', 'Siemens_REST1_w_SMS_PF7-8_6.nii'))
      expect(ours.dims).toEqual(ref.dims)
      for (let row = 0; row < 3; row++) for (let c = 0; c < 4; c++) expect(Math.abs(ours.affine[row][c] - ref.affine[row][c])).toBeLessThan(1e-4)
      let mismatches = 0
      for (let i = 0; i < ref.raw.length; i++) if (ours.raw[i] * ours.sclSlope + ours.sclInter !== ref.raw[i]) mismatches++
      expect(mismatches).toBe(0)
    })
  }

  it('Philips B0 map in JPEG lossless: per-frame rescale still applies (GDCM only decodes), field map equal to the uncompressed file\'s', async () => {
    // The uncompressed file's field map equals Ref e2 (dicom-enhanced.test.ts); frames of two kinds carry two rescales.
    const philips = dataPath('mr-enhanced', 'In', 'Philips')
    const folder = path.join(dir, 'philips-jpeg')
    mkdirSync(folder)
    for (const f of readdirSync(philips)) writeFileSync(path.join(folder, f), reencode(path.join(philips, f), ts.jpegLosslessSv1))
    for (const frameType of [undefined, 'FIELD_MAP']) {
      const a = await runConvertCommand(philips, path.join(dir, `philips-${frameType}.nii`), { frameType })
      const b = await runConvertCommand(folder, path.join(dir, `philips-jpeg-${frameType}.nii`), { frameType })
      expect(b.sidecar.rescale).toEqual(a.sidecar.rescale)
      expect(readFileSync(b.output).subarray(352).equals(readFileSync(a.output).subarray(352))).toBe(true)
    }
  })

  it('HTJ2K (1.2.840.10008.1.2.4.201), which GDCM does not decode, is refused naming the file and the transfer syntax', async () => {
    const folder = writeSeries('htj2k', htj2k)
    const error = await runConvertCommand(folder, path.join(dir, 'htj2k.nii')).catch((e: Error) => e)
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as BadInputError).field).toBe('TransferSyntaxUID')
    expect(path.dirname((error as BadInputError).file!)).toBe(folder)
    expect((error as Error).message).toMatch(/transfer syntax 1\.2\.840\.10008\.1\.2\.4\.201/)
  })
})
