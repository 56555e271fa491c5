// The few header fields voxelflow needs to classify and group DICOM files, read up to (not
// including) the pixel data.
import { closeSync, openSync, readSync } from 'node:fs'
import { leanDicomHeader } from './lean-dicom-header.js'
import { readLeanDataset } from './lean-dicom-parse.js'
import type { PixelDataExtent } from './pixel-data-extent.js'


export interface DicomHeader {
  file: string
  sopClassUid: string
  sopInstanceUid: string
  modality: string
  seriesInstanceUid: string
  seriesDescription: string
  frameOfReferenceUid: string
  imageType: string[]
  rows: number
  columns: number
  imageOrientationPatient?: number[]
  imagePositionPatient?: number[]
  /** Pixel Spacing (row, column) of a single-frame image; enhanced objects keep it per frame. */
  pixelSpacing?: number[]
  numberOfFrames: number
  /** Enhanced multi-frame: geometry and rescale live in per-frame functional groups. */
  functionalGroups?: boolean
  /** What a decoder needs (src/io/uncompressed-series.ts reads uncompressed slices itself). */
  pixelFormat?: PixelFormat
  /** Pixel Data element extent (undefined when the file has no pixel data). */
  pixelData?: PixelDataExtent
}

export interface PixelFormat {
  transferSyntaxUid: string
  bitsAllocated: number
  bitsStored: number
  pixelRepresentation: number
  samplesPerPixel: number
  photometricInterpretation: string
  /** PixelSpacing: between rows, between columns (mm). */
  pixelSpacing?: number[]
  rescaleSlope: number
  rescaleIntercept: number
  /** Byte offset of the Pixel Data value in the file. */
  pixelDataOffset?: number
}

export const sopClasses = {
  segmentation: '1.2.840.10008.5.1.4.1.1.66.4',
  labelMapSegmentation: '1.2.840.10008.5.1.4.1.1.66.7',
  rawData: '1.2.840.10008.5.1.4.1.1.66',
  secondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
  /** Structured reports all live under this prefix. */
  structuredReportPrefix: '1.2.840.10008.5.1.4.1.1.88.',
} as const

/** True when the buffer starts with a DICOM Part 10 preamble ("DICM" at byte 128). */
export function hasDicomPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
}

export async function isDicomFile(file: string): Promise<boolean> {
  // Synchronous: 132 bytes of each of hundreds of files; thread-pool round trips cost more.
  const fd = openSync(file, 'r')
  try {
    const probe = new Uint8Array(132)
    const bytesRead = readSync(fd, probe, 0, 132, 0)
    return bytesRead === 132 && hasDicomPreamble(probe)
  } finally {
    closeSync(fd)
  }
}

/**
 * The header of one DICOM file: the lean reader for the common uncompressed single-frame file,
 * dcmjs (loaded only then) for everything else.
 */
export async function readDicomHeader(file: string): Promise<DicomHeader> {
  const lean = readLeanDataset(file)
  if (lean) return leanDicomHeader(file, lean)
  const { readDicomHeaderWithDcmjs } = await import('./dcmjs-dicom-header.js')
  return readDicomHeaderWithDcmjs(file)
}

export function isSegmentation(header: DicomHeader): boolean {
  return header.sopClassUid === sopClasses.segmentation || header.sopClassUid === sopClasses.labelMapSegmentation || header.modality === 'SEG'
}

/** Why an image file's pixels cannot be used, or undefined when they look complete. */
export function pixelDataProblem(header: DicomHeader): string | undefined {
  const extent = header.pixelData
  if (!extent) return 'no pixel data'
  if (extent.declaredBytes !== undefined && extent.availableBytes < extent.declaredBytes) {
    return `truncated: ${extent.availableBytes} of ${extent.declaredBytes} pixel data bytes present`
  }
  return undefined
}

export function isStructuredReport(header: DicomHeader): boolean {
  return header.sopClassUid.startsWith(sopClasses.structuredReportPrefix) || header.modality === 'SR'
}
