// An output volume (.nii.gz) written in parts: each chunk compresses its own slices' voxel
// bytes as gzip members (in parallel with the other chunks), and assemble only prepends the
// NIfTI header as one more member and concatenates. The file decompresses to exactly the bytes
// writeNifti gives for the stitched volume (same header from ITK's writer, voxels in the same
// order), without a serial compression of the whole volume at the end.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipInPieces } from '../io/gzip-members.js'
import { parseNiftiHeader } from '../io/nifti-header.js'
import { writeNifti } from '../io/nifti.js'
import { type ComponentType, type Grid, type Image, allocatePixels, componentTypeOf, makeImage, pixelsOf } from '../image/image.js'
import { nifti1Header, plainNiftiWritable } from '../io/nifti1-header.js'
import { type ObjectStore, putConcatenated } from '../store/object-store.js'

/** A chunk's part: its slices' voxels as gzip members (store it under workKeys.chunkOutputPart). */
export async function putOutputPart(store: ObjectStore, key: string, slab: Image, compressionLevel: number): Promise<void> {
  const pixels = pixelsOf(slab)
  await store.put(key, await gzipInPieces(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), compressionLevel), 'application/gzip')
}

/**
 * The NIfTI header ITK writes for a volume on `grid`, built in plain JavaScript (nifti1-header.ts
 * gives ITK's NiftiImageIO bytes; the assemble step used to run ITK's writer in WebAssembly on a
 * two-slice image for it, ~0.4 s of loading on the serial path). Types the plain header does not
 * cover still go through ITK's writer on a two-slice image of the same grid (qform and sform
 * depend on origin, spacing and direction only), its slice count set afterwards.
 */
export async function niftiHeaderFor(grid: Grid, type: ComponentType, scratch: string): Promise<Uint8Array | undefined> {
  const [nx, ny, nz] = grid.size
  if (nz > 32767) return undefined // NIfTI-1 dims are int16: ITK writes such a volume as NIfTI-2
  const depth = Math.min(nz, 2)
  // Two slices, not one, so that ITK keeps the third dimension as it does for the volume.
  const twoSlices = makeImage({ ...grid, size: [nx, ny, depth] }, allocatePixels(type, nx * ny * depth))
  const out = plainNiftiWritable(twoSlices) && os.endianness() === 'LE'
    ? new Uint8Array(nifti1Header(twoSlices))
    : await headerFromItkWriter(twoSlices, scratch)
  new DataView(out.buffer, out.byteOffset, out.byteLength).setInt16(40 + 2 * 3, nz, true) // dim[3] of nifti1.h
  return out
}

async function headerFromItkWriter(image: Image, scratch: string): Promise<Uint8Array> {
  const [nx, ny, depth] = image.size
  const file = path.join(scratch, `header-${componentTypeOf(pixelsOf(image))}-${nx}x${ny}x${depth}.nii`)
  await writeNifti(image, file)
  try {
    const bytes = new Uint8Array(await fs.readFile(file))
    const header = parseNiftiHeader(bytes, file)
    const voxelBytes = (header.bitpix / 8) * nx * ny * depth
    if (header.version !== 1 || !header.littleEndian || header.dim[3] !== depth || bytes.length !== header.voxOffset + voxelBytes) {
      throw new Error(`unexpected NIfTI layout from ITK's writer for ${nx}x${ny}x${depth}`)
    }
    return bytes.slice(0, header.voxOffset)
  } finally {
    await fs.rm(file, { force: true })
  }
}

/** Header member + every chunk's part, in slice order, as one .nii.gz object. */
export async function putVolumeFromParts(
  output: ObjectStore, key: string, header: Uint8Array, parts: Uint8Array[] | JoinedParts, compressionLevel: number,
): Promise<void> {
  const member = await gzipInPieces(header, compressionLevel)
  // a store that writes parts one after another needs no joined copy (~100 MB for the chest)
  if (Array.isArray(parts)) return putConcatenated(output, key, [member, ...parts], 'application/gzip')
  if (member.length > parts.start) return output.put(key, Buffer.concat([member, parts.bytes.subarray(parts.start)]), 'application/gzip')
  parts.bytes.set(member, parts.start - member.length)
  await output.put(key, parts.bytes.subarray(parts.start - member.length), 'application/gzip')
}

/** The parts copied one after another, behind room for the header's gzip member. */
export interface JoinedParts {
  bytes: Buffer
  /** Where the first part begins; the header member goes right before it. */
  start: number
}

// A NIfTI-1 header (348 bytes + extender) gzips to well under this.
const headerRoom = 4096

/**
 * Join the parts as soon as they are read, before the header is known (it needs the voxel
 * type, which assemble learns only from the chunk images): the ~80 MB copy then runs while
 * the main thread would wait for the other reads. Only the bytes from the header on are stored.
 */
export function joinParts(parts: Uint8Array[]): JoinedParts {
  const bytes = Buffer.allocUnsafeSlow(headerRoom + parts.reduce((sum, part) => sum + part.length, 0))
  let at = headerRoom
  for (const part of parts) {
    bytes.set(part, at)
    at += part.length
  }
  return { bytes, start: headerRoom }
}
