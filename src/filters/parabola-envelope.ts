// The 1-D pass of the exact separable Euclidean distance transform (Felzenszwalb & Huttenlocher's
// lower envelope of parabolas): c(q) = min_p c(p) + w (q - p)^2 over lines of contiguous float64
// values, in place; Infinity marks "no site" and a line of only Infinity is left as is.
// Why WebAssembly: the envelope is the inner loop of the signed Maurer distance map (two of its
// three passes); the same loop in WebAssembly has no typed-array bounds checks and no
// deoptimisation (1.2-1.6x faster than V8's JavaScript on 512-value lines). The kernel is scalar (no SIMD),
// written with wasm-emit.ts, and does the same float64 operations in the same order as the
// JavaScript fallback (`envelopeLine`), so both give identical results; the fallback runs where
// WebAssembly is unavailable (e.g. node --jitless) or when asked for.
import { F64, I32, op, wasmModule, type WasmFunction } from './wasm-emit.js'

/** 'auto': WebAssembly when the runtime has it, else JavaScript; 'js': always JavaScript. */
export type EnvelopeKernel = 'auto' | 'js'

/** A family of lines to solve: `n` values each, weight `w` (the squared spacing along them). */
export interface LineKind {
  n: number
  w: number
}

/**
 * Work memory for envelope passes: float64 arrays of the requested lengths (the lines live in
 * them, so the WebAssembly kernel reads them without a copy), the stack of parabolas and a table
 * of 1 / (2 w d) per line kind (intersections multiply instead of divide).
 */
export class ParabolaEnvelopes {
  /** The caller's float64 arrays, in the order asked for. */
  readonly arrays: Float64Array[]
  /** Whether the WebAssembly kernel runs the lines. */
  readonly wasm: boolean
  private readonly kinds: { n: number; w: number; recip: Float64Array }[]
  private readonly v: Int32Array
  private readonly fv: Float64Array
  private readonly hv: Float64Array
  private readonly zb: Float64Array
  private readonly run?: (c: number, count: number, n: number, w: number, line: number, step: number, recip: number, v: number, fv: number, hv: number, zb: number) => void
  private readonly runRoots?: (src: number, dst: number, count: number, root: number, scale: number) => void
  private readonly runSignedRoots?: (src: number, dst: number, count: number, root: number, scale: number, mask: number, bg: number) => void
  private readonly runGather?: (src: number, rowBytes: number, count: number, n: number, dst: number, lineBytes: number, weight: number) => void
  private readonly runScatter?: (src: number, lineBytes: number, count: number, n: number, dst: number, rowBytes: number) => void

  constructor(arrayLengths: number[], kinds: LineKind[], kernel: EnvelopeKernel = 'auto') {
    const maxN = Math.max(1, ...kinds.map((k) => k.n))
    // float64 slots: the arrays, one table per kind, fv, hv, zb (maxN + 1), then v (int32)
    const lengths = [...arrayLengths, ...kinds.map((k) => Math.max(1, k.n)), maxN, maxN, maxN + 1]
    const bytes = 8 * lengths.reduce((a, b) => a + b, 0) + 4 * maxN
    // the kernel's byte addresses are i32: larger work memory runs the JavaScript loop
    const module = kernel === 'auto' && bytes < 2 ** 31 ? compiledKernel() : null
    const memory = module ? new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) }) : null
    const buffer = memory ? memory.buffer : new ArrayBuffer(bytes)
    let at = 0
    const views = lengths.map((n) => {
      const view = new Float64Array(buffer, at, n)
      at += 8 * n
      return view
    })
    this.arrays = views.slice(0, arrayLengths.length)
    this.kinds = kinds.map((k, i) => ({ ...k, recip: reciprocalTable(views[arrayLengths.length + i], k.n, k.w) }))
    ;[this.fv, this.hv, this.zb] = views.slice(-3)
    this.v = new Int32Array(buffer, at, maxN)
    this.wasm = module !== null
    if (module && memory) {
      const instance = new WebAssembly.Instance(module, { e: { m: memory } })
      this.run = instance.exports.envelopes as typeof this.run
      this.runRoots = instance.exports.roots as typeof this.runRoots
      this.runSignedRoots = instance.exports.signedRoots as typeof this.runSignedRoots
      this.runGather = instance.exports.gatherColumns as typeof this.runGather
      this.runScatter = instance.exports.scatterColumns as typeof this.runScatter
    }
  }

  /**
   * Columns of a row-major block into lines: to[toStart + r * line + q] = weight * v * v with
   * v = from[fromStart + q * row + r], r < count, q < n. `from` is a float32View and `to` one of
   * `arrays` (both in this work memory: the transpose runs in the kernel, without bounds checks).
   */
  gatherColumns(from: Float32Array, fromStart: number, row: number, count: number, n: number, to: Float64Array, toStart: number, line: number, weight: number): void {
    if (this.runGather) {
      this.runGather(from.byteOffset + 4 * fromStart, 4 * row, count, n, to.byteOffset + 8 * toStart, 8 * line, weight)
      return
    }
    for (let q = 0; q < n; q++) {
      const src = fromStart + q * row
      for (let r = 0; r < count; r++) {
        const v = from[src + r]
        to[toStart + r * line + q] = weight * v * v
      }
    }
  }

  /** The way back: to[toStart + q * row + r] = from[fromStart + r * line + q]; both among `arrays`. */
  scatterColumns(from: Float64Array, fromStart: number, line: number, count: number, n: number, to: Float64Array, toStart: number, row: number): void {
    if (this.runScatter) {
      this.runScatter(from.byteOffset + 8 * fromStart, 8 * line, count, n, to.byteOffset + 8 * toStart, 8 * row)
      return
    }
    for (let q = 0; q < n; q++) {
      const dst = toStart + q * row
      for (let r = 0; r < count; r++) to[dst + r] = from[fromStart + r * line + q]
    }
  }

  /**
   * to[i] = scale * sqrt(from[start + i]) (without the root when `root` is false), i < to.length,
   * rounded to float32. `from` is one of `arrays`; `to` a Float32Array view of another (float32View).
   */
  roots(from: Float64Array, start: number, to: Float32Array, root: boolean, scale: number): void {
    if (this.runRoots) {
      this.runRoots(from.byteOffset + 8 * start, to.byteOffset, to.length, root ? 1 : 0, scale)
      return
    }
    for (let i = 0; i < to.length; i++) {
      const d2 = from[start + i]
      to[i] = scale * (root ? Math.sqrt(d2) : d2)
    }
  }

  /**
   * As roots, with the sign of a mask: to[i] = 0 - v where mask[i] !== bg, else v, for
   * v = scale * sqrt(from[start + i]) (0 - v: a zero becomes +0 either way), rounded to float32.
   * `mask` is a byteView of one of `arrays`.
   */
  signedRoots(from: Float64Array, start: number, to: Float32Array, root: boolean, scale: number, mask: Uint8Array, bg: number): void {
    if (this.runSignedRoots) {
      this.runSignedRoots(from.byteOffset + 8 * start, to.byteOffset, to.length, root ? 1 : 0, scale, mask.byteOffset, bg)
      return
    }
    for (let i = 0; i < to.length; i++) {
      const d2 = from[start + i]
      const v = scale * (root ? Math.sqrt(d2) : d2)
      to[i] = mask[i] !== bg ? 0 - v : v
    }
  }

  /** A byte view of the first `length` bytes of `array` (one of `arrays`; length <= 8 array.length). */
  byteView(array: Float64Array, length: number): Uint8Array {
    if (length > 8 * array.length) throw new Error(`byteView: ${length} bytes do not fit`)
    return new Uint8Array(array.buffer, array.byteOffset, length)
  }

  /** A float32 view of the first `length` values' memory of `array` (one of `arrays`; length <= 2 array.length). */
  float32View(array: Float64Array, length: number): Float32Array {
    if (length > 2 * array.length) throw new Error(`float32View: ${length} values do not fit`)
    return new Float32Array(array.buffer, array.byteOffset, length)
  }

  /**
   * Solves `count` lines of kind `kind` (n = kinds[kind].n values each): line l's values are
   * array[start + l * line + q * step], q = 0 .. n - 1. `array` must be one of `arrays`.
   */
  solve(array: Float64Array, start: number, count: number, kind: number, line = this.kinds[kind].n, step = 1): void {
    const { n, w, recip } = this.kinds[kind]
    if (this.run) {
      this.run(array.byteOffset + 8 * start, count, n, w, 8 * line, 8 * step, recip.byteOffset, this.v.byteOffset, this.fv.byteOffset, this.hv.byteOffset, this.zb.byteOffset)
      return
    }
    for (let l = 0; l < count; l++) envelopeLine(array, start + l * line, step, n, w, recip, this.v, this.fv, this.hv, this.zb)
  }
}

/** recip[d] = 1 / (2 w d), d = 1 .. n - 1, written into `table`. */
function reciprocalTable(table: Float64Array, n: number, w: number): Float64Array {
  for (let d = 1; d < n; d++) table[d] = 1 / (2 * w * d)
  return table
}

/**
 * One line c[off + q * step], q = 0 .. n - 1, in place. The parabolas kept on the stack carry their own f values
 * (fv), so results can overwrite the line; hv = f(p) + w p^2 (the intersection formula's terms),
 * zb = left ends of the parabolas' ranges.
 */
export function envelopeLine(
  c: Float64Array, off: number, step: number, n: number, w: number, recip: Float64Array,
  v: Int32Array, fv: Float64Array, hv: Float64Array, zb: Float64Array,
): void {
  let k = -1
  for (let q = 0; q < n; q++) {
    const fq = c[off + q * step]
    if (fq === Infinity) continue
    const hq = fq + w * q * q
    // pop the parabolas the new one hides (never the first: zb[0] = -Infinity)
    let s = -Infinity
    while (k >= 0) {
      s = (hq - hv[k]) * recip[q - v[k]]
      if (s > zb[k]) break
      k--
    }
    k++
    v[k] = q
    fv[k] = fq
    hv[k] = hq
    zb[k] = s
  }
  // parabola j owns the q in (zb[j], zb[j + 1]]: filled range by range, so the loop has no
  // data-dependent branch per element
  let q = 0
  for (let j = 0; j <= k; j++) {
    const end = j === k ? n - 1 : Math.min(n - 1, Math.floor(zb[j + 1]))
    const vj = v[j], fj = fv[j]
    for (; q <= end; q++) {
      const dz = q - vj
      c[off + q * step] = w * dz * dz + fj
    }
  }
}

let compiled: WebAssembly.Module | null | undefined

/** The compiled kernel, or null where WebAssembly (or its saturating conversions) is missing. */
function compiledKernel(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = envelopeWasm()
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null
    } catch {
      compiled = null
    }
  }
  return compiled
}

/**
 * envelopes(c, count, n, w, line, step, recip, v, fv, hv, zb): envelopeLine on `count` lines,
 * the first at byte address c, `line` bytes apart, values `step` bytes apart; the other
 * addresses are the tables' (bytes). Same operations, same order as envelopeLine.
 */
function envelopeWasm(): Uint8Array<ArrayBuffer> {
  // parameters
  const C = 0, COUNT = 1, N = 2, W = 3, LINE = 4, STEP = 5, RECIP = 6, V = 7, FV = 8, HV = 9, ZB = 10
  // locals: i32 then f64
  const LAST = 11, Q = 12, K = 13, J = 14, VJ = 15, END = 16, T = 17
  const FQ = 18, HQ = 19, S = 20, FJ = 21, DZ = 22
  const valueAt = [...op.get(C), ...op.get(Q), ...op.get(STEP), ...op.i32Mul, ...op.i32Add]
  const f64At = (table: number, index: number) => [...op.get(table), ...op.get(index), ...op.i32(3), ...op.i32Shl, ...op.i32Add]
  const i32At = (table: number, index: number) => [...op.get(table), ...op.get(index), ...op.i32(2), ...op.i32Shl, ...op.i32Add]
  const inc = (local: number, by: number) => [...op.get(local), ...op.i32(by), ...op.i32Add, ...op.set(local)]
  const qAsF64 = [...op.get(Q), ...op.f64FromI32]

  // stack building: one q per iteration of the loop
  const build = [
    ...op.block, ...op.loop,
    ...op.get(Q), ...op.get(N), ...op.i32GeS, ...op.brIf(1),
    ...valueAt, ...op.loadF64(0), ...op.tee(FQ), ...op.f64(Infinity), ...op.f64Eq,
    ...op.if, ...inc(Q, 1), ...op.br(1), ...op.end,
    // hq = fq + w * q * q
    ...op.get(FQ), ...op.get(W), ...qAsF64, ...op.f64Mul, ...qAsF64, ...op.f64Mul, ...op.f64Add, ...op.set(HQ),
    ...op.f64(-Infinity), ...op.set(S),
    ...op.block, ...op.loop,
    ...op.get(K), ...op.i32(0), ...op.i32LtS, ...op.brIf(1),
    // s = (hq - hv[k]) * recip[q - v[k]]
    ...op.get(HQ), ...f64At(HV, K), ...op.loadF64(0), ...op.f64Sub,
    ...op.get(RECIP), ...op.get(Q), ...i32At(V, K), ...op.load32(0), ...op.i32Sub, ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.loadF64(0),
    ...op.f64Mul, ...op.tee(S),
    ...f64At(ZB, K), ...op.loadF64(0), ...op.f64Gt, ...op.brIf(1),
    ...inc(K, -1), ...op.br(0),
    ...op.end, ...op.end,
    ...inc(K, 1),
    ...i32At(V, K), ...op.get(Q), ...op.store32(0),
    ...f64At(FV, K), ...op.get(FQ), ...op.storeF64(0),
    ...f64At(HV, K), ...op.get(HQ), ...op.storeF64(0),
    ...f64At(ZB, K), ...op.get(S), ...op.storeF64(0),
    ...inc(Q, 1), ...op.br(0),
    ...op.end, ...op.end,
  ]
  // filling: parabola j over q .. end
  const fill = [
    ...op.get(K), ...op.i32(0), ...op.i32GeS, ...op.if,
    ...op.i32(0), ...op.set(Q), ...op.i32(0), ...op.set(J),
    ...op.block, ...op.loop,
    ...op.get(J), ...op.get(K), ...op.i32GtS, ...op.brIf(1),
    ...op.get(N), ...op.i32(1), ...op.i32Sub, ...op.set(END),
    ...op.get(J), ...op.get(K), ...op.i32LtS, ...op.if,
    ...f64At(ZB, J), ...op.loadF64(8), ...op.f64Floor, ...op.i32FromF64Sat, ...op.tee(T),
    ...op.get(END), ...op.i32LtS, ...op.if, ...op.get(T), ...op.set(END), ...op.end,
    ...op.end,
    ...i32At(V, J), ...op.load32(0), ...op.set(VJ),
    ...f64At(FV, J), ...op.loadF64(0), ...op.set(FJ),
    ...op.block, ...op.loop,
    ...op.get(Q), ...op.get(END), ...op.i32GtS, ...op.brIf(1),
    ...op.get(Q), ...op.get(VJ), ...op.i32Sub, ...op.f64FromI32, ...op.set(DZ),
    // c[q] = w * dz * dz + fj
    ...valueAt, ...op.get(W), ...op.get(DZ), ...op.f64Mul, ...op.get(DZ), ...op.f64Mul, ...op.get(FJ), ...op.f64Add, ...op.storeF64(0),
    ...inc(Q, 1), ...op.br(0),
    ...op.end, ...op.end,
    ...inc(J, 1), ...op.br(0),
    ...op.end, ...op.end,
    ...op.end,
  ]
  const body = [
    // last = c + count * line
    ...op.get(C), ...op.get(COUNT), ...op.get(LINE), ...op.i32Mul, ...op.i32Add, ...op.set(LAST),
    ...whileBelow(C, LAST, [
      ...op.i32(-1), ...op.set(K), ...op.i32(0), ...op.set(Q),
      ...build,
      ...fill,
      ...op.get(C), ...op.get(LINE), ...op.i32Add, ...op.set(C),
    ]),
  ]
  return wasmModule([{
    name: 'envelopes',
    params: [I32, I32, I32, F64, I32, I32, I32, I32, I32, I32, I32],
    locals: [[7, I32], [5, F64]],
    body,
  }, rootsWasm(), signedRootsWasm(), gatherWasm(), scatterWasm()])
}

/** while (cursor < end) body, unsigned comparison of two i32 locals (byte addresses). */
function whileBelow(cursor: number, end: number, body: number[]): number[] {
  return [
    ...op.block, ...op.loop,
    ...op.get(cursor), ...op.get(end), ...op.i32GeU, ...op.brIf(1),
    ...body,
    ...op.br(0),
    ...op.end, ...op.end,
  ]
}

/** signedRoots(src, dst, count, root, scale, mask, bg): as ParabolaEnvelopes.signedRoots, byte addresses. */
function signedRootsWasm(): WasmFunction {
  const SRC = 0, DST = 1, COUNT = 2, ROOT = 3, SCALE = 4, MASK = 5, BG = 6, END = 7, X = 8
  const body = [
    ...op.get(DST), ...op.get(COUNT), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(END),
    ...whileBelow(DST, END, [
      ...op.get(SRC), ...op.loadF64(0), ...op.set(X),
      ...op.get(ROOT), ...op.if, ...op.get(X), ...op.f64Sqrt, ...op.set(X), ...op.end,
      ...op.get(SCALE), ...op.get(X), ...op.f64Mul, ...op.set(X),
      ...op.get(MASK), ...op.load8u(0), ...op.get(BG), ...op.i32Ne,
      ...op.if, ...op.f64(0), ...op.get(X), ...op.f64Sub, ...op.set(X), ...op.end,
      ...op.get(DST), ...op.get(X), ...op.storeF32FromF64(0),
      ...op.get(SRC), ...op.i32(8), ...op.i32Add, ...op.set(SRC),
      ...op.get(DST), ...op.i32(4), ...op.i32Add, ...op.set(DST),
      ...op.get(MASK), ...op.i32(1), ...op.i32Add, ...op.set(MASK),
    ]),
  ]
  return { name: 'signedRoots', params: [I32, I32, I32, I32, F64, I32, I32], locals: [[1, I32], [1, F64]], body }
}

/**
 * Two nested loops: for (q = 0; q < n; q++) { prologue; while (cursor < end) body }, where the
 * prologue sets cursor and end and the body advances the cursor (locals by index).
 */
function columnLoops(q: number, n: number, prologue: number[], cursor: number, end: number, body: number[]): number[] {
  return [
    ...op.block, ...op.loop,
    ...op.get(q), ...op.get(n), ...op.i32GeS, ...op.brIf(1),
    ...prologue,
    ...whileBelow(cursor, end, body),
    ...op.get(q), ...op.i32(1), ...op.i32Add, ...op.set(q),
    ...op.br(0),
    ...op.end, ...op.end,
  ]
}

/** gatherColumns(src, rowBytes, count, n, dst, lineBytes, weight): as ParabolaEnvelopes.gatherColumns, byte addresses. */
function gatherWasm(): WasmFunction {
  const SRC = 0, ROW = 1, COUNT = 2, N = 3, DST = 4, LINE = 5, WEIGHT = 6, Q = 7, S = 8, D = 9, END = 10, V = 11
  const body = columnLoops(Q, N, [
    // s = src + q * rowBytes, end = s + 4 count, d = dst + 8 q
    ...op.get(SRC), ...op.get(Q), ...op.get(ROW), ...op.i32Mul, ...op.i32Add, ...op.tee(S),
    ...op.get(COUNT), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(END),
    ...op.get(DST), ...op.get(Q), ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.set(D),
  ], S, END, [
    // *d = weight * v * v
    ...op.get(S), ...op.loadF32AsF64(0), ...op.set(V),
    ...op.get(D), ...op.get(WEIGHT), ...op.get(V), ...op.f64Mul, ...op.get(V), ...op.f64Mul, ...op.storeF64(0),
    ...op.get(S), ...op.i32(4), ...op.i32Add, ...op.set(S),
    ...op.get(D), ...op.get(LINE), ...op.i32Add, ...op.set(D),
  ])
  return { name: 'gatherColumns', params: [I32, I32, I32, I32, I32, I32, F64], locals: [[4, I32], [1, F64]], body }
}

/** scatterColumns(src, lineBytes, count, n, dst, rowBytes): as ParabolaEnvelopes.scatterColumns, byte addresses. */
function scatterWasm(): WasmFunction {
  const SRC = 0, LINE = 1, COUNT = 2, N = 3, DST = 4, ROW = 5, Q = 6, S = 7, D = 8, END = 9
  const body = columnLoops(Q, N, [
    // d = dst + q * rowBytes, end = d + 8 count, s = src + 8 q
    ...op.get(DST), ...op.get(Q), ...op.get(ROW), ...op.i32Mul, ...op.i32Add, ...op.tee(D),
    ...op.get(COUNT), ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.set(END),
    ...op.get(SRC), ...op.get(Q), ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.set(S),
  ], D, END, [
    ...op.get(D), ...op.get(S), ...op.loadF64(0), ...op.storeF64(0),
    ...op.get(D), ...op.i32(8), ...op.i32Add, ...op.set(D),
    ...op.get(S), ...op.get(LINE), ...op.i32Add, ...op.set(S),
  ])
  return { name: 'scatterColumns', params: [I32, I32, I32, I32, I32, I32], locals: [[4, I32]], body }
}

/** roots(src, dst, count, root, scale): as ParabolaEnvelopes.roots, byte addresses. */
function rootsWasm(): WasmFunction {
  const SRC = 0, DST = 1, COUNT = 2, ROOT = 3, SCALE = 4, END = 5, X = 6
  const body = [
    ...op.get(DST), ...op.get(COUNT), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(END),
    ...whileBelow(DST, END, [
      ...op.get(SRC), ...op.loadF64(0), ...op.set(X),
      ...op.get(ROOT), ...op.if, ...op.get(X), ...op.f64Sqrt, ...op.set(X), ...op.end,
      ...op.get(DST), ...op.get(SCALE), ...op.get(X), ...op.f64Mul, ...op.storeF32FromF64(0),
      ...op.get(SRC), ...op.i32(8), ...op.i32Add, ...op.set(SRC),
      ...op.get(DST), ...op.i32(4), ...op.i32Add, ...op.set(DST),
    ]),
  ]
  return { name: 'roots', params: [I32, I32, I32, I32, F64], locals: [[1, I32], [1, F64]], body }
}
