// Uncompressed single-frame series (the common case: a few hundred Implicit or Explicit VR
// Little Endian slices) read without GDCM: each slice's Pixel Data is taken from the file at the
// offset the header reader found and rescaled with that slice's own slope and intercept.
// Why: starting GDCM's WebAssembly module and copying through it cost most of `convert`'s time
// on ct-chest-141. Anything else (compressed, big endian, colour, MONOCHROME1, multi-frame) is
// left to GDCM. The volume is in DICOM order (i = column, j = row, k ascending along the normal,
// origin at the first slice), as readDicomSeries returns it.
import { open } from 'node:fs/promises'
import { type Image, makeImage, type PixelArray } from '../image/image.js'
import { BadInputError } from '../pipeline/errors.js'
import type { DicomHeader } from './dicom-header.js'
import type { SliceGeometry } from './slice-geometry.js'

const littleEndianUncompressed = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'])

/** True when every slice can be read here. */
export function isPlainUncompressed(headers: DicomHeader[]): boolean {
  const first = headers[0]?.pixelFormat
  return headers.length > 1 && headers.every((h) => {
    const f = h.pixelFormat
    return f !== undefined && h.numberOfFrames === 1 && !h.functionalGroups &&
      littleEndianUncompressed.has(f.transferSyntaxUid) && f.samplesPerPixel === 1 &&
      f.photometricInterpretation === 'MONOCHROME2' && f.bitsAllocated === 16 &&
      f.bitsStored === first!.bitsStored && f.pixelRepresentation === first!.pixelRepresentation &&
      f.pixelSpacing?.length === 2 && f.pixelDataOffset !== undefined &&
      h.rows === headers[0].rows && h.columns === headers[0].columns &&
      (h.pixelData?.declaredBytes ?? 0) >= h.rows * h.columns * 2
  })
}

/** Read the slices in `geometry.files` order (ascending along the normal). */
export async function readUncompressedSeries(headers: DicomHeader[], geometry: SliceGeometry): Promise<Image> {
  const byFile = new Map(headers.map((h) => [h.file, h]))
  const ordered = geometry.files.map((f) => byFile.get(f) as DicomHeader)
  const { rows, columns } = ordered[0]
  const format = ordered[0].pixelFormat!
  const plane = rows * columns
  const signed = format.pixelRepresentation === 1
  const shift = 32 - format.bitsStored
  const integral = ordered.every((h) => Number.isInteger(h.pixelFormat!.rescaleSlope) && Number.isInteger(h.pixelFormat!.rescaleIntercept))
  // Output type from the stored range the header allows, before allocating.
  const storedMin = signed ? -(2 ** (format.bitsStored - 1)) : 0
  const storedMax = signed ? 2 ** (format.bitsStored - 1) - 1 : 2 ** format.bitsStored - 1
  let lo = Infinity
  let hi = -Infinity
  for (const h of ordered) for (const v of [storedMin, storedMax]) {
    const x = v * h.pixelFormat!.rescaleSlope + h.pixelFormat!.rescaleIntercept
    lo = Math.min(lo, x)
    hi = Math.max(hi, x)
  }
  const out: PixelArray = !integral ? new Float32Array(plane * ordered.length)
    : lo >= -32768 && hi <= 32767 ? new Int16Array(plane * ordered.length)
    : new Int32Array(plane * ordered.length)
  const buffer = Buffer.alloc(plane * 2)
  for (let k = 0; k < ordered.length; k++) {
    const h = ordered[k]
    const { rescaleSlope: m, rescaleIntercept: b, pixelDataOffset } = h.pixelFormat!
    const handle = await open(h.file, 'r')
    try {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, pixelDataOffset)
      if (bytesRead < buffer.length) throw new BadInputError(`pixel data ends after ${bytesRead} of ${buffer.length} bytes`, { file: h.file, field: 'PixelData' })
    } finally {
      await handle.close()
    }
    const base = k * plane
    for (let p = 0; p < plane; p++) {
      const raw = buffer[2 * p] | (buffer[2 * p + 1] << 8)
      // Bits above BitsStored are not part of the value (sign-extend or mask them).
      const stored = signed ? (raw << shift) >> shift : (raw << shift) >>> shift
      out[base + p] = stored * m + b
    }
  }
  const spacing = format.pixelSpacing!
  const r = geometry.rowDirection
  const c = geometry.columnDirection
  const n = geometry.normal
  return makeImage(
    {
      size: [columns, rows, ordered.length],
      spacing: [spacing[1], spacing[0], geometry.spacing.medianMm],
      origin: [...geometry.firstPosition],
      direction: [r[0], c[0], n[0], r[1], c[1], n[1], r[2], c[2], n[2]],
    },
    out,
  )
}
