// The slice axis of a volume read from single-frame DICOM files, rebuilt from the files' own
// Image Position/Orientation Patient in the order the reader stacked them. GDCM (through
// itk-wasm) takes the axis sign from SpacingBetweenSlices: ct-chest-141 (SpacingBetweenSlices
// -2) came back with slices stacked feet->head but a head->feet direction, i.e. flipped
// superior/inferior. The positions are the truth (design: "slice order by position").
import { type Image } from '../image/image.js'
import type { DicomHeader } from './dicom-header.js'

export interface SliceAxis {
  origin: number[]
  /** Row-major 3x3, columns = row direction, column direction, slice direction. */
  direction: number[]
  /** Mean distance between consecutive slices along the slice normal. */
  sliceSpacing: number
}

/** The slice axis of headers listed in stacking order, or undefined when positions are missing. */
export function sliceAxisFromPositions(stacked: DicomHeader[]): SliceAxis | undefined {
  if (stacked.length < 2) return undefined
  const first = stacked[0]
  const last = stacked[stacked.length - 1]
  const iop = first.imageOrientationPatient
  if (!iop || !first.imagePositionPatient || !last.imagePositionPatient) return undefined
  const row = iop.slice(0, 3)
  const column = iop.slice(3, 6)
  const normal = [
    row[1] * column[2] - row[2] * column[1],
    row[2] * column[0] - row[0] * column[2],
    row[0] * column[1] - row[1] * column[0],
  ]
  const along = (p: number[]) => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2]
  const extent = along(last.imagePositionPatient) - along(first.imagePositionPatient)
  if (Math.abs(extent) < 1e-6) return undefined
  const sign = Math.sign(extent)
  const slice = normal.map((v) => v * sign)
  return {
    origin: [...first.imagePositionPatient],
    direction: [row[0], column[0], slice[0], row[1], column[1], slice[1], row[2], column[2], slice[2]],
    sliceSpacing: Math.abs(extent) / (stacked.length - 1),
  }
}

/** Put the slice axis on the image read from those files (pixels unchanged). */
export function applySliceAxis(image: Image, axis: SliceAxis): Image {
  return {
    ...image,
    origin: [...axis.origin],
    spacing: [image.spacing[0], image.spacing[1], axis.sliceSpacing],
    direction: Float64Array.from(axis.direction),
  } as Image
}
