// Acquisition attributes of one DICOM file that the series header reader does not keep:
// rescale, slice thickness, spacing between slices, gantry tilt, patient position, scanner.
// Read with the lean reader when it understands the file, else with dcmjs up to the pixel data;
// no patient identifiers are returned.
import { readLeanDataset } from './lean-dicom-parse.js'

export interface DicomAcquisition {
  rescaleSlope: number
  rescaleIntercept: number
  rescaleType?: string
  sliceThickness?: number
  /** As stored; may be negative (ct-chest-141) and is never used for geometry. */
  spacingBetweenSlices?: number
  /** GantryDetectorTilt (0018,1120), degrees, when present. */
  gantryDetectorTilt?: number
  patientPosition?: string
  manufacturer?: string
  manufacturerModelName?: string
  seriesNumber?: number
  pixelPaddingValue?: number
  transferSyntaxUid?: string
  bitsStored?: number
  pixelRepresentation?: number
  /** RepetitionTime (0018,0080), ms: the time step of a 4-D series. */
  repetitionTime?: number
}

export async function readDicomAcquisition(file: string): Promise<DicomAcquisition> {
  const lean = readLeanDataset(file)
  if (lean) {
    // Same shape as dcmjs's naturalized dataset for the attributes used below.
    const d = Object.fromEntries(lean.values)
    return acquisitionOf(d, { TransferSyntaxUID: lean.transferSyntaxUid })
  }
  const { readNaturalizedHeader } = await import('./dcmjs-parser.js')
  const { dataset, meta } = await readNaturalizedHeader(file)
  return acquisitionOf(dataset, meta)
}

function acquisitionOf(d: Record<string, unknown>, meta: Record<string, unknown>): DicomAcquisition {
  return {
    rescaleSlope: num(d.RescaleSlope) ?? 1,
    rescaleIntercept: num(d.RescaleIntercept) ?? 0,
    rescaleType: str(d.RescaleType),
    sliceThickness: num(d.SliceThickness),
    spacingBetweenSlices: num(d.SpacingBetweenSlices),
    gantryDetectorTilt: num(d.GantryDetectorTilt),
    patientPosition: str(d.PatientPosition),
    manufacturer: str(d.Manufacturer),
    manufacturerModelName: str(d.ManufacturerModelName),
    seriesNumber: num(d.SeriesNumber),
    pixelPaddingValue: signedPadding(num(d.PixelPaddingValue), num(d.PixelRepresentation)),
    transferSyntaxUid: str(meta.TransferSyntaxUID),
    bitsStored: num(d.BitsStored),
    pixelRepresentation: num(d.PixelRepresentation),
    // Enhanced MR keeps it in the shared MR Timing and Related Parameters functional group.
    repetitionTime: num(d.RepetitionTime) ?? num(item(item(d.SharedFunctionalGroupsSequence)?.MRTimingAndRelatedParametersSequence)?.RepetitionTime),
  }
}

/**
 * PixelPaddingValue is US or SS like the pixels (PixelRepresentation); in Implicit VR files the
 * reader cannot know which and reads US: ct-liver-ffs's -2000 comes back as 63536.
 */
function signedPadding(value: number | undefined, pixelRepresentation: number | undefined): number | undefined {
  return value !== undefined && pixelRepresentation === 1 && value > 32767 && value <= 65535 ? value - 65536 : value
}

function item(value: unknown): Record<string, unknown> | undefined {
  const v = first(value)
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value
}

function num(value: unknown): number | undefined {
  const v = first(value)
  if (v === undefined || v === null || v === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}

function str(value: unknown): string | undefined {
  const v = first(value)
  return v === undefined || v === null || v === '' ? undefined : String(v)
}
