// A DICOM SEG and a TID 1500 SR for the small series of small-dicom.ts, written by the sample's
// encoders (the same ones `voxelflow sample` uses), and the ways they break: references to
// images that are not there, frames beside the image, another template, no points.
import { DicomMessage, DicomMetaDictionary } from '../../../src/io/dcmjs-parser.js'
import type { SampleTruth } from '../../../src/sample/phantom.js'
import { encodeSampleSeg } from '../../../src/sample/seg.js'
import { encodeSampleSr } from '../../../src/sample/sr.js'
import { encodePart10, type Dataset } from '../../../src/sample/part10.js'
import { series } from './small-dicom.js'

const seriesUid = '1.2.826.0.1.3680043.8.498.9001'
const code = { value: '91723000', scheme: 'SCT', meaning: 'Anatomical Structure' }
/** A landmark at the cube's corner voxel (4, 4, 1): LPS = origin (-8, -8, 0) + index (1 mm voxels). */
export const landmarkLps: [number, number, number] = [-4, -4, 1]

export interface SegBreak {
  /** Series and instance UIDs the SEG says its frames come from. */
  referencedSeriesUid?: string
  sliceUid?: (k: number) => string
  /** Shift of every frame's Plane Position along z (mm). */
  zShiftMm?: number
}

function truth(change: SegBreak = {}, landmarks = true): SampleTruth {
  const refSeries = change.referencedSeriesUid ?? seriesUid
  return {
    caseIndex: 0,
    seed: 9,
    caseId: 'hostile',
    patientId: 'hostile-0001',
    grid: { size: [series.columns, series.rows, series.slices], spacing: [...series.spacing], origin: [-8, -8, change.zShiftMm ?? 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    sliceThickness: series.spacing[2],
    bones: [{ value: 1, name: 'cube', label: 'cube', description: 'the bright cube', category: code, type: code, color: [255, 0, 0], primitives: [], volumeMl: 0 }],
    landmarks: landmarks ? [{ key: 'corner', name: 'cube corner', lps: landmarkLps }] : [],
    uids: {
      study: '1.2.826.0.1.3680043.8.498.9000',
      series: refSeries,
      frameOfReference: '1.2.826.0.1.3680043.8.498.9002',
      segSeries: '1.2.826.0.1.3680043.8.498.9003',
      seg: '1.2.826.0.1.3680043.8.498.9003.1',
      srSeries: '1.2.826.0.1.3680043.8.498.9004',
      sr: '1.2.826.0.1.3680043.8.498.9004.1',
      slice: change.sliceUid ?? ((k) => `${refSeries}.${k + 1}`),
    },
  } as unknown as SampleTruth // the encoders read grid, uids, bones, landmarks and ids only; no phantom body
}

/** The cube of small-dicom.ts as a one-segment BINARY SEG (frames on slices 1..4). */
export function cubeSeg(change: SegBreak = {}): Buffer {
  const labels = new Uint8Array(series.columns * series.rows * series.slices)
  const { from, to } = series.cube
  for (let k = from[2]; k < to[2]; k++) for (let j = from[1]; j < to[1]; j++) for (let i = from[0]; i < to[0]; i++) labels[(k * series.rows + j) * series.columns + i] = 1
  return Buffer.from(encodeSampleSeg(truth(change), labels))
}

/** A TID 1500 SR with one point (or none), optionally rewritten by `change`. */
export function landmarkSr(options: { points?: boolean; change?: (dataset: Dataset) => void } = {}): Buffer {
  const bytes = encodeSampleSr(truth({}, options.points ?? true))
  if (!options.change) return Buffer.from(bytes)
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const dataset = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(buffer).dict) as Dataset
  options.change(dataset)
  return Buffer.from(encodePart10(dataset))
}
