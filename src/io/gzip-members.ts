// Gzip as consecutive members (RFC 1952 allows any number; zlib's gzread, ITK, nibabel and
// Python's gzip read them as one stream): 8 MiB pieces compressed in parallel on libuv's
// thread pool. Because members simply concatenate, pieces of one file can also be compressed
// in different places (each chunk worker its own slices) and joined later.
import { promisify } from 'node:util'
import zlib from 'node:zlib'

const gzip = promisify(zlib.gzip)
const gzipPiece = 8 * 1024 * 1024

export async function gzipInPieces(raw: Uint8Array, level: number): Promise<Buffer> {
  const pieces: Promise<Buffer>[] = []
  for (let offset = 0; offset < raw.length || offset === 0; offset += gzipPiece) {
    pieces.push(gzip(raw.subarray(offset, offset + gzipPiece), { level }))
  }
  return Buffer.concat(await Promise.all(pieces))
}
