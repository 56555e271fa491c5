// RLE Lossless frames (PS3.5 Annex G): a 64-byte header (segment count, then up to 15 segment
// offsets), then one PackBits segment per byte of a sample, most significant byte first.
// Decoded to little-endian samples, as native pixel data holds them.

/** One frame of `count` samples of `bytesPerSample` bytes (1-bit data: count = packed bytes, 1 byte each). */
export function decodeRleFrame(frame: Uint8Array, count: number, bytesPerSample = 1): Uint8Array {
  if (frame.length < 64) throw new Error('RLE header shorter than 64 bytes')
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const segments = view.getUint32(0, true)
  if (segments !== bytesPerSample) throw new Error(`${segments} RLE segments; ${bytesPerSample}-byte samples need ${bytesPerSample}`)
  const out = new Uint8Array(count * bytesPerSample)
  const segment = new Uint8Array(count)
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true)
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length
    if (!(start >= 64 && start <= end && end <= frame.length)) throw new Error(`RLE segment ${s + 1} offsets ${start}..${end} outside the ${frame.length}-byte frame`)
    unpackBits(frame.subarray(start, end), segment, s + 1)
    // Segment 0 holds the most significant bytes.
    const byte = bytesPerSample - 1 - s
    for (let p = 0; p < count; p++) out[p * bytesPerSample + byte] = segment[p]
  }
  return out
}

/** PackBits (G.3.2): n >= 0 copies n + 1 bytes, -127..-1 repeats the next byte 1 - n times, -128 is nothing. */
function unpackBits(input: Uint8Array, out: Uint8Array, segment: number): void {
  let at = 0
  let o = 0
  while (o < out.length && at < input.length) {
    const n = (input[at++] << 24) >> 24
    if (n >= 0) {
      const count = Math.min(n + 1, out.length - o, input.length - at)
      out.set(input.subarray(at, at + count), o)
      at += n + 1
      o += count
    } else if (n !== -128) {
      out.fill(input[at++], o, Math.min(out.length, o + 1 - n))
      o += 1 - n
    }
  }
  if (o < out.length) throw new Error(`RLE segment ${segment} ends after ${o} of ${out.length} bytes`)
}
