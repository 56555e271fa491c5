// A small CT series written by the sample's Part 10 encoder (dcmjs underneath): a 16 x 16 x 6
// volume of 1 mm voxels with a bright 8 x 8 x 4 cube, and the ways real uploads break it.
import { writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { encodePart10, type Dataset } from '../../../src/sample/part10.js'

export const series = { rows: 16, columns: 16, slices: 6, spacing: [1, 1, 1] as const, cube: { from: [4, 4, 1], to: [12, 12, 5] } }

/** Cube volume in mL: 8 x 8 x 4 voxels of 1 mm (isotropic, so resampling keeps the grid). */
export const cubeVolumeMl = (8 * 8 * 4) / 1000

export interface SliceOptions {
  omit?: string[]
  override?: Dataset
}

export function ctSlice(k: number, options: SliceOptions = {}, seriesUid = '1.2.826.0.1.3680043.8.498.9001'): Uint8Array {
  const rows = Number(options.override?.Rows ?? series.rows)
  const columns = Number(options.override?.Columns ?? series.columns)
  const pixels = new Int16Array(rows * columns).fill(24) // stored 24 -> -1000 HU
  if (k >= series.cube.from[2] && k < series.cube.to[2]) {
    for (let y = series.cube.from[1]; y < series.cube.to[1]; y++) for (let x = series.cube.from[0]; x < series.cube.to[0]; x++) pixels[y * columns + x] = 2024 // 1000 HU
  }
  const dataset: Dataset = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: `${seriesUid}.${k + 1}`,
    StudyInstanceUID: '1.2.826.0.1.3680043.8.498.9000',
    SeriesInstanceUID: seriesUid,
    FrameOfReferenceUID: '1.2.826.0.1.3680043.8.498.9002',
    Modality: 'CT',
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    PatientName: [{ Alphabetic: 'HOSTILE^TEST' }],
    PatientID: 'hostile-0001',
    InstanceNumber: k + 1,
    ImagePositionPatient: ['-8', '-8', String(k * series.spacing[2])],
    ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    PixelSpacing: [String(series.spacing[1]), String(series.spacing[0])],
    SliceThickness: String(series.spacing[2]),
    Rows: rows,
    Columns: columns,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    RescaleIntercept: '-1024',
    RescaleSlope: '1',
    ...options.override,
  }
  for (const name of options.omit ?? []) delete dataset[name]
  return encodePart10(dataset, { vr: 'OW', data: pixels })
}

/** Write slices into `folder`; `change(k)` gives per-slice options. */
export function writeSeries(folder: string, change: (k: number) => SliceOptions = () => ({}), seriesUid?: string): string {
  mkdirSync(folder, { recursive: true })
  for (let k = 0; k < series.slices; k++) writeFileSync(path.join(folder, `${seriesUid ?? 's'}-${k + 1}.dcm`), ctSlice(k, change(k), seriesUid))
  return folder
}
