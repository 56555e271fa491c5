// The z step of linear resampling for float32 output (resample-linear-slices.ts) with WebAssembly
// SIMD: out = float32(w0 a + w1 b), or float32(w a), two float64 lanes per instruction. Why: this
// loop over every output voxel was half of the CPU time of a CT to 1 mm (64 M voxels, ~2.5x
// faster here than in JavaScript, the copy out included). The two in-plane slices and the
// float32 result slice live in the instance's own small memory; the caller copies the result
// slice into the output volume. The same IEEE-754 operations in the same order as the
// JavaScript loops (multiply, multiply, add, round to float32 to nearest even), so the values
// are bit for bit those of the chunked path (resample-slab.ts). Module bytes written opcode by
// opcode (WebAssembly core spec 2.0 binary format, SIMD opcodes 0xFD-prefixed).
// The in-plane step (x taps of each input row: a gather, scalar; y taps: SIMD) runs here too,
// on a copy of the input slice, with the same operations as resample-linear-slices.ts's loops.
import type { ComponentType } from '../image/image.js'
import { F64, I32, name, section, uleb } from './wasm-emit.js'

const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)]
const get = (i: number): number[] => [0x20, i]
const set = (i: number): number[] => [0x21, i]
const V128 = 0x7b
const F64X2_SPLAT = 20, V128_LOAD = 0, V128_STORE = 11, F64X2_MUL = 242, F64X2_ADD = 240, F32X4_DEMOTE_F64X2_ZERO = 94, V128_STORE64_LANE = 91

/**
 * (a, b, o, count, w0, w1): o[i] = w0 a[i] + w1 b[i] for i < count rounded up to even; a, b byte
 * offsets of float64 arrays, o of a float32 (`f32`) or float64 array. With `single`:
 * o[i] = w0 a[i] (b, w1 unused).
 */
function blendBody(single: boolean, f32: boolean): number[] {
  const lane = (ptr: number, weight: number) => [...get(ptr), ...simd(V128_LOAD), 3, 0, ...get(weight), ...simd(F64X2_MUL)]
  const advance = (ptr: number, bytes: number) => [...get(ptr), 0x41, bytes, 0x6a, ...set(ptr)]
  return [
    1, 2, V128, // locals 6, 7: the weights in both lanes
    ...get(4), ...simd(F64X2_SPLAT), ...set(6),
    ...get(5), ...simd(F64X2_SPLAT), ...set(7),
    ...get(0), ...get(3), 0x41, 3, 0x74, 0x6a, ...set(3), // count := a + 8 count (end of a)
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...get(0), ...get(3), 0x4f, 0x0d, 1, // a >= end: done
    ...get(2),
    ...lane(0, 6),
    ...(single ? [] : [...lane(1, 7), ...simd(F64X2_ADD)]),
    ...(f32 ? [...simd(F32X4_DEMOTE_F64X2_ZERO), ...simd(V128_STORE64_LANE), 2, 0, 0] : [...simd(V128_STORE), 3, 0]),
    ...advance(0, 16), ...advance(1, 16), ...advance(2, f32 ? 8 : 16),
    0x0c, 0, 0x0b, 0x0b, // br loop, end loop, end block
    0x0b, // end function
  ]
}

/** Load instruction (opcode, alignment) and conversion to float64 of each input type. */
const LOADS: Record<ComponentType, [number, number, number[]]> = {
  int8: [0x2c, 0, [0xb7]], uint8: [0x2d, 0, [0xb7]], int16: [0x2e, 1, [0xb7]], uint16: [0x2f, 1, [0xb7]],
  int32: [0x28, 2, [0xb7]], uint32: [0x28, 2, [0xb8]], float32: [0x2a, 2, [0xbb]], float64: [0x2b, 3, []],
}

/**
 * (src, dst, count, ix, wx): dst[i] = wx[2i] in(src + ix[2i]) + wx[2i + 1] in(src + ix[2i + 1])
 * for i < count: the x taps of one input row (ix in bytes, wx float64, dst float64).
 */
function rowBody(type: ComponentType): number[] {
  const [load, align, convert] = LOADS[type]
  const tap = (offset: number) => [
    ...get(4), 0x2b, 3, ...uleb(2 * offset), // f64.load wx
    ...get(0), ...get(3), 0x28, 2, ...uleb(offset), 0x6a, // src + ix
    load, align, 0, ...convert,
    0xa2, // f64.mul
  ]
  return [
    0,
    ...get(1), ...get(2), 0x41, 3, 0x74, 0x6a, ...set(2), // count := dst + 8 count (end)
    0x02, 0x40, 0x03, 0x40,
    ...get(1), ...get(2), 0x4f, 0x0d, 1,
    ...get(1), ...tap(0), ...tap(4), 0xa0, 0x39, 3, 0, // dst = tap0 + tap1 (f64.add, f64.store)
    ...get(1), 0x41, 8, 0x6a, ...set(1),
    ...get(3), 0x41, 8, 0x6a, ...set(3),
    ...get(4), 0x41, 16, 0x6a, ...set(4),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ]
}

const compiled = new Map<ComponentType, WebAssembly.Module>()

/** blend, scale (float32 out), blend64, scale64 (float64 out) and row (x taps of `type` input). */
function linearModule(type: ComponentType): WebAssembly.Module {
  const cached = compiled.get(type)
  if (cached) return cached
  const bodies = [blendBody(false, true), blendBody(true, true), blendBody(false, false), blendBody(true, false), rowBody(type)]
  const names = ['blend', 'scale', 'blend64', 'scale64', 'row']
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 6, I32, I32, I32, I32, F64, F64, 0, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]),
    ...section(3, [5, 0, 0, 0, 0, 1]),
    ...section(7, [5, ...names.flatMap((n, i) => [...name(n), 0x00, i])]),
    ...section(10, [5, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]),
  ])
  const module = new WebAssembly.Module(bytes)
  compiled.set(type, module)
  return module
}

type Blend = (a: number, b: number, o: number, count: number, w0: number, w1: number) => void

/**
 * The two float64 in-plane slices, the float32 result slice and, for the in-plane step, one
 * input slice, two x-resampled rows and the x taps, in one instance's memory.
 */
export class SimdSliceBlender {
  readonly slots: [Float64Array, Float64Array]
  readonly result: Float32Array
  private readonly exports: { blend: Blend; scale: Blend; blend64: Blend; scale64: Blend; row: (src: number, dst: number, count: number, ix: number, wx: number) => void }
  private readonly memory: WebAssembly.Memory
  private readonly count: number
  private readonly planeSize: number
  private layout?: { mx: number; rows: [number, number]; ix: number; wx: number; slice: number; bytes: number; ring: [Float64Array, Float64Array] }

  /** `inputType`: the input's pixel type, for setRowTaps / loadSlice / row. */
  constructor(planeSize: number, inputType: ComponentType = 'float64') {
    // padded to an even count plus a pair: the loops write voxel pairs, a row's last pair may
    // spill one value into the next row (written later) or the pad (never copied out)
    const count = planeSize + (planeSize & 1) + 2
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((20 * count) / 65536)) })
    this.exports = new WebAssembly.Instance(linearModule(inputType), { e: { m: this.memory } }).exports as SimdSliceBlender['exports']
    this.count = count
    this.planeSize = planeSize
    this.slots = [new Float64Array(this.memory.buffer, 0, planeSize), new Float64Array(this.memory.buffer, 8 * count, planeSize)]
    this.result = new Float32Array(this.memory.buffer, 16 * count, planeSize)
  }

  /** result = f32(w0 slots[a] + w1 slots[b]). */
  blend(a: number, w0: number, b: number, w1: number): Float32Array {
    this.exports.blend(8 * this.count * a, 8 * this.count * b, 16 * this.count, this.count, w0, w1)
    return this.result
  }

  /** result = f32(w slots[a]). */
  scale(a: number, w: number): Float32Array {
    this.exports.scale(8 * this.count * a, 0, 16 * this.count, this.count, w, 0)
    return this.result
  }

  /**
   * Room for one input slice of `sliceLength` values, two rows of `mx` values and the x taps
   * (idx[2i], idx[2i + 1] into a row, weights w): the memory grows once, the slots stay put.
   */
  setRowTaps(mx: number, idx: Int32Array, w: Float64Array, sliceLength: number, bytesPerValue: number): void {
    const rowBytes = 8 * (mx + (mx & 1) + 2)
    const rows: [number, number] = [20 * this.count, 20 * this.count + rowBytes]
    const ix = rows[1] + rowBytes, wx = ix + 8 * mx, slice = wx + 16 * mx
    const end = slice + sliceLength * bytesPerValue
    const have = this.memory.buffer.byteLength
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536))
    const buffer = this.memory.buffer
    const ixView = new Int32Array(buffer, ix, 2 * mx)
    for (let k = 0; k < 2 * mx; k++) ixView[k] = idx[k] * bytesPerValue
    new Float64Array(buffer, wx, 2 * mx).set(w.subarray(0, 2 * mx))
    // views made after the growth: the old ones are detached (and read as empty)
    const n = this.planeSize
    ;(this as { slots: SimdSliceBlender['slots'] }).slots = [new Float64Array(buffer, 0, n), new Float64Array(buffer, 8 * this.count, n)]
    ;(this as { result: Float32Array }).result = new Float32Array(buffer, 16 * this.count, n)
    this.layout = { mx, rows, ix, wx, slice, bytes: bytesPerValue, ring: [new Float64Array(buffer, rows[0], mx), new Float64Array(buffer, rows[1], mx)] }
  }

  /** Copy one input slice (a typed array of the constructor's input type) into the memory. */
  loadSlice(values: ArrayLike<number> & { BYTES_PER_ELEMENT: number; buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): void {
    const l = this.layout!
    new Uint8Array(this.memory.buffer, l.slice, values.byteLength).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
  }

  /** Ring row `r` (0 or 1) := the x taps of row y of the loaded slice (nx values per row); returns it. */
  row(r: number, y: number, nx: number): Float64Array {
    const l = this.layout!
    this.exports.row(l.slice + y * nx * l.bytes, l.rows[r], l.mx, l.ix, l.wx)
    return l.ring[r]
  }

  /** slots[s] row j := w0 ring[a] + w1 ring[b] (w1 = 0: w0 ring[a]), float64. */
  yRow(s: number, j: number, a: number, w0: number, b: number, w1: number): void {
    const l = this.layout!
    const o = 8 * this.count * s + 8 * j * l.mx
    const count = l.mx + (l.mx & 1)
    if (w1 === 0) this.exports.scale64(l.rows[a], 0, o, count, w0, 0)
    else this.exports.blend64(l.rows[a], l.rows[b], o, count, w0, w1)
  }
}
