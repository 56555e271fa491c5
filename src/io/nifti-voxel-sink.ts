// A .nii file written while a series is read: the header (nifti1-header.ts, the bytes
// writeNiftiPlain writes) as soon as the grid is known, then each slice at its place. Why: the
// volume never exists in memory, so `convert` pays neither the first touch of 74 MB of fresh
// pages nor a copy of every voxel (ct-chest-141). Slices are written on libuv's thread pool
// while the next ones are converted. Uncompressed .nii on a little-endian machine only; anything
// else goes through writeNiftiPlain.
import { closeSync, mkdirSync, openSync, unlinkSync, write, writeSync } from 'node:fs'
import { endianness } from 'node:os'
import path from 'node:path'
import type { Image } from '../image/image.js'
import { nifti1Header, niftiHeaderBytes, plainNiftiWritable } from './nifti1-header.js'
import type { VoxelSink } from './uncompressed-series.js'

export interface NiftiVoxelSink extends VoxelSink {
  /** Whether begin() ran (the file exists and holds the header). */
  readonly begun: boolean
  /** Close the file once every voxel was written. */
  finish(): void
  /** After a failure: close and remove the partial file (when begin() made one). */
  discard(): void
}

/** A sink writing `file` (.nii), or undefined when the file cannot be written this way. */
export function niftiVoxelSink(file: string): NiftiVoxelSink | undefined {
  if (!/\.nii$/i.test(file) || endianness() !== 'LE') return undefined
  const absolute = path.resolve(file)
  let fd: number | undefined
  let begun = false
  const close = () => {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
  }
  /** writeSync may write less than asked; carry on from where it stopped. */
  const writeAll = (bytes: Uint8Array, position: number) => {
    for (let done = 0; done < bytes.length; ) done += writeSync(fd!, bytes, done, bytes.length - done, position + done)
  }
  /** The same on the thread pool. */
  const writeAllLater = (at: number, bytes: Uint8Array, position: number) => new Promise<void>((resolve, reject) => {
    const from = (done: number) => write(at, bytes, done, bytes.length - done, position + done, (error, n) => {
      if (error) reject(error)
      else if (done + n < bytes.length) from(done + n)
      else resolve()
    })
    from(0)
  })
  return {
    get begun() {
      return begun
    },
    begin(image: Image) {
      if (begun) throw new Error(`${file}: voxel sink begun twice`)
      if (!plainNiftiWritable(image) || image.imageType.dimension !== 3) throw new Error(`${file}: a ${image.imageType.componentType} image of dimension ${image.imageType.dimension} cannot be streamed to NIfTI`)
      mkdirSync(path.dirname(absolute), { recursive: true })
      fd = openSync(absolute, 'w')
      begun = true
      writeAll(nifti1Header(image), 0)
    },
    write(bytes: Uint8Array, byteOffset: number) {
      if (fd === undefined) throw new Error(`${file}: voxels written before begin() or after finish()`)
      return writeAllLater(fd, bytes, niftiHeaderBytes + byteOffset)
    },
    finish: close,
    discard() {
      close()
      if (begun) unlinkSync(absolute)
      begun = false
    },
  }
}
