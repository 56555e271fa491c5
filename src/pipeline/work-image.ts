// Intermediate images in the work bucket (chunk sources, chunk images and labels) as raw pixels
// behind a small JSON header, instead of NIfTI through itk-wasm: these objects are written and
// read once each by our own stages, so the wasm copies in and out (and, for a slab, the copy
// that cuts it from the volume) are pure overhead. Layout, little-endian:
//   "VFIMG1\n\0" | uint32 header length | header JSON, space-padded to a multiple of 8 | pixels
// The pixels start 8-byte aligned, so a read is a typed-array view on the downloaded bytes.
import os from 'node:os'
import { type ComponentType, type Grid, type Image, type PixelArray, componentTypeOf, gridOf, makeImage, pixelsOf, voxelCount } from '../image/image.js'
import { indexToPhysical } from '../image/geometry.js'
import { type ObjectStore, putConcatenated } from '../store/object-store.js'

const magic = new TextEncoder().encode('VFIMG1\n\0')
const bytesPer: Record<ComponentType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 }
const arrayOf = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
} as const

interface WorkImageHeader extends Grid {
  componentType: ComponentType
}

/** Store slices [k0, k1) of `image` (default: all) as one work object, without cutting a copy first. */
export async function putWorkImage(store: ObjectStore, key: string, image: Image, k0 = 0, k1 = image.size[2]): Promise<void> {
  if (os.endianness() !== 'LE') throw new Error('work images are little-endian; this machine is not')
  const grid = gridOf(image)
  const sliceVoxels = grid.size[0] * grid.size[1]
  const pixels = pixelsOf(image).subarray(k0 * sliceVoxels, k1 * sliceVoxels)
  const header: WorkImageHeader = {
    ...grid,
    size: [grid.size[0], grid.size[1], k1 - k0],
    origin: indexToPhysical(grid, [0, 0, k0]),
    componentType: componentTypeOf(pixels as PixelArray),
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const headerBytes = Math.ceil((magic.length + 4 + json.length) / 8) * 8
  const head = new Uint8Array(headerBytes)
  head.set(magic, 0)
  new DataView(head.buffer).setUint32(magic.length, json.length, true)
  head.fill(0x20, magic.length + 4, headerBytes)
  head.set(json, magic.length + 4)
  const voxels = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  // The pixels are taken where they are where the store writes parts (a source slab is ~37 MB: its copy
  // and the fresh pages cost prepare ~0.1 s per case).
  await putConcatenated(store, key, [head, voxels], 'application/octet-stream')
}

export async function getWorkImage(store: ObjectStore, key: string): Promise<Image> {
  return decodeWorkImage(await store.get(key), `${store.bucket}/${key}`)
}

export function decodeWorkImage(bytes: Uint8Array, name: string): Image {
  if (bytes.length < magic.length + 4 || magic.some((b, n) => bytes[n] !== b)) throw new Error(`${name} is not a work image`)
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(magic.length, true)
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(magic.length + 4, magic.length + 4 + jsonLength))) as WorkImageHeader
  const headerBytes = Math.ceil((magic.length + 4 + jsonLength) / 8) * 8
  const count = voxelCount(header.size)
  const width = bytesPer[header.componentType]
  if (bytes.length !== headerBytes + count * width) throw new Error(`${name}: ${bytes.length} bytes, the header says ${headerBytes + count * width}`)
  const Pixels = arrayOf[header.componentType]
  const offset = bytes.byteOffset + headerBytes
  // A view when aligned (the usual case: large reads get their own buffer), else one copy.
  const pixels = offset % width === 0
    ? new Pixels(bytes.buffer as ArrayBuffer, offset, count)
    : new Pixels(bytes.slice(headerBytes).buffer, 0, count)
  return makeImage(header, pixels as PixelArray)
}
