// An uploaded NIfTI whose stored bytes ARE ITK's voxels, read with one native inflate: the data
// check (validate-nifti-file.ts) copies the voxel bytes into a SharedArrayBuffer sized from the
// already-checked header while it streams the file, and ITK reads the header alone for the
// image's type and geometry, so ITK's conventions (LPS, qform/sform choice, direction, origin)
// stay the reference. Saves ITK's WebAssembly inflate of the whole file (~2 s for a
// 512 x 512 x 600 int16 .nii.gz), which duplicated the check's own.
//
// ITK's informationOnly read still allocates the whole image inside its WebAssembly memory (0.8 s
// of CPU and 600 MB for that volume, plus the inflate of a .nii.gz), so ITK reads a copy of the
// header bytes (everything before vox_offset, extensions included) whose dim[1..3] are cut to at
// most 2: origin, spacing and direction come from pixdim and the qform/sform alone, and the size
// and the dim[i] metadata are put back from the checked header.
//
// The stored bytes are ITK's voxels only when ITK neither swaps nor rescales them nor changes their
// layout: a little-endian NIfTI-1 file on a little-endian machine (this ITK build reads no NIfTI-2
// file the tests could write, so NIfTI-2 stays with ITK's full read), scl_slope 0 or 1 with scl_inter 0
// (NiftiImageIO rescales otherwise, into float32 for integer types), and ITK reporting one scalar
// of the header's datatype per voxel on the header's 3-D grid. Anything else: undefined, and the
// caller reads the file through ITK in full.
import { createReadStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import type { Image, TypedArray } from '../image/image.js'
import type { Limits } from '../pipeline/config.js'
import { type NiftiHeader, scalarDatatypes } from './nifti-header.js'
import { type CheckedNifti, validateNiftiFile } from './validate-nifti-file.js'
import { validateNiftiFileInBackground } from './validate-nifti-in-background.js'
import { type VoxelArrival, arrivalCounter, voxelArrival } from './voxel-arrival.js'

/** ITK component type -> the typed array itk-wasm gives such an image. */
const arrayFor: Record<string, new (buffer: SharedArrayBuffer) => TypedArray> = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
}

/** An image whose voxels are still arriving (voxel-arrival.ts): await `arrival.complete` before trusting it. */
export interface ArrivingImage {
  image: Image
  arrival: VoxelArrival
}

/**
 * Undefined when the header already rules the direct read out. Else resolves as soon as ITK has
 * read the header, to the image whose voxels then arrive front to back while the check inflates
 * the file (a caller can start on the first slabs meanwhile), or to undefined, once the check has
 * passed, where ITK's reading of the header disagrees. The data check's BadInputError comes first.
 * @param checked what checkNiftiFileHeader returned: the sizes are bounded by the limits.
 */
export function readNiftiVoxelsArriving(file: string, checked: CheckedNifti, limits: Limits, name = file): Promise<ArrivingImage | undefined> | undefined {
  if (!storedBytesAreVoxels(checked.header)) return undefined
  const voxels = new SharedArrayBuffer(checked.voxels * checked.bytesPerVoxel)
  const voxelsInto = new Uint8Array(voxels)
  const arrived = arrivalCounter()
  const dataCheck = validateNiftiFileInBackground(file, limits, name, voxelsInto, arrived) ?? validateNiftiFile(file, limits, name, voxelsInto, arrived)
  const arrival = voxelArrival(arrived, checked.bytesPerVoxel, dataCheck)
  return (async () => {
    const information = await readHeaderWithItk(file, checked).catch(() => undefined)
    // ITK failing on the header alone, or reading other voxels than those stored: its full read
    // decides, once the check has given its verdict (which comes first)
    if (!information || !itkReadsStoredBytes(information, checked)) {
      await arrival.complete
      return undefined
    }
    const image = withHeaderSize(information, checked.header)
    return { image: { ...image, data: new arrayFor[image.imageType.componentType](voxels) }, arrival }
  })()
}

function storedBytesAreVoxels(h: NiftiHeader): boolean {
  const noRescaling = (h.sclSlope === 0 || h.sclSlope === 1) && h.sclInter === 0
  return h.version === 1 && h.littleEndian && os.endianness() === 'LE' && noRescaling && scalarDatatypes[h.datatype] !== undefined
}

/** @param image ITK's reading of the shrunk header (shrinkGrid). */
function itkReadsStoredBytes(image: Image, checked: CheckedNifti): boolean {
  const { dimension, components, pixelType, componentType } = image.imageType
  const shrunk = checked.header.dim.slice(1, 4).map((n) => Math.min(n, 2))
  return dimension === 3 && components === 1 && String(pixelType) === 'Scalar' &&
    componentType === scalarDatatypes[checked.header.datatype].name && componentType in arrayFor &&
    image.size.length === 3 && image.size.every((n, i) => n === shrunk[i])
}

/** ITK's Image for the header alone (no voxels), read from a private copy of the header bytes with a tiny grid. */
async function readHeaderWithItk(file: string, checked: CheckedNifti): Promise<Image> {
  const header = await leadingBytes(file, checked.compressed, Math.floor(checked.header.voxOffset))
  shrinkGrid(header, checked.header)
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'vf-nifti-header-'))
  try {
    // named as the input, so ITK's warnings (e.g. "unexpected scales in sform") still say which file
    const copy = path.join(folder, `${path.basename(file).replace(/(\.nii)?(\.gz)?$/i, '')}.nii`) // absolute, as itk-wasm needs
    await fs.writeFile(copy, header)
    const { niftiReadImageNode } = await import('@itk-wasm/image-io')
    const { couldRead, image } = await niftiReadImageNode(copy, { informationOnly: true })
    if (!couldRead) throw new Error('ITK cannot read the header')
    return image
  } finally {
    await fs.rm(folder, { recursive: true, force: true })
  }
}

/** dim[1..3] at most 2 (a 1 stays 1: ITK may treat a single slice differently), in little-endian NIfTI-1 header bytes. */
function shrinkGrid(bytes: Buffer, h: NiftiHeader): void {
  for (let i = 1; i <= 3; i++) bytes.writeInt16LE(Math.min(h.dim[i], 2), 40 + 2 * i)
}

/** The image ITK read from the shrunk header, with the header's own size and dim[1..3] metadata. */
function withHeaderSize(image: Image, h: NiftiHeader): Image {
  const size = image.size.map((n, i) => (i < 3 ? h.dim[i + 1] : n))
  const metadata = new Map(image.metadata as Map<string, unknown>)
  for (let i = 1; i <= 3; i++) if (metadata.has(`dim[${i}]`)) metadata.set(`dim[${i}]`, String(h.dim[i]))
  return { ...image, size, metadata } as Image
}

/** The first `length` bytes of the (inflated) file; fewer if it is shorter. */
async function leadingBytes(file: string, compressed: boolean, length: number): Promise<Buffer> {
  const source = createReadStream(file, compressed ? {} : { end: length - 1 })
  const bytes = compressed ? source.pipe(zlib.createGunzip()) : source
  source.on('error', (error) => bytes.destroy(error))
  const parts: Buffer[] = []
  let have = 0
  try {
    for await (const chunk of bytes) {
      parts.push(chunk as Buffer)
      have += (chunk as Buffer).length
      if (have >= length) break
    }
  } finally {
    source.destroy()
    bytes.destroy()
  }
  return Buffer.concat(parts).subarray(0, length)
}
