// NIfTI read/write through itk-wasm's NIfTI pipelines (ITK's NiftiImageIO: LPS in memory,
// RAS qform/sform on disk). Compression is done with Node's native zlib instead of the
// wasm one, in parallel gzip members (gzip-members.ts): 2.3x faster on 2 cores than one member.
// itk-wasm is imported on first use: processes that never read or write NIfTI through it (a
// chunk worker, the main thread of a DICOM run) do not pay its ~0.1 s of module loading.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Image } from '../image/image.js'
import { BadInputError } from '../pipeline/errors.js'
import { gzipInPieces } from './gzip-members.js'

export function isNiftiPath(file: string): boolean {
  return /\.nii(\.gz)?$/i.test(file)
}

export async function readNifti(file: string): Promise<Image> {
  const absolute = path.resolve(file)
  const { niftiReadImageNode } = await import('@itk-wasm/image-io')
  let result
  try {
    result = await niftiReadImageNode(absolute)
  } catch (error) {
    throw new BadInputError(`cannot read NIfTI: ${describe(error)}`, { file })
  }
  if (!result.couldRead) throw new BadInputError('not a readable NIfTI file', { file })
  return result.image
}

export interface WriteNiftiOptions {
  /** zlib level for .nii.gz (1 fast ... 9 small). */
  compressionLevel?: number
}

/** Write .nii or .nii.gz (decided by the file name). */
export async function writeNifti(image: Image, file: string, options: WriteNiftiOptions = {}): Promise<void> {
  const absolute = path.resolve(file)
  const compress = absolute.toLowerCase().endsWith('.gz')
  const rawPath = compress ? absolute.slice(0, -3) + `.tmp-${process.pid}-${Date.now()}.nii` : absolute
  await fs.mkdir(path.dirname(absolute), { recursive: true })
  stripPatientMetadata(image)
  const { niftiWriteImageNode } = await import('@itk-wasm/image-io')
  const { couldWrite } = await niftiWriteImageNode(image, rawPath)
  if (!couldWrite) throw new Error(`itk-wasm could not write ${absolute}`)
  if (compress) {
    const raw = await fs.readFile(rawPath)
    await fs.writeFile(absolute, await gzipInPieces(raw, options.compressionLevel ?? 1))
    await fs.rm(rawPath, { force: true })
  }
}

/** Images read from DICOM carry tags in their metadata; none of them belong in a NIfTI header. */
function stripPatientMetadata(image: Image): void {
  if (image.metadata instanceof Map) image.metadata.clear()
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
