// The image type of voxelflow is itk-wasm's Image: origin, spacing and a row-major 3x3
// direction matrix (columns = index axes, in LPS mm, as ITK), data in x-fastest order.
import type { Image, TypedArray } from 'itk-wasm'

export type { Image, TypedArray }

export type PixelArray = Int16Array | Uint8Array | Int8Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array

export type ComponentType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64'

const arrayOf: Record<ComponentType, new (n: number) => PixelArray> = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
}

export function allocatePixels(type: ComponentType, count: number): PixelArray {
  return new arrayOf[type](count)
}

export function componentTypeOf(data: PixelArray): ComponentType {
  for (const [name, ctor] of Object.entries(arrayOf)) if (data instanceof ctor) return name as ComponentType
  throw new Error(`unsupported pixel array ${(data as object).constructor.name}`)
}

export function voxelCount(size: ArrayLike<number>): number {
  let n = 1
  for (let i = 0; i < size.length; i++) n *= size[i]
  return n
}

/** A 3-D scalar image on the given grid, holding `data` (length = product of size). */
export function makeImage(
  grid: { size: number[]; spacing: number[]; origin: number[]; direction: ArrayLike<number> },
  data: PixelArray,
  name = 'image',
): Image {
  if (data.length !== voxelCount(grid.size)) {
    throw new Error(`pixel count ${data.length} does not match size ${grid.size.join('x')}`)
  }
  return imageOf(grid, data, name)
}

/**
 * The grid and voxel type of an image whose voxels were streamed elsewhere as they were read
 * (e.g. straight into the output file): its data is an empty array of that type.
 */
export function voxellessImage(grid: { size: number[]; spacing: number[]; origin: number[]; direction: ArrayLike<number> }, type: ComponentType, name = 'image'): Image {
  return imageOf(grid, allocatePixels(type, 0), name)
}

function imageOf(grid: { size: number[]; spacing: number[]; origin: number[]; direction: ArrayLike<number> }, data: PixelArray, name: string): Image {
  return {
    imageType: { dimension: 3, componentType: componentTypeOf(data), pixelType: 'Scalar', components: 1 },
    name,
    origin: [...grid.origin],
    spacing: [...grid.spacing],
    direction: Float64Array.from(grid.direction),
    size: [...grid.size],
    metadata: new Map(),
    data,
  } as unknown as Image
}

/** The same grid with new pixels (type taken from `data`). */
export function withPixels(like: Image, data: PixelArray, name = like.name): Image {
  return makeImage(gridOf(like), data, name)
}

export interface Grid {
  size: number[]
  spacing: number[]
  origin: number[]
  direction: number[]
}

export function gridOf(image: Image): Grid {
  return {
    size: [...image.size],
    spacing: [...image.spacing],
    origin: [...image.origin],
    direction: Array.from(image.direction as ArrayLike<number>),
  }
}

export function pixelsOf(image: Image): PixelArray {
  return image.data as unknown as PixelArray
}
