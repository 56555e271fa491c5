// The few header fields voxelflow needs to classify and group DICOM files, read with dcmjs
// up to (not including) the pixel data.
import { readNaturalizedHeader } from './dcmjs-parser.js'
import { firstFramePlane, hasFunctionalGroups } from './dicom-enhanced.js'
import { type PixelDataExtent, pixelDataExtent } from './pixel-data-extent.js'
import { promises as fs } from 'node:fs'


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
  const handle = await fs.open(file, 'r')
  try {
    const probe = new Uint8Array(132)
    const { bytesRead } = await handle.read(probe, 0, 132, 0)
    return bytesRead === 132 && hasDicomPreamble(probe)
  } finally {
    await handle.close()
  }
}

export async function readDicomHeader(file: string): Promise<DicomHeader> {
  const { dataset, meta, bytes } = await readNaturalizedHeader(file)
  const firstFrame = firstFramePlane(dataset)
  const frames = Number(dataset.NumberOfFrames ?? 1) || 1
  const promised = Number(dataset.Rows ?? 0) * Number(dataset.Columns ?? 0) * frames * (Number(dataset.SamplesPerPixel ?? 1) || 1) * (Number(dataset.BitsAllocated ?? 0) / 8)
  const extent = pixelDataExtent(bytes, Number.isInteger(promised) && promised > 0 ? promised : undefined)
  return {
    file,
    // Some writers leave (0008,0016) empty and only fill the file meta's class (ct-abdomen-dicom).
    sopClassUid: text(dataset.SOPClassUID) || text(meta.MediaStorageSOPClassUID),
    sopInstanceUid: text(dataset.SOPInstanceUID) || text(meta.MediaStorageSOPInstanceUID),
    modality: text(dataset.Modality),
    seriesInstanceUid: text(dataset.SeriesInstanceUID),
    seriesDescription: text(dataset.SeriesDescription),
    frameOfReferenceUid: text(dataset.FrameOfReferenceUID),
    imageType: list(dataset.ImageType).map(String),
    rows: Number(dataset.Rows ?? 0),
    columns: Number(dataset.Columns ?? 0),
    imageOrientationPatient: numbers(dataset.ImageOrientationPatient) ?? firstFrame.iop,
    imagePositionPatient: numbers(dataset.ImagePositionPatient) ?? firstFrame.ipp,
    pixelSpacing: numbers(dataset.PixelSpacing),
    numberOfFrames: Number(dataset.NumberOfFrames ?? 1) || 1,
    functionalGroups: hasFunctionalGroups(dataset),
    pixelFormat: pixelFormatOf(dataset, meta, extent && bytes.length - extent.availableBytes),
    pixelData: extent,
  }
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

function pixelFormatOf(dataset: Record<string, unknown>, meta: Record<string, unknown>, pixelDataOffset: number | undefined): PixelFormat {
  return {
    transferSyntaxUid: text(meta.TransferSyntaxUID),
    bitsAllocated: Number(text(dataset.BitsAllocated) || 0),
    bitsStored: Number(text(dataset.BitsStored) || 0),
    pixelRepresentation: Number(text(dataset.PixelRepresentation) || 0),
    samplesPerPixel: Number(text(dataset.SamplesPerPixel) || 1),
    photometricInterpretation: text(dataset.PhotometricInterpretation),
    pixelSpacing: numbers(dataset.PixelSpacing),
    rescaleSlope: numbers(dataset.RescaleSlope)?.[0] ?? 1,
    rescaleIntercept: numbers(dataset.RescaleIntercept)?.[0] ?? 0,
    pixelDataOffset,
  }
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.length ? String(value[0]) : ''
  return value === undefined || value === null ? '' : String(value)
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  return value === undefined || value === null || value === '' ? [] : [value]
}

function numbers(value: unknown): number[] | undefined {
  const values = list(value).map(Number)
  return values.length && values.every(Number.isFinite) ? values : undefined
}
