// Finding the image series in a set of DICOM files and reading it as one volume.
// Pixel decoding, slice ordering by position and rescale are ITK/GDCM's (itk-wasm);
// the grouping and the choice of the primary series are ours.
import path from 'node:path'
import type { Image } from '../image/image.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { type DicomHeader, isSegmentation, isStructuredReport, sopClasses } from './dicom-header.js'
import { applySliceAxis, sliceAxisFromPositions } from './slice-axis-from-positions.js'

export interface SeriesGroup {
  seriesInstanceUid: string
  modality: string
  description: string
  headers: DicomHeader[]
}

export interface DicomInventory {
  series: SeriesGroup[]
  segmentations: DicomHeader[]
  reports: DicomHeader[]
}

/** Split headers into image series (by UID, then orientation and matrix size), SEGs and SRs. */
export function inventoryDicom(headers: DicomHeader[]): DicomInventory {
  const groups = new Map<string, SeriesGroup>()
  const segmentations: DicomHeader[] = []
  const reports: DicomHeader[] = []
  for (const header of headers) {
    if (isSegmentation(header)) segmentations.push(header)
    else if (isStructuredReport(header)) reports.push(header)
    else if (header.rows > 0 && header.columns > 0) {
      const orientation = (header.imageOrientationPatient ?? []).map((v) => v.toFixed(4)).join('\\')
      const key = `${header.seriesInstanceUid}|${orientation}|${header.rows}x${header.columns}`
      let group = groups.get(key)
      if (!group) {
        group = { seriesInstanceUid: header.seriesInstanceUid, modality: header.modality, description: header.seriesDescription, headers: [] }
        groups.set(key, group)
      }
      group.headers.push(header)
    }
  }
  return { series: [...groups.values()], segmentations, reports }
}

const rejectedImageTypes = ['LOCALIZER', 'SCREEN SAVE', 'SECONDARY', 'DOSE_INFO', 'DOSE INFO']

/** Why a series cannot be the primary volume, or undefined when it can. */
export function seriesRejection(group: SeriesGroup): string | undefined {
  const first = group.headers[0]
  if (first.sopClassUid === sopClasses.secondaryCapture) return 'secondary capture'
  const types = first.imageType.map((t) => t.toUpperCase())
  const rejected = rejectedImageTypes.find((t) => types.includes(t))
  if (rejected) return `image type ${rejected}`
  if (!first.imagePositionPatient || !first.imageOrientationPatient) return 'no Image Position/Orientation Patient'
  // A Siemens mosaic file holds a whole volume in one frame.
  if (group.headers.length < 2 && first.numberOfFrames < 2 && !types.includes('MOSAIC')) return 'a single slice'
  return undefined
}

/** Primary series: CT or MR first, then the one with most slices. */
export function choosePrimarySeries(inventory: DicomInventory, source: string): SeriesGroup {
  const candidates = inventory.series.filter((group) => !seriesRejection(group))
  if (!candidates.length) {
    const found = inventory.series.map((g) => `${g.seriesInstanceUid} (${seriesRejection(g)})`).join(', ')
    throw new BadInputError(`no usable image series${found ? `; found ${found}` : ''}`, { file: source })
  }
  const rank = (g: SeriesGroup) => (g.modality === 'CT' || g.modality === 'MR' ? 1 : 0)
  return [...candidates].sort((a, b) => rank(b) - rank(a) || frameCount(b) - frameCount(a))[0]
}

/** Slices of a group: its files' frames (an enhanced multi-frame file holds a whole stack). */
export function frameCount(group: SeriesGroup): number {
  return group.headers.reduce((n, h) => n + h.numberOfFrames, 0)
}

/** Transfer syntaxes GDCM (itk-wasm) decodes: uncompressed, deflated, RLE, JPEG, JPEG-LS, JPEG 2000. */
const gdcmDecodes = new Set([
  '1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.5',
  '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91',
])

/**
 * A Transfer Syntax UID no codec can know: outside the standard's root and not GE's private
 * implicit big endian (which GDCM reads). GDCM handed such a file (a corrupted UID) reads it as
 * something else and may grow its memory by hundreds of MB before failing with a bare number.
 */
function foreignTransferSyntax(uid: string): boolean {
  return !uid.startsWith('1.2.840.10008.1.2') && uid !== '1.2.840.113619.5.2'
}

export async function readDicomSeries(group: SeriesGroup): Promise<Image> {
  const files = group.headers.map((h) => path.resolve(h.file))
  const foreign = group.headers.find((h) => h.pixelFormat?.transferSyntaxUid && foreignTransferSyntax(h.pixelFormat.transferSyntaxUid))
  if (foreign) {
    throw new BadInputError(`transfer syntax ${foreign.pixelFormat!.transferSyntaxUid} is not a DICOM transfer syntax any decoder knows`, { file: foreign.file, field: 'TransferSyntaxUID' })
  }
  try {
    // Loaded on demand: GDCM's module is heavy, and uncompressed series never need it.
    const { readImageDicomFileSeriesNode } = await import('@itk-wasm/dicom')
    const { outputImage, sortedFilenames } = await readImageDicomFileSeriesNode({ inputImages: files, singleSortedSeries: false })
    const byFile = new Map(group.headers.map((h) => [path.resolve(h.file), h]))
    const stacked = (sortedFilenames as string[]).map((f) => byFile.get(path.resolve(f)))
    const axis = stacked.length === outputImage.size[2] && stacked.every((h) => h !== undefined) ? sliceAxisFromPositions(stacked as DicomHeader[]) : undefined
    return axis ? applySliceAxis(outputImage, axis) : outputImage
  } catch (error) {
    // Name the transfer syntax; blame it when GDCM has no codec for it.
    const syntaxes = [...new Set(group.headers.map((h) => h.pixelFormat?.transferSyntaxUid || '(none)'))]
    const unknown = syntaxes.some((uid) => !gdcmDecodes.has(uid))
    throw new BadInputError(`cannot read DICOM series ${group.seriesInstanceUid} (transfer syntax ${syntaxes.join(', ')}${unknown ? ', which GDCM does not decode' : ''}): ${errorMessage(error)}`, {
      file: path.dirname(files[0]),
      field: unknown ? 'TransferSyntaxUID' : 'PixelData',
    })
  }
}
