// Cutting a slab out of a volume and putting slabs back. A slab is a self-describing image:
// same spacing and direction, origin moved to its first slice.
import { indexToPhysical } from '../image/geometry.js'
import { type Image, type PixelArray, allocatePixels, componentTypeOf, gridOf, makeImage, pixelsOf } from '../image/image.js'

/** Slices [k0, k1) of `image` as their own image. */
export function extractSlab(image: Image, k0: number, k1: number): Image {
  const grid = gridOf(image)
  const sliceVoxels = grid.size[0] * grid.size[1]
  const data = pixelsOf(image).slice(k0 * sliceVoxels, k1 * sliceVoxels) as PixelArray
  return makeImage(
    { ...grid, size: [grid.size[0], grid.size[1], k1 - k0], origin: indexToPhysical(grid, [0, 0, k0]) },
    data,
    image.name,
  )
}

/** The slices [from, from + count) of a slab image, as a typed-array view (no copy). */
export function slabSlices(image: Image, from: number, count: number): PixelArray {
  const sliceVoxels = image.size[0] * image.size[1]
  const data = pixelsOf(image)
  return data.subarray(from * sliceVoxels, (from + count) * sliceVoxels) as PixelArray
}

/**
 * Slices [from, from + count) of a slab image as their own image (a halo cropped off), sharing
 * the slab's memory (no copy: a chunk's image and labels are ~100 MB). Its pixels start at a
 * byteOffset: copy before handing it to itk-wasm, which ignores offsets.
 */
export function cropSlices(image: Image, from: number, count: number): Image {
  if (from === 0 && count === image.size[2]) return image
  const grid = gridOf(image)
  const pixels = slabSlices(image, from, count)
  return makeImage({ ...grid, size: [grid.size[0], grid.size[1], count], origin: indexToPhysical(grid, [0, 0, from]) }, pixels, image.name)
}

/** Allocate a whole volume and copy slab pixels in at slice offsets. */
export function stitchSlabs(
  grid: { size: number[]; spacing: number[]; origin: number[]; direction: number[] },
  slabs: { k0: number; pixels: PixelArray }[],
): Image {
  const type = componentTypeOf(slabs[0].pixels)
  const sliceVoxels = grid.size[0] * grid.size[1]
  const data = allocatePixels(type, sliceVoxels * grid.size[2])
  let covered = 0
  for (const slab of slabs) {
    if (componentTypeOf(slab.pixels) !== type) throw new Error('slabs of different pixel types')
    data.set(slab.pixels as never, slab.k0 * sliceVoxels)
    covered += slab.pixels.length
  }
  if (covered !== data.length) throw new Error(`slabs cover ${covered} of ${data.length} voxels`)
  return makeImage(grid, data)
}
