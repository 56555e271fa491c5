// A volume held as the slabs it was read in, without stitching them into one array: what needs
// only a few planes (the QC views, the shape pass at slab borders, a sampled display window)
// reads them through per-plane views, and the whole array is built only when something needs
// it (stitchSlabs copied ~230 MB on assemble's serial path for a 512x512x289 chest).
import { indexToPhysical } from '../image/geometry.js'
import { type Grid, type Image, type PixelArray, allocatePixels, componentTypeOf, gridOf, makeImage, pixelsOf } from '../image/image.js'
import { stitchSlabs } from './slab-image.js'

export interface SlabVolume {
  grid: Grid
  slabs: { k0: number; pixels: PixelArray }[]
  /** planes[k]: the voxels of plane k (a view into its slab), i fastest then j. */
  planes: PixelArray[]
}

/** The slabs as one volume on `grid`; every plane must be covered exactly once. */
export function slabVolume(grid: Grid, slabs: { k0: number; pixels: PixelArray }[]): SlabVolume {
  const [nx, ny, nz] = grid.size
  const sliceVoxels = nx * ny
  const type = componentTypeOf(slabs[0].pixels)
  const planes: PixelArray[] = Array.from({ length: nz }) // packed, not holey: read per sample in the QC views
  for (const { k0, pixels } of slabs) {
    if (componentTypeOf(pixels) !== type) throw new Error('slabs of different pixel types')
    const depth = pixels.length / sliceVoxels
    if (!Number.isInteger(depth) || k0 < 0 || k0 + depth > nz) throw new Error(`a slab of ${pixels.length} voxels at plane ${k0} does not fit ${grid.size.join('x')}`)
    for (let k = 0; k < depth; k++) {
      if (planes[k0 + k]) throw new Error(`plane ${k0 + k} is in two slabs`)
      planes[k0 + k] = pixels.subarray(k * sliceVoxels, (k + 1) * sliceVoxels) as PixelArray
    }
  }
  const missing = planes.findIndex((p) => !p)
  if (missing >= 0) throw new Error(`plane ${missing} is in no slab`)
  return { grid, slabs, planes }
}

/** An image or a slab volume, seen as a slab volume (an image is one slab; nothing is copied). */
export function asSlabVolume(volume: Image | SlabVolume): SlabVolume {
  return isSlabVolume(volume) ? volume : slabVolume(gridOf(volume), [{ k0: 0, pixels: pixelsOf(volume) }])
}

export function isSlabVolume(volume: Image | SlabVolume): volume is SlabVolume {
  return 'planes' in volume && 'slabs' in volume
}

/**
 * The whole volume as one image, its pixels owning their whole buffer: itk-wasm copies
 * `data.buffer` entire, ignoring a view's offset, and slabs read from the work bucket are views
 * behind a header. Without a copy only when a single slab covers the volume and owns its buffer.
 */
export function wholeImage(volume: SlabVolume): Image {
  if (volume.slabs.length > 1) return stitchSlabs(volume.grid, volume.slabs)
  const { pixels } = volume.slabs[0]
  const ownsBuffer = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength
  return makeImage(volume.grid, ownsBuffer ? pixels : (pixels.slice() as PixelArray))
}

/** Planes [k0, k1) copied into their own image (origin at plane k0). */
export function planesImage(volume: SlabVolume, k0: number, k1: number): Image {
  const { grid, planes } = volume
  const sliceVoxels = grid.size[0] * grid.size[1]
  const pixels = allocatePixels(componentTypeOf(planes[0]), sliceVoxels * (k1 - k0))
  for (let k = k0; k < k1; k++) pixels.set(planes[k] as never, (k - k0) * sliceVoxels)
  return makeImage({ ...grid, size: [grid.size[0], grid.size[1], k1 - k0], origin: indexToPhysical(grid, [0, 0, k0]) }, pixels)
}
