// Check an untrusted .nii / .nii.gz before ITK reads it: the header (src/io/nifti-header.ts),
// that the file really holds the voxels the header promises, and that float voxels are finite.
// A .nii.gz is inflated as a stream and never beyond the end of the declared data, which the
// header check already bounded by limits.max_decompressed_bytes: a gzip bomb costs one 1 MiB
// buffer and stops there. Nothing is kept in memory but the header.
//
// NaN or infinite voxels are rejected, not warned about: B-spline resampling spreads one NaN
// over its neighbours and every statistic over it becomes NaN, a silently wrong number.
import { createReadStream, promises as fs } from 'node:fs'
import zlib from 'node:zlib'
import type { Limits } from '../pipeline/config.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { exceedsLimit } from '../pipeline/limits.js'
import { type NiftiHeader, type NiftiLayout, checkNiftiHeader, niftiHeaderMaxBytes, parseNiftiHeader } from './nifti-header.js'
import { advanceArrival } from './voxel-arrival.js'

export interface CheckedNifti extends NiftiLayout {
  header: NiftiHeader
  compressed: boolean
}

/**
 * @param name what messages call the file (an object key); defaults to the path.
 * @param voxelsInto when given, the voxel bytes (vox_offset to the end of the data, as stored)
 *   are copied into it on the way: the caller's one inflate of the file (read-nifti-voxels-directly.ts).
 * @param arrived when given with voxelsInto: the bytes copied so far (voxel-arrival.ts), so the
 *   caller can use the first slices while the rest is inflated.
 */
export async function validateNiftiFile(file: string, limits: Limits, name = file, voxelsInto?: Uint8Array, arrived?: BigInt64Array): Promise<CheckedNifti> {
  return scanNiftiFile(file, limits, name, false, voxelsInto && { into: voxelsInto, arrived })
}

/**
 * The checks the header alone allows (the sizes against limits among them), reading no further
 * than the header: what must hold before ITK allocates anything.
 */
export async function checkNiftiFileHeader(file: string, limits: Limits, name = file): Promise<CheckedNifti> {
  return scanNiftiFile(file, limits, name, true)
}

/** Where the scan copies the voxel bytes, and the counter of bytes copied (optional). */
interface VoxelCopy {
  into: Uint8Array
  arrived?: BigInt64Array
}

async function scanNiftiFile(file: string, limits: Limits, name: string, headerOnly: boolean, voxelsInto?: VoxelCopy): Promise<CheckedNifti> {
  const { size } = await fs.stat(file)
  const compressed = (await firstBytes(file, 2)).every((b, i) => b === [0x1f, 0x8b][i]) && size >= 2
  if (size > limits.max_decompressed_bytes) throw exceedsLimit(name, 'max_decompressed_bytes', 'file size in bytes', size, limits)
  const bytes = compressed ? inflatedBytes(file, name) : fileBytes(file, headerOnly ? niftiHeaderMaxBytes : undefined)
  const scanner = new NiftiStreamCheck(name, limits, headerOnly, voxelsInto)
  for await (const chunk of bytes) {
    if (scanner.push(chunk)) break
  }
  return { ...(headerOnly ? scanner.headerChecks() : scanner.finish(compressed ? undefined : size)), compressed }
}

/** Consumes the (inflated) file front to back; stops asking for bytes once the data is checked. */
class NiftiStreamCheck {
  private head: Uint8Array = new Uint8Array(0)
  private header?: NiftiHeader
  private layout?: NiftiLayout
  private offset = 0
  private nonFinite = 0
  private firstNonFinite = -1
  private carry: Uint8Array = new Uint8Array(0)

  constructor(private readonly name: string, private readonly limits: Limits, private readonly headerOnly = false, private readonly voxelsInto?: VoxelCopy) {}

  /** Returns true when no more bytes are needed. */
  push(chunk: Uint8Array): boolean {
    let data = chunk
    if (!this.header) {
      const take = Math.min(niftiHeaderMaxBytes - this.head.length, data.length)
      this.head = Buffer.concat([this.head, data.subarray(0, take)])
      if (this.head.length < niftiHeaderMaxBytes) {
        this.offset += data.length
        return false
      }
      this.parse()
      if (this.headerOnly) return true
    }
    const layout = this.layout!
    const start = this.offset
    this.offset += data.length
    const voxOffset = Math.floor(this.header!.voxOffset)
    const from = Math.max(0, voxOffset - start)
    const to = Math.min(data.length, layout.endOfData - start)
    if (to > from) {
      if (layout.float) this.scanFloats(data.subarray(from, to), Math.max(0, start - voxOffset))
      if (this.voxelsInto) this.copyVoxels(data.subarray(from, to), start + from - voxOffset)
    }
    return this.offset >= layout.endOfData
  }

  /** The header's checks alone (a file shorter than a header included). */
  headerChecks(): NiftiLayout & { header: NiftiHeader } {
    if (!this.header) this.parse()
    return { ...this.layout!, header: this.header! }
  }

  /** @param fileSize known for uncompressed files; undefined when the bytes came inflated. */
  finish(fileSize?: number): NiftiLayout & { header: NiftiHeader } {
    if (!this.header) this.parse() // files shorter than 540 bytes
    const header = this.header!
    const layout = this.layout!
    const available = fileSize ?? this.offset
    if (header.voxOffset >= available) {
      throw new BadInputError(`vox_offset ${header.voxOffset} lies beyond the end of the ${fileSize === undefined ? 'decompressed ' : ''}file (${available} bytes)`, { file: this.name, field: 'vox_offset' })
    }
    if (available < layout.endOfData) {
      throw new BadInputError(`truncated: the header promises ${layout.voxels} voxels (${layout.endOfData} bytes with the header) but the ${fileSize === undefined ? 'decompressed ' : ''}file has ${available} bytes`, { file: this.name, field: 'dim' })
    }
    if (this.nonFinite > 0) {
      const [i, j, k] = indexOf(this.firstNonFinite, header.dim)
      throw new BadInputError(`${this.nonFinite} voxels are NaN or infinite (first at voxel ${i}, ${j}, ${k})`, { file: this.name, field: 'voxels' })
    }
    return { ...layout, header }
  }

  private parse(): void {
    this.header = parseNiftiHeader(this.head, this.name)
    this.layout = checkNiftiHeader(this.header, this.name, this.limits)
  }

  private copyVoxels(bytes: Uint8Array, at: number): void {
    const { into: target, arrived } = this.voxelsInto!
    // a header check on another thread bounded these sizes; a target of another size is the caller's bug
    if (target.length !== this.layout!.voxels * this.layout!.bytesPerVoxel) throw new Error(`voxel buffer holds ${target.length} bytes, the header promises ${this.layout!.voxels * this.layout!.bytesPerVoxel}`)
    target.set(bytes, at)
    // the stream is read front to back: bytes [0, at + length) are all in place
    if (arrived) advanceArrival(arrived, at + bytes.length)
  }

  private scanFloats(bytes: Uint8Array, firstByteIndex: number): void {
    const width = this.layout!.bytesPerVoxel
    const data = this.carry.length ? Buffer.concat([this.carry, bytes]) : bytes
    const base = firstByteIndex - this.carry.length
    const whole = data.length - (data.length % width)
    const view = new DataView(data.buffer, data.byteOffset, whole)
    const le = this.header!.littleEndian
    for (let at = 0; at < whole; at += width) {
      const value = width === 4 ? view.getFloat32(at, le) : view.getFloat64(at, le)
      if (!Number.isFinite(value)) {
        if (this.nonFinite++ === 0) this.firstNonFinite = (base + at) / width
      }
    }
    this.carry = data.slice(whole)
  }
}

/** Inflated bytes per chunk: 16 KiB (zlib's default) spends half the inflate's CPU on per-chunk overhead (1.5 s vs 0.7 s for 315 MB). */
const inflateChunkBytes = 1 << 20

async function* inflatedBytes(file: string, name: string): AsyncGenerator<Uint8Array> {
  const source = createReadStream(file, { highWaterMark: inflateChunkBytes })
  const inflate = zlib.createGunzip({ chunkSize: inflateChunkBytes })
  source.on('error', (error) => inflate.destroy(error))
  source.pipe(inflate)
  try {
    for await (const chunk of inflate) yield chunk as Buffer
  } catch (error) {
    // A truncated gzip stream is reported by finish() as missing bytes when the data is short.
    if ((error as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') {
      throw new BadInputError(`corrupt gzip data: ${errorMessage(error)}`, { file: name, field: 'gzip' })
    }
  } finally {
    source.destroy()
    inflate.destroy()
  }
}

async function* fileBytes(file: string, upTo?: number): AsyncGenerator<Uint8Array> {
  const source = createReadStream(file, { highWaterMark: 1 << 20, ...(upTo !== undefined && { end: upTo - 1 }) })
  try {
    for await (const chunk of source) yield chunk as Buffer
  } finally {
    source.destroy()
  }
}

async function firstBytes(file: string, n: number): Promise<Uint8Array> {
  const handle = await fs.open(file, 'r')
  try {
    const buffer = new Uint8Array(n)
    const { bytesRead } = await handle.read(buffer, 0, n, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}
function indexOf(linear: number, dim: number[]): [number, number, number] {
  const nx = dim[1]
  const ny = dim[0] >= 2 ? dim[2] : 1
  return [linear % nx, Math.floor(linear / nx) % ny, Math.floor(linear / (nx * ny))]
}
