// A minimal WebAssembly binary writer for the generated inner loops of the heavy filters
// (adaptive-histogram-equalization.ts, parabola-envelope.ts): enough of the MVP encoding (plus
// the saturating float-to-int conversion) for functions of i32/f64 locals, loads/stores,
// arithmetic and block/loop/if/br_if control, one imported memory. Kernels
// are generated per parameter (e.g. per radius, fully unrolled) and compiled by V8 at run time:
// WebAssembly has no bounds checks on x64 (guard pages) and no deoptimisation, which makes
// table-lookup loops 2-3x faster than the equivalent JavaScript.

export const I32 = 0x7f
export const F64 = 0x7c

export function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}

export function sleb(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}

/** A vector: its length, then the items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
/** A module section: id, byte length, contents. */
export const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes]
/** A name as the binary format encodes it (length, then the bytes). */
export const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]

/** Instruction encoders (each returns its bytes). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32GeU: [0x4f],
  /** i32.load with a constant byte offset. */
  load32: (offset: number) => [0x28, 2, ...uleb(offset)],
  loadF64: (offset: number) => [0x2b, 3, ...uleb(offset)],
  storeF64: (offset: number) => [0x39, 3, ...uleb(offset)],
  /** i32.load8_u: a Uint8Array element. */
  load8u: (offset: number) => [0x2d, 0, ...uleb(offset)],
  i32Ne: [0x47],
  /** f32.load followed by f64.promote_f32: a Float32Array element read as a JavaScript number. */
  loadF32AsF64: (offset: number) => [0x2a, 2, ...uleb(offset), 0xbb],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Floor: [0x9c],
  f64Sqrt: [0x9f],
  /** f32.demote_f64 followed by f32.store: rounds to float32 as a Float32Array store does. */
  storeF32FromF64: (offset: number) => [0xb6, 0x38, 2, ...uleb(offset)],
  f64Eq: [0x61],
  f64Gt: [0x64],
  f64: (v: number) => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
  f64FromI32: [0xb7],
  /** i32.trunc_sat_f64_s: out-of-range values saturate instead of trapping. */
  i32FromF64Sat: [0xfc, 0x02],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32LtS: [0x48],
  i32GtS: [0x4a],
  i32GeS: [0x4e],
  store32: (offset: number) => [0x36, 2, ...uleb(offset)],
  if: [0x04, 0x40],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
}

export interface WasmFunction {
  name: string
  /** Parameter types (I32 / F64); no results. */
  params: number[]
  /** Extra locals after the parameters, as [count, type] runs. */
  locals: [number, number][]
  /** The body's instructions, without the final `end`. */
  body: number[]
}

/** A module importing memory `e.m` (at least `minPages` pages) and exporting the functions. */
export function wasmModule(functions: WasmFunction[], minPages = 1): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])])))
  const imports = section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, ...uleb(minPages)]]))
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))))
  const exports = section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])))
  const code = section(10, vec(functions.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, ...op.end]
    return [...uleb(body.length), ...body]
  })))
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code])
}
