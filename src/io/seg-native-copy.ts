// dcmqi (DCMTK inside itk-wasm) has no RLE codec and does not know Deflated Image Frame
// Compression (1.2.840.10008.1.2.8.1, 2023): it refuses RLE SEGs and decodes deflated frames as
// if they were raw bits, i.e. silently wrong labels (pydicom-data liver_deflate.dcm). So such
// SEGs are decoded here frame by frame (PS3.5 Annex G PackBits segments; raw deflate per
// frame) and handed to dcmqi as a temporary Explicit VR Little Endian copy with native pixel
// data (1-bit frames packed back to back, as the native encoding has them). Other encapsulated
// syntaxes (JPEG 2000: liver_j2k.dcm, JPEG-LS, JPEG lossless) are decoded by GDCM (itk-wasm),
// which reads one multi-frame file as frames in stored order; what neither can decode is refused
// by name. Syntaxes dcmqi reads itself pass through.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { DicomMessage } from './dcmjs-parser.js'
import { decodeRleFrame } from './rle-lossless.js'

const readByDcmqi = new Set([
  '1.2.840.10008.1.2', // implicit VR LE
  '1.2.840.10008.1.2.1', // explicit VR LE
  '1.2.840.10008.1.2.1.99', // deflated explicit VR LE (the whole dataset)
  '1.2.840.10008.1.2.2', // explicit VR BE
])
const rleLossless = '1.2.840.10008.1.2.5'
const deflatedImageFrames = '1.2.840.10008.1.2.8.1'

/** What dcmjs's DicomMessage.readFile returns (its bundled types leave it open). */
interface DicomDictLike {
  dict: Record<string, { vr?: string; Value?: unknown[] } | undefined>
  meta: Record<string, { vr?: string; Value?: unknown[] } | undefined>
  write(): ArrayBuffer
}

export interface SegForDcmqi {
  /** The file dcmqi should read: the SEG itself, or a temporary native copy. */
  file: string
  /** Transfer syntax of the SEG as uploaded. */
  transferSyntaxUid: string
  cleanup: () => Promise<void>
}

/** The SEG as dcmqi can read it; `cleanup` removes a temporary copy. Never modifies `file`. */
export async function segForDcmqi(file: string): Promise<SegForDcmqi> {
  const bytes = await readFile(file)
  let dict: DicomDictLike
  try {
    dict = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { ignoreErrors: true }) as unknown as DicomDictLike
  } catch (error) {
    throw new BadInputError(`not a readable DICOM file (${errorMessage(error)})`, { file }, { cause: error })
  }
  const syntax = String(dict.meta['00020010']?.Value?.[0] ?? '')
  if (readByDcmqi.has(syntax)) return { file, transferSyntaxUid: syntax, cleanup: async () => {} }
  const value = (tag: string) => Number(dict.dict[tag]?.Value?.[0] ?? 0)
  const rows = value('00280010')
  const columns = value('00280011')
  const bitsAllocated = value('00280100')
  const frameCount = value('00280008') || 1
  const fragments = (dict.dict['7FE00010']?.Value ?? []) as ArrayBuffer[]
  if (!(rows > 0 && columns > 0) || (bitsAllocated !== 1 && bitsAllocated !== 8)) {
    throw new BadInputError(`Rows ${rows}, Columns ${columns}, BitsAllocated ${bitsAllocated}: a SEG has 1- or 8-bit frames`, { file, field: 'BitsAllocated' })
  }
  if (fragments.length !== frameCount && (syntax === rleLossless || syntax === deflatedImageFrames)) {
    throw new BadInputError(`${fragments.length} pixel data fragments for NumberOfFrames ${frameCount} (one fragment per frame is read)`, { file, field: 'PixelData' })
  }
  const framePixels = rows * columns
  const frameBytes = Math.ceil((framePixels * bitsAllocated) / 8)
  const native = new Uint8Array(Math.ceil((framePixels * frameCount * bitsAllocated) / 8))
  const byGdcm = syntax !== rleLossless && syntax !== deflatedImageFrames ? await decodeWithGdcm(file, syntax, framePixels * frameCount, bitsAllocated) : undefined
  if (byGdcm) {
    if (bitsAllocated === 8) native.set(byGdcm)
    else for (let p = 0; p < byGdcm.length; p++) if (byGdcm[p]) native[p >> 3] |= 1 << (p & 7)
  } else fragments.forEach((fragment, f) => {
    const where = `frame ${f + 1}`
    let decoded: Uint8Array
    try {
      decoded = syntax === rleLossless ? decodeRleFrame(new Uint8Array(fragment), frameBytes) : new Uint8Array(zlib.inflateRawSync(new Uint8Array(fragment), { maxOutputLength: frameBytes + 1 }))
    } catch (error) {
      throw new BadInputError(`${where}: cannot decode (${syntax}): ${errorMessage(error)}`, { file, field: 'PixelData' })
    }
    if (decoded.length < frameBytes) throw new BadInputError(`${where} decodes to ${decoded.length} bytes; ${rows} x ${columns} at ${bitsAllocated} bit need ${frameBytes}`, { file, field: 'PixelData' })
    if (bitsAllocated === 8) native.set(decoded.subarray(0, frameBytes), f * frameBytes)
    else {
      // Native 1-bit frames follow each other without padding to a byte (little-endian bit order).
      const base = f * framePixels
      for (let p = 0; p < framePixels; p++) if ((decoded[p >> 3] >> (p & 7)) & 1) native[(base + p) >> 3] |= 1 << ((base + p) & 7)
    }
  })
  dict.dict['7FE00010'] = { vr: 'OB', Value: [native.buffer] }
  dict.meta['00020010'] = { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] }
  const folder = await mkdtemp(path.join(os.tmpdir(), 'voxelflow-seg-'))
  const copy = path.join(folder, 'seg.dcm')
  await writeFile(copy, new Uint8Array(dict.write()))
  return { file: copy, transferSyntaxUid: syntax, cleanup: () => rm(folder, { recursive: true, force: true }) }
}

/** All frames' values through GDCM (frames in stored order, rows top to bottom); 1-bit values must be 0/1. */
async function decodeWithGdcm(file: string, syntax: string, count: number, bitsAllocated: number): Promise<ArrayLike<number>> {
  let data: ArrayLike<number>
  try {
    const { outputImage } = await readImageDicomFileSeriesNode({ inputImages: [path.resolve(file)], singleSortedSeries: true })
    data = outputImage.data as unknown as ArrayLike<number>
  } catch (error) {
    throw new BadInputError(`DICOM SEG pixel data in transfer syntax ${syntax || '(none)'} cannot be decoded: ${errorMessage(error)}`, { file, field: 'TransferSyntaxUID' })
  }
  if (data?.length !== count) throw new BadInputError(`DICOM SEG pixel data in transfer syntax ${syntax} decodes to ${data?.length ?? 0} values, not ${count}`, { file, field: 'PixelData' })
  if (bitsAllocated === 1) for (let p = 0; p < data.length; p++) {
    if (data[p] !== 0 && data[p] !== 1) throw new BadInputError(`DICOM SEG pixel data in transfer syntax ${syntax}: a 1-bit frame decodes to the value ${data[p]}`, { file, field: 'PixelData' })
  }
  return data
}
