// Mirrors itk::AdaptiveHistogramEqualizationImageFilter (ITK 5.2, no lookup table): with the
// image's global min and max, u = (v - min) / (max - min) - 0.5; for each voxel x, over the voxels
// y of the (2r + 1)^3 box around it that lie inside the image (the box is clipped at the borders
// and the sum divided by the number of voxels inside), average
//   F(u_x, u_y) = 1/2 sgn(d) |2d|^alpha - beta/2 sgn(d) |2d| + beta u_x,   d = u_x - u_y;
// output = (max - min) (average + 1/2) + min, float32. alpha and beta are float32 as in ITK.
//
// Differs on purpose (same result, different arithmetic; ITK takes 74 s for radius 3 on a
// 512 x 512 x 200 CT on two cores, this ~6 s):
// * pairs, not histograms. The antisymmetric part of F, G(d) = 1/2 sgn(d)|2d|^alpha - beta d,
//   is odd, so each unordered pair of voxels within the box is evaluated once, added to one
//   voxel's sum and subtracted from the other's (171 evaluations per voxel for radius 3, not
//   343); the beta u_x part is added once per voxel. The box is walked as pairs of rows, the
//   partner row's values and pending subtractions sliding through registers.
// * integer-valued images (every CT and most MR) look G up in a table indexed by the integer
//   difference v_x - v_y (exact in float64: 3 (max - min) + 2 entries), in WebAssembly
//   generated per radius (wasm-emit.ts; 2.5x the speed of the same loop in JavaScript);
//   other images evaluate G with Math.pow per pair in generated JavaScript (exact, ~15x slower).
// * float64 throughout (ITK: float32 kernel terms summed in hash-map order); the two agree to
//   2.4e-4 (one float32 ulp of the output) on the golden, whose values span 4299.
// * slabs of z planes with an rz-plane halo are processed by the calling thread and worker
//   threads (filter-threads.ts), pulling slabs from a shared counter.
// * a constant image is returned unchanged (ITK divides by zero); NaN is refused.
import { allocatePixels, componentTypeOf, pixelsOf, withPixels, type Image, type PixelArray } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'
import { defaultThreadCount, runOnThreads, sharedCounter } from './filter-threads.js'
import { F64, I32, op, wasmModule } from './wasm-emit.js'

/** Global: the intensity scale is the whole image's min and max. */
export const adaptiveHistogramEqualizationFootprint: Footprint = globalFootprint

export type AheRadius = number | readonly [number, number, number]

export interface AdaptiveHistogramEqualizationOptions {
  /** 0: classical histogram equalization ... 1: unsharp mask; ITK's default 0.3. */
  alpha?: number
  /** 0: unsharp mask ... 1 (with alpha 1): pass through; ITK's default 0.3. */
  beta?: number
  /** Box radius in voxels, one for all axes or per axis; ITK's default 5. */
  radius?: AheRadius
  /** Threads in total (the calling one included); default: the available cores for large images. */
  threads?: number
  /** 'auto' (default): the integer table when the image is integer-valued, else 'direct'. */
  method?: 'auto' | 'table' | 'direct'
  /**
   * The whole image's statistics when `image` is a slab of it (the pipeline's chunks): the
   * intensity scale and the table-or-direct choice must be the whole image's.
   */
  statistics?: AheStatistics
}

/** What the filter needs of the whole image: its range and whether every value is an integer. */
export interface AheStatistics {
  min: number
  max: number
  integerValued: boolean
}

/** The global half of the filter (NaN refused). */
export function aheStatistics(image: Image): AheStatistics {
  const data = pixelsOf(image)
  let min = Infinity
  let max = -Infinity
  let integer = true
  const isIntegerType = !(data instanceof Float32Array || data instanceof Float64Array)
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (v !== v) throw new Error('adaptiveHistogramEqualization: the image contains NaN')
    if (v < min) min = v
    if (v > max) max = v
    if (!isIntegerType && integer && v !== Math.floor(v)) integer = false
  }
  return { min, max, integerValued: integer }
}

/** Arguments of the kernel; typed arrays over SharedArrayBuffers when threads > 1. */
export interface AheKernelArgs {
  input: PixelArray
  output: Float32Array
  dims: [number, number, number]
  radius: [number, number, number]
  alpha: number
  beta: number
  min: number
  range: number
  table: boolean
  slab: number
  counter: Int32Array
}

/** The same computation on the calling thread only. */
export function adaptiveHistogramEqualizationSync(image: Image, options: AdaptiveHistogramEqualizationOptions = {}): Image {
  const plan = planAhe(image, options, false)
  if ('constant' in plan) return plan.constant
  aheKernel(plan.args)
  return withPixels(image, plan.args.output)
}

export async function adaptiveHistogramEqualization(image: Image, options: AdaptiveHistogramEqualizationOptions = {}): Promise<Image> {
  const threads = options.threads ?? (pixelsOf(image).length >= 1 << 21 ? defaultThreadCount() : 1)
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`adaptiveHistogramEqualization: threads must be an integer >= 1, got ${threads}`)
  if (threads === 1) return adaptiveHistogramEqualizationSync(image, options)
  const plan = planAhe(image, options, true, threads)
  if ('constant' in plan) return plan.constant
  await runOnThreads({ module: import.meta.url, name: 'aheKernel', args: plan.args }, threads, aheKernel)
  return withPixels(image, plan.args.output)
}

function planAhe(
  image: Image, options: AdaptiveHistogramEqualizationOptions, shared: boolean, threads = 1,
): { args: AheKernelArgs } | { constant: Image } {
  const data = pixelsOf(image)
  const dims: [number, number, number] = [image.size[0], image.size[1], image.size[2] ?? 1]
  if (data.length !== dims[0] * dims[1] * dims[2]) throw new Error(`adaptiveHistogramEqualization: expected a 3-D scalar image, got size ${image.size.join('x')}`)
  const alpha = Math.fround(options.alpha ?? 0.3)
  const beta = Math.fround(options.beta ?? 0.3)
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) throw new Error('adaptiveHistogramEqualization: alpha and beta must be numbers')
  const r = options.radius ?? 5
  const radius: [number, number, number] = typeof r === 'number' ? [r, r, r] : [r[0], r[1], r[2]]
  for (const v of radius) if (!Number.isInteger(v) || v < 0) throw new Error(`adaptiveHistogramEqualization: radius must be non-negative integers, got ${radius.join(',')}`)
  const { min, max, integerValued: integer } = options.statistics ?? aheStatistics(image)
  const range = max - min
  if (!(range > 0) || !Number.isFinite(range)) {
    const copy = new Float32Array(data.length)
    copy.set(data)
    return { constant: withPixels(image, copy) }
  }
  const method = options.method ?? 'auto'
  // the table holds 3 range + 2 float64 per thread: up to 25 MB
  const tableFits = integer && range <= 1 << 20
  if (method === 'table' && !tableFits) throw new Error('adaptiveHistogramEqualization: the table method needs integer values spanning at most 2^20')
  const table = method === 'table' || (method === 'auto' && tableFits)
  let input = data
  let output: Float32Array
  if (shared) {
    const type = componentTypeOf(data)
    input = allocateShared(type, data.length)
    input.set(data)
    output = new Float32Array(new SharedArrayBuffer(4 * data.length))
  } else {
    output = new Float32Array(data.length)
  }
  // slabs of up to 8 planes (pairs between a slab and its lower halo are computed twice:
  // ~rz / (3.5 slab) extra work; memory per thread 12 bytes x (slab + 2 rz) padded planes, 44 MB
  // for 512 x 512 and radius 3), and about 4 slabs per thread for balance
  const slab = Math.max(1, Math.min(8, Math.ceil(dims[2] / (4 * threads))))
  return { args: { input, output, dims, radius, alpha, beta, min, range, table, slab, counter: sharedCounter() } }
}

function allocateShared(type: ReturnType<typeof componentTypeOf>, n: number): PixelArray {
  const probe = allocatePixels(type, 0)
  const ctor = probe.constructor as unknown as new (b: SharedArrayBuffer) => PixelArray
  return new ctor(new SharedArrayBuffer(n * probe.BYTES_PER_ELEMENT))
}

// ---------------------------------------------------------------------------------------------
// The kernel: pulls slabs of z planes from args.counter until none is left. Each slab is copied
// with an rz-plane halo into a padded buffer (rx sentinels at both ends of every row, whose pairs
// contribute 0); every unordered pair of voxels within the box with at least one voxel in the
// slab is visited once, as (row p, partner row q at dz > 0 or dz = 0, dy > 0; dx in [-rx, rx])
// or within a row (dx in [1, rx]).

export function aheKernel(args: AheKernelArgs): void {
  const { input, output, dims, radius, beta, min, range: R, slab, counter } = args
  const [nx, ny, nz] = dims
  const [rx, ry, rz] = radius
  const LX = nx + 2 * rx
  const span = LX * ny * Math.min(nz, slab + 2 * rz)
  const engine = args.table ? tableEngine(args, span) : directEngine(args, span)
  const { w, acc } = engine
  const cx = boxCounts(nx, rx)
  const cy = boxCounts(ny, ry)
  const cz = boxCounts(nz, rz)
  for (;;) {
    const z0 = Atomics.add(counter, 0, 1) * slab
    if (z0 >= nz) break
    const z1 = Math.min(nz, z0 + slab)
    const lo = Math.max(0, z0 - rz)
    const hi = Math.min(nz, z1 + rz)
    const used = LX * ny * (hi - lo)
    w.fill(engine.sentinel, 0, used)
    for (let z = lo; z < hi; z++) {
      for (let y = 0; y < ny; y++) engine.load(input, (z * ny + y) * nx, ((z - lo) * ny + y) * LX + rx)
    }
    acc.fill(0, 0, used)
    for (let z = lo; z < z1; z++) {
      const zCore = z >= z0 // rows below the slab pair only with slab rows
      for (let y = 0; y < ny; y++) {
        const p = ((z - lo) * ny + y) * LX
        if (zCore && rx > 0) engine.sameRow(p)
        for (let dz = 0; dz <= rz; dz++) {
          const Z = z + dz
          if (Z >= hi) break
          if (!zCore && Z < z0) continue
          const yFrom = Math.max(dz === 0 ? 1 : -ry, -y)
          const yTo = Math.min(ry, ny - 1 - y)
          for (let dy = yFrom; dy <= yTo; dy++) engine.rowPair(p, ((Z - lo) * ny + y + dy) * LX)
        }
      }
    }
    for (let z = z0; z < z1; z++) {
      for (let y = 0; y < ny; y++) {
        const nyz = cy[y] * cz[z]
        const p = ((z - lo) * ny + y) * LX + rx
        const o = (z * ny + y) * nx
        for (let x = 0; x < nx; x++) {
          const u = Math.fround((input[o + x] - min) / R - 0.5)
          output[o + x] = R * (acc[p + x] / (cx[x] * nyz) + beta * u + 0.5) + min
        }
      }
    }
  }
}

/** Number of in-image voxels of the window [i - r, i + r] along an axis of n voxels. */
function boxCounts(n: number, r: number): Int32Array {
  const c = new Int32Array(n)
  for (let i = 0; i < n; i++) c[i] = Math.min(i + r, n - 1) - Math.max(i - r, 0) + 1
  return c
}

/**
 * Pair accumulation over a padded slab: w holds one value per voxel (rows of LX = nx + 2 rx,
 * sentinels at both ends), acc the sums. rowPair(p, q): for the row starting at index p and its
 * partner row at q, every x of row p and dx in [-rx, rx]: t = G(x, x + dx) added to acc at p + x
 * and subtracted at q + x + dx. sameRow(p): the same within row p for dx in [1, rx].
 */
interface PairEngine {
  w: Int32Array | Float64Array
  acc: Float64Array
  sentinel: number
  /** Copy one input row (nx values from src) into w at dst, in the engine's representation. */
  load(input: PixelArray, src: number, dst: number): void
  rowPair(p: number, q: number): void
  sameRow(p: number): void
}

/** G(d) = 1/2 sgn(d) |2d|^alpha - beta d, 0 for d = 0 and for NaN (sentinels). */
function kernelG(alpha: number, beta: number): (d: number) => number {
  return (d) => {
    if (!(d > 0 || d < 0)) return 0
    return (d > 0 ? 0.5 : -0.5) * Math.pow(Math.abs(2 * d), alpha) - beta * d
  }
}

// --- integer images: WebAssembly, table lookups ----------------------------------------------
// Memory: T (3R + 2 float64: T[base + D] = G(D / R) for |D| <= R, zeros below), then w8
// (int32: 8 (v - min), sentinel 8 (2R + 1), so that a byte address tb + w8[p] - w8[q] reads
// T[base + v_p - v_q], or a zero for a sentinel), then acc (float64).

const wasmCache = new Map<number, WebAssembly.Module>()

function tableEngine(args: AheKernelArgs, span: number): PairEngine {
  const { alpha, beta, min, range: R } = args
  const [nx] = args.dims
  const rx = args.radius[0]
  const base = 2 * R + 1
  const tableLength = 3 * R + 2
  const offT = 0
  const offW = align(offT + 8 * tableLength)
  const offAcc = align(offW + 4 * span)
  const bytes = offAcc + 8 * span
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) })
  let module = wasmCache.get(rx)
  if (!module) {
    module = new WebAssembly.Module(aheWasm(rx))
    wasmCache.set(rx, module)
  }
  const exports = new WebAssembly.Instance(module, { e: { m: memory } }).exports as {
    rowPair: (p: number, q: number, ap: number, aq: number, end: number, tb: number) => void
    sameRow: (p: number, ap: number, end: number, tb: number) => void
  }
  const T = new Float64Array(memory.buffer, offT, tableLength)
  const G = kernelG(alpha, beta)
  for (let D = -R; D <= R; D++) T[base + D] = G(D / R)
  const w = new Int32Array(memory.buffer, offW, span)
  const acc = new Float64Array(memory.buffer, offAcc, span)
  const tb = offT + 8 * base
  const rowBytes = 4 * nx
  return {
    w,
    acc,
    sentinel: 8 * (2 * R + 1),
    load(input, src, dst) {
      for (let x = 0; x < nx; x++) w[dst + x] = (input[src + x] - min) * 8
    },
    rowPair(p, q) {
      const wp = offW + 4 * (p + rx)
      exports.rowPair(wp, offW + 4 * q, offAcc + 8 * (p + rx), offAcc + 8 * q, wp + rowBytes, tb)
    },
    sameRow(p) {
      const wp = offW + 4 * (p + rx)
      exports.sameRow(wp, offAcc + 8 * (p + rx), wp + rowBytes, tb)
    },
  }
}

function align(n: number): number {
  return (n + 63) & ~63
}

/**
 * rowPair(p, q, ap, aq, end, tb), all byte addresses: p = &w8[row p, x0], q = &w8[row q, x0 - rx],
 * ap = &acc[row p, x0], aq = &acc[row q, x0 - rx], end = p's end, tb = &T[base]. The partner
 * values w8[q + x - rx ... q + x + rx] slide through locals (one load per x), the pending
 * subtractions for the partner row through f64 locals (one acc update per x).
 * sameRow(p, ap, end, tb): the same within a row, dx = 1..rx.
 */
function aheWasm(rx: number): Uint8Array<ArrayBuffer> {
  const K = 2 * rx + 1
  // rowPair locals: params 0-5, a 6, window b0..b(K-1) 7.., t0..t(K-1), pending 0..K-2
  const [P, Q, AP, AQ, END, TB, A] = [0, 1, 2, 3, 4, 5, 6]
  const B = 7
  const T = B + K
  const PEND = T + K
  const rp: number[] = []
  for (let k = 0; k < K - 1; k++) rp.push(...op.get(Q), ...op.load32(4 * k), ...op.set(B + k + 1))
  rp.push(...op.block, ...op.loop, ...op.get(P), ...op.get(END), ...op.i32GeU, ...op.brIf(1))
  rp.push(...op.get(TB), ...op.get(P), ...op.load32(0), ...op.i32Add, ...op.set(A))
  for (let k = 0; k < K - 1; k++) rp.push(...op.get(B + k + 1), ...op.set(B + k))
  rp.push(...op.get(Q), ...op.load32(4 * (K - 1)), ...op.set(B + K - 1))
  for (let k = 0; k < K; k++) rp.push(...op.get(A), ...op.get(B + k), ...op.i32Sub, ...op.loadF64(0), ...op.set(T + k))
  rp.push(...op.get(AP), ...op.get(AP), ...op.loadF64(0), ...op.get(T))
  for (let k = 1; k < K; k++) rp.push(...op.get(T + k), ...op.f64Add)
  rp.push(...op.f64Add, ...op.storeF64(0))
  rp.push(...op.get(AQ), ...op.get(AQ), ...op.loadF64(0))
  if (K > 1) {
    rp.push(...op.get(PEND), ...op.get(T), ...op.f64Add, ...op.f64Sub, ...op.storeF64(0))
    for (let j = 0; j < K - 2; j++) rp.push(...op.get(PEND + j + 1), ...op.get(T + j + 1), ...op.f64Add, ...op.set(PEND + j))
    rp.push(...op.get(T + K - 1), ...op.set(PEND + K - 2))
  } else {
    rp.push(...op.get(T), ...op.f64Sub, ...op.storeF64(0))
  }
  for (const [v, step] of [[P, 4], [Q, 4], [AP, 8], [AQ, 8]]) rp.push(...op.get(v), ...op.i32(step), ...op.i32Add, ...op.set(v))
  rp.push(...op.br(0), ...op.end, ...op.end)
  for (let j = 0; j < K - 1; j++) rp.push(...op.get(AQ), ...op.get(AQ), ...op.loadF64(8 * j), ...op.get(PEND + j), ...op.f64Sub, ...op.storeF64(8 * j))
  const rowPair = { name: 'rowPair', params: [I32, I32, I32, I32, I32, I32], locals: [[1 + K, I32], [2 * K - 1, F64]] as [number, number][], body: rp }

  // sameRow locals: params 0-3 (p, ap, end, tb), a 4, window b1..b(rx) 5.., t1..t(rx), pending 0..rx-1
  const [SP, SAP, SEND, STB, SA] = [0, 1, 2, 3, 4]
  const SB = 5 - 1 // SB + k for k = 1..rx
  const ST = SB + rx // ST + k
  const SPEND = ST + rx + 1 // SPEND + j, j = 0..rx-1
  const sr: number[] = []
  for (let k = 1; k < rx; k++) sr.push(...op.get(SP), ...op.load32(4 * k), ...op.set(SB + k + 1))
  sr.push(...op.block, ...op.loop, ...op.get(SP), ...op.get(SEND), ...op.i32GeU, ...op.brIf(1))
  sr.push(...op.get(STB), ...op.get(SP), ...op.load32(0), ...op.i32Add, ...op.set(SA))
  for (let k = 1; k < rx; k++) sr.push(...op.get(SB + k + 1), ...op.set(SB + k))
  sr.push(...op.get(SP), ...op.load32(4 * rx), ...op.set(SB + rx))
  for (let k = 1; k <= rx; k++) sr.push(...op.get(SA), ...op.get(SB + k), ...op.i32Sub, ...op.loadF64(0), ...op.set(ST + k))
  sr.push(...op.get(SAP), ...op.get(SAP), ...op.loadF64(0), ...op.get(ST + 1))
  for (let k = 2; k <= rx; k++) sr.push(...op.get(ST + k), ...op.f64Add)
  sr.push(...op.f64Add, ...op.get(SPEND), ...op.f64Sub, ...op.storeF64(0))
  for (let j = 0; j < rx - 1; j++) sr.push(...op.get(SPEND + j + 1), ...op.get(ST + j + 1), ...op.f64Add, ...op.set(SPEND + j))
  sr.push(...op.get(ST + rx), ...op.set(SPEND + rx - 1))
  for (const [v, step] of [[SP, 4], [SAP, 8]]) sr.push(...op.get(v), ...op.i32(step), ...op.i32Add, ...op.set(v))
  sr.push(...op.br(0), ...op.end, ...op.end)
  for (let j = 0; j < rx; j++) sr.push(...op.get(SAP), ...op.get(SAP), ...op.loadF64(8 * j), ...op.get(SPEND + j), ...op.f64Sub, ...op.storeF64(8 * j))
  const functions = [rowPair]
  if (rx > 0) {
    functions.push({ name: 'sameRow', params: [I32, I32, I32, I32], locals: [[1 + rx, I32], [2 * rx + 1, F64]], body: sr })
  }
  return wasmModule(functions)
}

// --- other images: JavaScript, Math.pow per pair ---------------------------------------------
// Values are stored as (v - min) / R (float64; sentinel NaN, for which G is 0). The row loops
// are generated per rx (new Function) with the same sliding structure as the WebAssembly ones.

type RowKernel = (w: Float64Array, G: (d: number) => number, acc: Float64Array, p: number, q: number, x0: number, x1: number) => void
const jsCache = new Map<number, { rowPair: RowKernel; sameRow?: RowKernel }>()

function directEngine(args: AheKernelArgs, span: number): PairEngine {
  const { alpha, beta, min, range: R } = args
  const [nx] = args.dims
  const rx = args.radius[0]
  let k = jsCache.get(rx)
  if (!k) {
    k = generateDirectKernels(rx)
    jsCache.set(rx, k)
  }
  const kernels = k
  const w = new Float64Array(span)
  const acc = new Float64Array(span)
  const G = kernelG(alpha, beta)
  return {
    w,
    acc,
    sentinel: NaN,
    load(input, src, dst) {
      for (let x = 0; x < nx; x++) w[dst + x] = (input[src + x] - min) / R
    },
    rowPair: (p, q) => kernels.rowPair(w, G, acc, p, q, rx, rx + nx),
    sameRow: (p) => kernels.sameRow?.(w, G, acc, p, p, rx, rx + nx),
  }
}

function generateDirectKernels(rx: number): { rowPair: RowKernel; sameRow?: RowKernel } {
  const K = 2 * rx + 1
  const sum = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `t${from + i}`).join(' + ')
  const L: string[] = []
  // pending q0..q(K-2): partial sums for partner positions x - rx + 1 ... x + rx
  L.push('function rowPair(w, G, acc, p, q, x0, x1) {')
  for (let j = 0; j < K - 1; j++) L.push(`let q${j} = 0;`)
  L.push('for (let x = x0; x < x1; x++) {', 'const a = w[p + x];', 'const b = q + x;')
  for (let t = 0; t < K; t++) L.push(`const t${t} = G(a - w[b + ${t - rx}]);`)
  L.push(`acc[p + x] += ${sum(0, K - 1)};`)
  if (K > 1) {
    L.push(`acc[b - ${rx}] -= q0 + t0;`)
    for (let j = 0; j < K - 2; j++) L.push(`q${j} = q${j + 1} + t${j + 1};`)
    L.push(`q${K - 2} = t${K - 1};`, '}', 'const e = q + x1;')
    for (let j = 0; j < K - 1; j++) L.push(`acc[e + ${j - rx}] -= q${j};`)
  } else {
    L.push('acc[b] -= t0;', '}')
  }
  L.push('}')
  if (rx > 0) {
    // pending q0..q(rx-1) for positions x + 1 ... x + rx
    L.push('function sameRow(w, G, acc, p, q, x0, x1) {')
    for (let j = 0; j < rx; j++) L.push(`let q${j} = 0;`)
    L.push('for (let x = x0; x < x1; x++) {', 'const a = w[p + x];')
    for (let t = 1; t <= rx; t++) L.push(`const t${t} = G(a - w[p + x + ${t}]);`)
    L.push(`acc[p + x] += (${sum(1, rx)}) - q0;`)
    for (let j = 0; j < rx - 1; j++) L.push(`q${j} = q${j + 1} + t${j + 1};`)
    L.push(`q${rx - 1} = t${rx};`, '}')
    for (let j = 0; j < rx; j++) L.push(`acc[p + x1 + ${j}] -= q${j};`)
    L.push('}', 'return { rowPair, sameRow };')
  } else {
    L.push('return { rowPair };')
  }
  return new Function(L.join('\n'))() as { rowPair: RowKernel; sameRow?: RowKernel }
}
