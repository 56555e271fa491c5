// Rescale rows of 16-bit stored values to int16 output with WebAssembly SIMD: eight voxels per
// instruction ((stored & mask) + intercept, lane-wise modulo 2^16), rows optionally taken in
// reverse order (dcm2niix's bottom-up layout). Why: this pass over every voxel was the largest
// piece of JavaScript in `convert` (~60 ms for 141 CT slices, two voxels per 32-bit operation).
// The module is small enough to be written here opcode by opcode (WebAssembly core spec 2.0,
// binary format; SIMD opcodes 0xFD-prefixed); the exactness conditions are the caller's.

/** convertRows(src, dst, rowBytes, firstRow, endRow, rows, flip, mask, intercept): dst row d = rescale(src row flip ? rows-1-d : d). */
const wasmBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: (i32 x 9) -> ()
  0x01, 0x0d, 0x01, 0x60, 0x09, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00,
  // import section: env.memory, memory limits min 0
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x00,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // export section: "convertRows" = function 0
  0x07, 0x0f, 0x01, 0x0b, 0x63, 0x6f, 0x6e, 0x76, 0x65, 0x72, 0x74, 0x52, 0x6f, 0x77, 0x73, 0x00, 0x00,
  // code section (sizes patched below, as two-byte LEB128)
  0x0a, 0x00, 0x00, 0x01, 0x00, 0x00,
  // locals: 4 x i32 (9 d, 10 s, 11 o, 12 e), 2 x v128 (13 mask, 14 intercept)
  0x02, 0x04, 0x7f, 0x02, 0x7b,
  0x20, 0x07, 0xfd, 0x10, 0x21, 0x0d, // mask lanes
  0x20, 0x08, 0xfd, 0x10, 0x21, 0x0e, // intercept lanes
  0x20, 0x03, 0x21, 0x09, // d = firstRow
  0x02, 0x40, 0x03, 0x40, // block, loop (rows)
  0x20, 0x09, 0x20, 0x04, 0x4e, 0x0d, 0x01, // d >= endRow: done
  // s = src + (flip ? rows - 1 - d : d) * rowBytes
  0x20, 0x00,
  0x20, 0x05, 0x41, 0x01, 0x6b, 0x20, 0x09, 0x6b,
  0x20, 0x09,
  0x20, 0x06, 0x1b,
  0x20, 0x02, 0x6c, 0x6a, 0x21, 0x0a,
  // o = dst + d * rowBytes; e = o + rowBytes
  0x20, 0x01, 0x20, 0x09, 0x20, 0x02, 0x6c, 0x6a, 0x22, 0x0b,
  0x20, 0x02, 0x6a, 0x21, 0x0c,
  0x02, 0x40, 0x03, 0x40, // block, loop (vectors of the row)
  0x20, 0x0b, 0x20, 0x0c, 0x4f, 0x0d, 0x01, // o >= e: row done
  0x20, 0x0b,
  0x20, 0x0a, 0xfd, 0x00, 0x00, 0x00, // v128.load s
  0x20, 0x0d, 0xfd, 0x4e, // v128.and mask
  0x20, 0x0e, 0xfd, 0x8e, 0x01, // i16x8.add intercept
  0xfd, 0x0b, 0x00, 0x00, // v128.store o
  0x20, 0x0a, 0x41, 0x10, 0x6a, 0x21, 0x0a, // s += 16
  0x20, 0x0b, 0x41, 0x10, 0x6a, 0x21, 0x0b, // o += 16
  0x0c, 0x00, 0x0b, 0x0b, // br loop; end loop; end block
  0x20, 0x09, 0x41, 0x01, 0x6a, 0x21, 0x09, // d++
  0x0c, 0x00, 0x0b, 0x0b, // br loop; end loop; end block
  0x0b, // end function
])
// The code section's and the body's sizes, each as two-byte LEB128 (padded: under 16384 bytes).
const codeAt = 61
const setSize = (at: number, size: number) => wasmBytes.set([0x80 | (size & 0x7f), size >> 7], at)
setSize(codeAt + 1, wasmBytes.length - (codeAt + 3))
setSize(codeAt + 4, wasmBytes.length - (codeAt + 6))

let compiled: WebAssembly.Module | null | undefined

/** The compiled module, or null where WebAssembly SIMD is not available. */
function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = WebAssembly.validate(wasmBytes) ? new WebAssembly.Module(wasmBytes) : null
    } catch {
      compiled = null
    }
  }
  return compiled
}

export interface RescaleRowsKernel {
  /** The kernel's memory: [0, bytes) is the caller's to lay out; never grows after creation. */
  buffer: ArrayBuffer
  /** Rows firstRow..endRow-1 at dst (byte offsets; rowBytes a multiple of 16) from the slice at src. */
  convertRows(src: number, dst: number, rowBytes: number, firstRow: number, endRow: number, rows: number, flip: boolean, mask: number, intercept: number): void
}

/** A kernel with its own memory of at least `bytes` bytes (one per read: concurrent reads never share it), or undefined without SIMD. */
export function rescaleRowsKernel(bytes: number): RescaleRowsKernel | undefined {
  const module = wasmModule()
  if (!module || bytes > 2 ** 31) return undefined
  const pages = Math.ceil(bytes / 65536)
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages })
  const instance = new WebAssembly.Instance(module, { env: { memory } })
  const convert = instance.exports.convertRows as (...args: number[]) => void
  return {
    buffer: memory.buffer,
    convertRows: (src, dst, rowBytes, firstRow, endRow, rows, flip, mask, intercept) => convert(src, dst, rowBytes, firstRow, endRow, rows, flip ? 1 : 0, mask, intercept),
  }
}
