// 8-bit RGBA PNG encoding (PNG spec, ISO/IEC 15948): one IHDR, one IDAT, IEND. Every scanline
// uses filter type 2 (Up): for the QC picture it compresses within ~3 % of a per-row adaptive
// choice, but costs one subtraction per byte instead of five trial filters per row (pngjs's
// adaptive filtering was ~200 ms of assemble's serial time). The async form runs deflate on
// libuv's thread pool, so the main thread can carry on while the picture compresses.
import { promisify } from 'node:util'
import zlib from 'node:zlib'

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const filterUp = 2
// as pngjs's defaults, so the files stay about the size they were
const deflateOptions: zlib.ZlibOptions = { level: 9, strategy: zlib.constants.Z_RLE }
const deflateAsync = promisify(zlib.deflate)

/** Encode RGBA pixels (row-major, 4 bytes per pixel) as PNG bytes, deflating off the main thread. */
export async function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Promise<Buffer> {
  return assemblePng(width, height, await deflateAsync(filteredScanlines(width, height, rgba), deflateOptions))
}

/** encodeRgbaPng on the calling thread. */
export function encodeRgbaPngSync(width: number, height: number, rgba: Uint8Array): Buffer {
  return assemblePng(width, height, zlib.deflateSync(filteredScanlines(width, height, rgba), deflateOptions))
}

/** Each row as its filter-type byte followed by the byte differences to the row above. */
function filteredScanlines(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const rowBytes = width * 4
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || rgba.length !== rowBytes * height) {
    throw new Error(`encodeRgbaPng: ${rgba.length} bytes do not make a ${width}x${height} RGBA picture`)
  }
  const out = new Uint8Array((rowBytes + 1) * height)
  // four byte differences per 32-bit word (each byte wraps mod 256 on its own, Hacker's Delight
  // 2-18), into an aligned row that is then copied behind the row's filter byte
  const pixels = rgba.byteOffset % 4 === 0 ? new Uint32Array(rgba.buffer, rgba.byteOffset, width * height) : new Uint32Array(rgba.slice().buffer)
  const row = new Uint32Array(width)
  const rowAsBytes = new Uint8Array(row.buffer)
  for (let y = 0; y < height; y++) {
    const o = y * (rowBytes + 1)
    out[o] = filterUp
    if (y === 0) {
      out.set(rgba.subarray(0, rowBytes), o + 1) // the row above the first is zero
      continue
    }
    for (let x = 0, p = y * width; x < width; x++, p++) {
      const a = pixels[p], b = pixels[p - width]
      row[x] = ((a | 0x80808080) - (b & 0x7f7f7f7f)) ^ ((a ^ ~b) & 0x80808080)
    }
    out.set(rowAsBytes, o + 1)
  }
  return out
}

function assemblePng(width: number, height: number, idat: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // colour type: truecolour with alpha
  // compression 0 (deflate), filter method 0, no interlace: bytes 10..12 stay zero
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))])
}

/** Length, type, data, CRC-32 over type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  out.set(data, 8)
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}
