// The DicomHeader of a file the lean reader understands (lean-dicom-parse.ts), with the same
// values the dcmjs-based reader gives for it (test/io/lean-dicom-header.test.ts compares both).
import type { DicomHeader } from './dicom-header.js'
import type { LeanDataset } from './lean-dicom-parse.js'

export function leanDicomHeader(file: string, d: LeanDataset): DicomHeader {
  const text = (keyword: string) => String(d.values.get(keyword)?.[0] ?? '')
  const count = (keyword: string, absent: number) => Number(d.values.get(keyword)?.[0] ?? absent)
  const pixelSpacing = numbers(d, 'PixelSpacing')
  return {
    file,
    // Some writers leave (0008,0016) empty and only fill the file meta's class (ct-abdomen-dicom).
    sopClassUid: text('SOPClassUID') || d.mediaStorageSopClassUid,
    sopInstanceUid: text('SOPInstanceUID') || d.mediaStorageSopInstanceUid,
    modality: text('Modality'),
    seriesInstanceUid: text('SeriesInstanceUID'),
    seriesDescription: text('SeriesDescription'),
    frameOfReferenceUid: text('FrameOfReferenceUID'),
    imageType: (d.values.get('ImageType') ?? []).map(String),
    rows: count('Rows', 0),
    columns: count('Columns', 0),
    imageOrientationPatient: numbers(d, 'ImageOrientationPatient'),
    imagePositionPatient: numbers(d, 'ImagePositionPatient'),
    pixelSpacing,
    numberOfFrames: count('NumberOfFrames', 1) || 1,
    // Files with functional groups are left to dcmjs.
    functionalGroups: false,
    pixelFormat: {
      transferSyntaxUid: d.transferSyntaxUid,
      bitsAllocated: count('BitsAllocated', 0),
      bitsStored: count('BitsStored', 0),
      pixelRepresentation: count('PixelRepresentation', 0),
      samplesPerPixel: count('SamplesPerPixel', 1),
      photometricInterpretation: text('PhotometricInterpretation'),
      pixelSpacing: numbers(d, 'PixelSpacing'),
      rescaleSlope: numbers(d, 'RescaleSlope')?.[0] ?? 1,
      rescaleIntercept: numbers(d, 'RescaleIntercept')?.[0] ?? 0,
      pixelDataOffset: d.pixelDataOffset,
    },
    pixelData: { declaredBytes: d.pixelDataBytes, availableBytes: d.fileBytes - d.pixelDataOffset },
  }
}

/** A numeric attribute's values (the parser keeps numeric strings only when all are numbers). */
export function numbers(d: LeanDataset, keyword: string): number[] | undefined {
  const values = d.values.get(keyword)
  return values?.length ? (values as number[]).slice() : undefined
}
