// Write a scalar 3-D/4-D image as .nii or .nii.gz without itk-wasm: the header ITK would write
// (nifti1-header.ts) and the voxel buffer as it is in memory (little endian), in one write.
// Why: loading and running ITK's NIfTI writer in WebAssembly cost `convert` ~0.5 s of its time.
// Images the plain header does not cover go to itk-wasm (nifti.ts).
import { closeSync, mkdirSync, openSync, writevSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { endianness } from 'node:os'
import path from 'node:path'
import type { Image } from '../image/image.js'
import { pixelsOf } from '../image/image.js'
import { nifti1Header, plainNiftiWritable } from './nifti1-header.js'

export interface WriteNiftiPlainOptions {
  /** zlib level for .nii.gz (1 fast ... 9 small), as writeNifti. */
  compressionLevel?: number
}

export async function writeNiftiPlain(image: Image, file: string, options: WriteNiftiPlainOptions = {}): Promise<void> {
  if (!plainNiftiWritable(image) || endianness() !== 'LE') {
    const { writeNifti } = await import('./nifti.js')
    return writeNifti(image, file, options)
  }
  const absolute = path.resolve(file)
  mkdirSync(path.dirname(absolute), { recursive: true })
  const header = nifti1Header(image)
  const data = pixelsOf(image)
  const voxels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (absolute.toLowerCase().endsWith('.gz')) {
    // zlib loads only for .nii.gz.
    const { gzipInPieces } = await import('./gzip-members.js')
    await writeFile(absolute, await gzipInPieces(Buffer.concat([header, voxels]), options.compressionLevel ?? 1))
    return
  }
  const fd = openSync(absolute, 'w')
  try {
    // writev may stop short (large buffers); carry on from where it stopped.
    let pieces = [header, voxels]
    while (pieces.length) {
      let written = writevSync(fd, pieces)
      const rest: Uint8Array[] = []
      for (const piece of pieces) {
        if (written >= piece.byteLength) written -= piece.byteLength
        else {
          rest.push(piece.subarray(written))
          written = 0
        }
      }
      pieces = rest
    }
  } finally {
    closeSync(fd)
  }
}
