// Whether a series is Siemens mosaics (ImageType MOSAIC): a check on headers alone, apart from
// the de-tiling code (mosaic-volume.ts) so callers need not load dcmjs to ask.
import type { DicomHeader } from './dicom-header.js'

export function isMosaicSeries(headers: DicomHeader[]): boolean {
  return headers.length > 0 && headers[0].imageType.some((t) => t.toUpperCase() === 'MOSAIC')
}
