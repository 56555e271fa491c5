// The output grid of a DICOM series, built from the headers' slice geometry (not from the
// decoder's guess) in dcm2niix's layout: i = DICOM column, j = Rows - 1 - DICOM row, k = slices
// ascending along the slice normal (row x column). LPS direction columns [row, -column, normal],
// origin at the first slice's last row, slice spacing = median step along the normal.
// Why: GDCM via itk-wasm takes the slice axis sign from a negative SpacingBetweenSlices
// (ct-chest-141: direction z = -1 while its slices ascend in z), and uses the mean Euclidean
// IPP distance as spacing for tilted stacks. The voxel data is kept; only its order and the
// geometry are set here.
import type { Image } from '../image/image.js'
import { makeImage, pixelsOf, type PixelArray } from '../image/image.js'
import type { SliceGeometry } from './slice-geometry.js'

export interface DicomGridResult {
  image: Image
  /** True when the decoder's slice order was descending along the normal and was reversed. */
  reversedSlices: boolean
}

/** Re-lay `image` (as decoded, rows top to bottom) on the dcm2niix grid given by `geometry`. */
export function toDcm2niixGrid(image: Image, geometry: SliceGeometry): DicomGridResult {
  const [nx, ny, nz] = image.size
  if (nz !== geometry.sliceCount) {
    throw new Error(`decoded volume has ${nz} slices but the headers place ${geometry.sliceCount}`)
  }
  // Which end of the headers' order did the decoder start with? Its origin is that slice's IPP.
  const o = image.origin
  const dFirst = dist(o, geometry.firstPosition)
  const dLast = dist(o, geometry.lastPosition)
  const reversedSlices = nz > 1 && dLast < dFirst
  const [sx, sy] = image.spacing
  const r = geometry.rowDirection
  const c = geometry.columnDirection
  const n = geometry.normal
  const src = pixelsOf(image)
  const out = new (src.constructor as new (length: number) => PixelArray)(src.length)
  const plane = nx * ny
  for (let k = 0; k < nz; k++) {
    const sk = reversedSlices ? nz - 1 - k : k
    for (let j = 0; j < ny; j++) {
      const from = sk * plane + (ny - 1 - j) * nx
      out.set(src.subarray(from, from + nx), k * plane + j * nx)
    }
  }
  const first = geometry.firstPosition
  const origin = [0, 1, 2].map((a) => first[a] + (ny - 1) * sy * c[a])
  // Row-major 3x3, columns = index axes.
  const direction = [r[0], -c[0], n[0], r[1], -c[1], n[1], r[2], -c[2], n[2]]
  const spacing = [sx, sy, nz > 1 ? geometry.spacing.medianMm : image.spacing[2]]
  return { image: makeImage({ size: [nx, ny, nz], spacing, origin, direction }, out, image.name), reversedSlices }
}

function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
}
