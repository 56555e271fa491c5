// The z step of linear resampling for float32 output (resample-linear-slices.ts) with WebAssembly
// SIMD: out = float32(w0 a + w1 b), or float32(w a), two float64 lanes per instruction. Why: this
// loop over every output voxel was half of the CPU time of a CT to 1 mm (64 M voxels, ~2.5x
// faster here than in JavaScript, the copy out included). The two in-plane slices and the
// float32 result slice live in the instance's own small memory; the caller copies the result
// slice into the output volume. The same IEEE-754 operations in the same order as the
// JavaScript loops (multiply, multiply, add, round to float32 to nearest even), so the values
// are bit for bit those of the chunked path (resample-slab.ts). Module bytes written opcode by
// opcode (WebAssembly core spec 2.0 binary format, SIMD opcodes 0xFD-prefixed).

const uleb = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes]
const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)]
const get = (i: number): number[] => [0x20, i]
const set = (i: number): number[] => [0x21, i]
const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b
const F64X2_SPLAT = 20, V128_LOAD = 0, F64X2_MUL = 242, F64X2_ADD = 240, F32X4_DEMOTE_F64X2_ZERO = 94, V128_STORE64_LANE = 91

/**
 * (a, b, o, count, w0, w1): o[i] = f32(w0 a[i] + w1 b[i]) for i < count, count even; a, b byte
 * offsets of float64 arrays, o of a float32 array. With `single`: o[i] = f32(w0 a[i]) (b, w1 unused).
 */
function blendBody(single: boolean): number[] {
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
    ...simd(F32X4_DEMOTE_F64X2_ZERO),
    ...simd(V128_STORE64_LANE), 2, 0, 0, // the two float32 lanes to o
    ...advance(0, 16), ...advance(1, 16), ...advance(2, 8),
    0x0c, 0, 0x0b, 0x0b, // br loop, end loop, end block
    0x0b, // end function
  ]
}

let compiled: WebAssembly.Module | undefined

function blendModule(): WebAssembly.Module {
  if (compiled) return compiled
  const bodies = [blendBody(false), blendBody(true)]
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 6, I32, I32, I32, I32, F64, F64, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name('blend'), 0x00, 0, ...name('scale'), 0x00, 1]),
    ...section(10, [2, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]),
  ])
  return (compiled = new WebAssembly.Module(bytes))
}

/** Two float64 in-plane slices to blend and a float32 result slice of `planeSize` voxels each. */
export class SimdSliceBlender {
  readonly slots: [Float64Array, Float64Array]
  readonly result: Float32Array
  private readonly blend2: (a: number, b: number, o: number, count: number, w0: number, w1: number) => void
  private readonly scale1: (a: number, b: number, o: number, count: number, w0: number, w1: number) => void
  private readonly count: number

  constructor(planeSize: number) {
    // padded to an even count: the loop writes voxel pairs (the pad is never copied out)
    const count = planeSize + (planeSize & 1)
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((20 * count) / 65536)) })
    const exports = new WebAssembly.Instance(blendModule(), { e: { m: memory } }).exports as Record<string, SimdSliceBlender['blend2']>
    this.blend2 = exports.blend
    this.scale1 = exports.scale
    this.count = count
    this.slots = [new Float64Array(memory.buffer, 0, planeSize), new Float64Array(memory.buffer, 8 * count, planeSize)]
    this.result = new Float32Array(memory.buffer, 16 * count, planeSize)
  }

  /** result = f32(w0 slots[a] + w1 slots[b]). */
  blend(a: number, w0: number, b: number, w1: number): Float32Array {
    this.blend2(8 * this.count * a, 8 * this.count * b, 16 * this.count, this.count, w0, w1)
    return this.result
  }

  /** result = f32(w slots[a]). */
  scale(a: number, w: number): Float32Array {
    this.scale1(8 * this.count * a, 0, 16 * this.count, this.count, w, 0)
    return this.result
  }
}
