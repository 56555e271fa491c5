// WebAssembly SIMD inner loops of binary-morphology-passes.ts for distances that fit a byte
// (every isotropic radius <= 6 and the small anisotropic ones): 16 voxels per instruction with
// unsigned saturating adds and minima (i8x16.add_sat_u, i8x16.min_u). Why: the windowed minima
// were ~90 % of the closing's CPU time in JavaScript, one voxel at a time.
// Exactness: every distance and cost is < cap <= 255, a saturated sum is >= cap, and every
// result is clamped to cap, so the values are those of the JavaScript loops.
// Each thread instantiates the module once with its own memory, which holds one slice (or the
// few slices a z window needs) at a time; the caller copies slices in and results out.
// Module bytes written opcode by opcode (WebAssembly core spec 2.0 binary format, SIMD opcodes
// 0xFD-prefixed).
import { I32, name, section, uleb, vec } from './wasm-emit.js'

const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)]
const get = (i: number): number[] => [0x20, i]
const set = (i: number): number[] => [0x21, i]
const i32 = (v: number): number[] => [0x41, v] // small non-negative constants only (< 64)
const V128 = 0x7b
const ADD = 0x6a, SHL = 0x74, GE_S = 0x4e, GE_U = 0x4f, BR = 0x0c, BR_IF = 0x0d, END = 0x0b
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40]
const LOAD_I32 = [0x28, 2, 0]
const LOAD = [...simd(0), 0, 0] // v128.load, byte alignment, offset 0
const STORE = [...simd(11), 0, 0]
const SPLAT = simd(15), EQ = simd(35), LE_U = simd(42), AND = simd(78), XOR = simd(81)
const ADD_SAT_U = simd(112), MIN_U = simd(119)

/** for (i = 0; i < len; i += 16) { body(i) }: local `i`, `len` given; body leaves nothing on the stack. */
const forEach16 = (i: number, len: number, body: number[]): number[] => [
  ...i32(0), ...set(i),
  ...BLOCK, ...LOOP,
  ...get(i), ...get(len), GE_S, BR_IF, 1,
  ...body,
  ...get(i), ...i32(16), ADD, ...set(i),
  BR, 0, END, END,
]

/**
 * minRows(src, dst, len, offs, costs, cnt, cap): for each 16 bytes at i < len (rounded up),
 * dst[i] = min(cap, src[i], min_j sat(src[i + offs[j]] + costs[j])); offs: cnt i32 byte offsets,
 * costs: cnt v128 (the cost in every lane).
 */
const minRows: number[] = [
  2, 5, I32, 2, V128, // locals 7 i, 8 a, 9 po, 10 pc, 11 pe; 12 m, 13 capv
  ...get(6), ...SPLAT, ...set(13),
  ...get(3), ...get(5), ...i32(2), SHL, ADD, ...set(11),
  ...forEach16(7, 2, [
    ...get(0), ...get(7), ADD, ...set(8),
    ...get(8), ...LOAD, ...set(12),
    ...get(3), ...set(9), ...get(4), ...set(10),
    ...BLOCK, ...LOOP,
    ...get(9), ...get(11), GE_U, BR_IF, 1,
    ...get(12),
    ...get(8), ...get(9), ...LOAD_I32, ADD, ...LOAD,
    ...get(10), ...LOAD, ...ADD_SAT_U, ...MIN_U, ...set(12),
    ...get(9), ...i32(4), ADD, ...set(9),
    ...get(10), ...i32(16), ADD, ...set(10),
    BR, 0, END, END,
    ...get(1), ...get(7), ADD, ...get(12), ...get(13), ...MIN_U, ...STORE,
  ]),
  END,
]

/** withinLimit(src, dst, len, limit, flip): dst[i] = (src[i] <= limit ? 1 : 0) ^ flip. */
const withinLimit: number[] = [
  2, 1, I32, 3, V128, // locals 5 i; 6 limv, 7 onev, 8 flipv
  ...get(3), ...SPLAT, ...set(6), ...i32(1), ...SPLAT, ...set(7), ...get(4), ...SPLAT, ...set(8),
  ...forEach16(5, 2, [
    ...get(1), ...get(5), ADD,
    ...get(0), ...get(5), ADD, ...LOAD, ...get(6), ...LE_U, ...get(7), ...AND, ...get(8), ...XOR,
    ...STORE,
  ]),
  END,
]

/**
 * siteDistance(src, dst, len, zeroSites, cap): dst[i] = 0 at sites, cap elsewhere; the sites are
 * the non-zero bytes, or with zeroSites = 1 the zero bytes.
 */
const siteDistance: number[] = [
  2, 1, I32, 3, V128, // locals 5 i; 6 zerov, 7 capv, 8 flipv (all ones for zero sites)
  ...i32(0), ...SPLAT, ...set(6), ...get(4), ...SPLAT, ...set(7),
  ...i32(0), ...get(3), 0x6b /* i32.sub: 0 or -1 */, ...SPLAT, ...set(8),
  ...forEach16(5, 2, [
    ...get(1), ...get(5), ADD,
    ...get(7), ...get(0), ...get(5), ADD, ...LOAD, ...get(6), ...EQ, ...get(8), ...XOR, ...AND,
    ...STORE,
  ]),
  END,
]

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const fn = (n: number) => [0x60, ...vec(Array.from({ length: n }, () => [I32])), 0]
  const types = section(1, vec([fn(7), fn(5)]))
  const imports = section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, 1]]))
  const funcs = section(3, vec([[0], [1], [1]]))
  const names = ['minRows', 'withinLimit', 'siteDistance']
  const exports = section(7, vec(names.map((n, i) => [...name(n), 0x00, i])))
  const code = section(10, vec([minRows, withinLimit, siteDistance].map((body) => [...uleb(body.length), ...body])))
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code])
}

/** Byte offsets of the neighbour table in the instance's memory; work areas start at DATA. */
export const OFFSETS = 0
export const COSTS = 256
export const DATA = 2048
/** Bytes kept free after each work area: the 16-byte loops and the x neighbours read past its end. */
export const SLACK = 64

export interface ByteMinKernels {
  minRows(src: number, dst: number, len: number, offs: number, costs: number, cnt: number, cap: number): void
  withinLimit(src: number, dst: number, len: number, limit: number, flip: number): void
  siteDistance(src: number, dst: number, len: number, zeroSites: number, cap: number): void
  /** The memory as bytes, at least `bytes` long (a fresh view after growing). */
  bytes(bytes: number): Uint8Array
  /** Writes the neighbour table: byte offsets and costs (each < 256). */
  table(offsets: ArrayLike<number>, costs: ArrayLike<number>, cnt: number): void
}

let instance: ByteMinKernels | null | undefined

/** This thread's kernels, or null where WebAssembly SIMD is unavailable (the JavaScript loops then run). */
export function byteMinKernels(): ByteMinKernels | null {
  if (instance !== undefined) return instance
  try {
    const memory = new WebAssembly.Memory({ initial: 1 })
    const exports = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), { e: { m: memory } }).exports as unknown as ByteMinKernels
    let view = new Uint8Array(memory.buffer)
    const bytes = (n: number): Uint8Array => {
      if (memory.buffer.byteLength < n) memory.grow(Math.ceil((n - memory.buffer.byteLength) / 65536))
      if (view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer)
      return view
    }
    // the y pass sets the same table for most rows: rewrite it only when it changes
    const last = { cnt: -1, offsets: new Int32Array(64), costs: new Int32Array(64) }
    const table = (offsets: ArrayLike<number>, costs: ArrayLike<number>, cnt: number): void => {
      let same = cnt === last.cnt
      for (let j = 0; same && j < cnt; j++) same = offsets[j] === last.offsets[j] && costs[j] === last.costs[j]
      if (same) return
      const m = bytes(DATA)
      const offs = new Int32Array(m.buffer, OFFSETS, cnt)
      for (let j = 0; j < cnt; j++) {
        offs[j] = last.offsets[j] = offsets[j]
        m.fill((last.costs[j] = costs[j]), COSTS + 16 * j, COSTS + 16 * j + 16)
      }
      last.cnt = cnt
    }
    instance = { minRows: exports.minRows, withinLimit: exports.withinLimit, siteDistance: exports.siteDistance, bytes, table }
  } catch {
    instance = null
  }
  return instance
}
