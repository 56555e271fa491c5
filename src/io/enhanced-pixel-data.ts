// The Pixel Data of an enhanced multi-frame file as native little-endian bytes, frame after
// frame, for the transfer syntaxes read without a codec library: uncompressed little endian
// (also inside a deflated dataset, which dcmjs inflates), explicit VR big endian (words swapped
// here: dcmjs hands OW over in file byte order), RLE Lossless (PS3.5 Annex G) and Deflated
// Image Frame Compression (raw deflate per frame); other encapsulated syntaxes (JPEG lossless,
// JPEG-LS, JPEG 2000) through GDCM as a frame codec (src/io/gdcm-frames.ts).
import zlib from 'node:zlib'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { decodeRleFrame } from './rle-lossless.js'
import { type FrameLayout, decodeFramesWithGdcm } from './gdcm-frames.js'

const littleEndian = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99'])
const bigEndian = '1.2.840.10008.1.2.2'
const rleLossless = '1.2.840.10008.1.2.5'
const deflatedImageFrames = '1.2.840.10008.1.2.8.1'

export type { FrameLayout }

/** Native little-endian pixel bytes of all frames, checked against the header's size before use. */
export async function enhancedPixelBytes(pixelData: unknown, syntax: string, layout: FrameLayout, file: string): Promise<Uint8Array> {
  const bytesPerSample = layout.bitsAllocated / 8
  const frameBytes = layout.rows * layout.columns * bytesPerSample
  const needed = frameBytes * layout.frames
  const size = `${layout.rows} x ${layout.columns} x ${layout.frames} frames of ${layout.bitsAllocated} bits need ${needed}`
  if (littleEndian.has(syntax) || syntax === bigEndian) {
    const data = bytesOf(Array.isArray(pixelData) ? pixelData[0] : pixelData)
    if (!data || data.byteLength < needed) throw new BadInputError(`pixel data holds ${data?.byteLength ?? 0} bytes; ${size}`, { file, field: 'PixelData' })
    if (syntax !== bigEndian || bytesPerSample === 1) return data
    const swapped = data.slice(0, needed)
    for (let i = 0; i < needed; i += bytesPerSample) swapped.subarray(i, i + bytesPerSample).reverse()
    return swapped
  }
  const fragments = (Array.isArray(pixelData) ? pixelData : []).map(bytesOf)
  if (!syntax || !fragments.length || fragments.some((f) => !f)) {
    throw new BadInputError(`transfer syntax ${syntax || '(none)'} without encapsulated pixel data fragments`, { file, field: 'TransferSyntaxUID' })
  }
  if (syntax !== rleLossless && syntax !== deflatedImageFrames) {
    const decoded = await decodeFramesWithGdcm(fragments.map((f) => f!.slice().buffer as ArrayBuffer), syntax, layout, file)
    if (decoded.length < needed) throw new BadInputError(`pixel data in transfer syntax ${syntax} decodes to ${decoded.length} bytes; ${size}`, { file, field: 'PixelData' })
    return decoded
  }
  if (fragments.length !== layout.frames || fragments.some((f) => !f)) {
    throw new BadInputError(`${fragments.length} pixel data fragments for NumberOfFrames ${layout.frames} (one fragment per frame is read)`, { file, field: 'PixelData' })
  }
  const out = new Uint8Array(needed)
  fragments.forEach((fragment, f) => {
    let frame: Uint8Array
    try {
      frame = syntax === rleLossless
        ? decodeRleFrame(fragment!, layout.rows * layout.columns, bytesPerSample)
        : new Uint8Array(zlib.inflateRawSync(fragment!, { maxOutputLength: frameBytes + 1 }))
    } catch (error) {
      throw new BadInputError(`frame ${f + 1}: cannot decode (${syntax}): ${errorMessage(error)}`, { file, field: 'PixelData' })
    }
    if (frame.length < frameBytes) throw new BadInputError(`frame ${f + 1} decodes to ${frame.length} bytes; ${layout.rows} x ${layout.columns} at ${layout.bitsAllocated} bits need ${frameBytes}`, { file, field: 'PixelData' })
    out.set(frame.subarray(0, frameBytes), f * frameBytes)
  })
  return out
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  return undefined
}
