// The DicomHeader of any DICOM file, read with dcmjs up to (not including) the pixel data:
// the general reader behind the lean one (lean-dicom-header.ts), for every file that one leaves
// alone (compressed, big endian, deflated, enhanced multi-frame, SEG, SR, unusual values).
import { readNaturalizedHeader } from './dcmjs-parser.js'
import { firstFramePlane, hasFunctionalGroups } from './dicom-enhanced.js'
import type { DicomHeader, PixelFormat } from './dicom-header.js'
import { pixelDataExtent } from './pixel-data-extent.js'

export async function readDicomHeaderWithDcmjs(file: string): Promise<DicomHeader> {
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
