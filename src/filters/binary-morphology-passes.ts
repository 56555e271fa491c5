// The two passes of one ball operation of binary-morphology.ts (dilation by a ball = "within the
// ball's limit of a site"), written as kernels that pull z slices from a shared counter, so the
// same code runs on the calling thread alone or on the filter pool (binary-morphology-threads.ts):
// - ballDistanceInPlane: per slice, the capped squared ball distance to the nearest site within
//   the slice (x: two sweeps, y: windowed minimum), into `dist`;
// - ballThresholdAcrossSlices: per output slice, the windowed minimum along z of `dist`,
//   compared with the ball's limit and written (optionally inverted) straight into the target,
//   so no separate threshold, invert or paste pass runs over the volume.
// Each output slice is written by exactly one thread from inputs no thread writes during the
// pass, so results do not depend on the number of threads.

import { byteMinKernels, DATA, OFFSETS, COSTS, SLACK, type ByteMinKernels } from './binary-morphology-simd.js'

export type DistanceArray = Uint8Array | Uint16Array | Uint32Array

/** n distances below `cap` in the narrowest unsigned type, over an ArrayBuffer or a SharedArrayBuffer. */
export function distanceArray(n: number, cap: number, Memory: ArrayBufferConstructor | SharedArrayBufferConstructor = ArrayBuffer): DistanceArray {
  if (cap <= 0xff) return new Uint8Array(new Memory(n))
  return cap <= 0xffff ? new Uint16Array(new Memory(2 * n)) : new Uint32Array(new Memory(4 * n))
}

export interface InPlaneArgs {
  /** Box-shaped voxels (x fastest). */
  sites: Uint8Array
  /** The sites are the zero voxels (an erosion) instead of the non-zero ones (a dilation). */
  zeroSites: boolean
  /** Box-shaped output: min(cap, squared ball distance to the nearest site in the slice). */
  dist: DistanceArray
  dims: number[]
  R: number[]
  W: number[]
  cap: number
  /** Shared counter handing out z slices. */
  next: Int32Array
}

export interface AcrossArgs {
  dist: DistanceArray
  dims: number[]
  R: number[]
  W: number[]
  cap: number
  /** A voxel is within the ball of a site iff its distance is <= limit. */
  limit: number
  /** Written: (within) xor invert, as 0/1. */
  target: Uint8Array
  targetDims: number[]
  /** Target index of the box's voxel (0, 0, 0). */
  targetLo: number[]
  /** Part of the box (box coordinates) written into the target. */
  regionLo: number[]
  regionSize: number[]
  invert: boolean
  /** Shared counter handing out the region's z slices. */
  next: Int32Array
}

export function ballDistanceInPlane(a: InPlaneArgs): void {
  const { sites, zeroSites, dist, dims, R, W, cap, next } = a
  const simd = dist instanceof Uint8Array ? byteMinKernels() : null
  if (simd) return ballDistanceInPlaneSimd(a, simd)
  const [bx, by, bz] = dims
  const plane = bx * by
  const alongY = R[1] > 0 && by > 1
  const scratch = alongY ? new (dist.constructor as new (n: number) => DistanceArray)(plane) : dist
  for (let z = Atomics.add(next, 0, 1); z < bz; z = Atomics.add(next, 0, 1)) {
    const base = z * plane
    lineDistances(sites, base, zeroSites, scratch, alongY ? 0 : base, bx, by, R[0], W[0], cap)
    if (alongY) windowedMinRows(scratch, 0, dist, base, by, bx, R[1], W[1], cap)
  }
}

/**
 * Along x, per row: the squared ball distance to the nearest site within R0 on the row, else
 * cap. A forward sweep stores the distance to the last site (capped at R0 + 1), a backward
 * sweep takes the nearer of that and the next site.
 */
function lineDistances(
  sites: Uint8Array, sitesBase: number, zeroSites: boolean, out: DistanceArray, outBase: number,
  nx: number, rows: number, r0: number, w0: number, cap: number,
): void {
  const far = r0 + 1
  for (let y = 0; y < rows; y++) {
    const s = sitesBase + y * nx
    const o = outBase + y * nx
    let d = far
    for (let x = 0; x < nx; x++) {
      d = (sites[s + x] === 0) === zeroSites ? 0 : d < far ? d + 1 : far
      out[o + x] = d
    }
    d = far
    for (let x = nx - 1; x >= 0; x--) {
      d = (sites[s + x] === 0) === zeroSites ? 0 : d < far ? d + 1 : far
      const k = out[o + x] < d ? out[o + x] : d
      const v = w0 * k * k
      out[o + x] = k < far && v < cap ? v : cap
    }
  }
}

/** Neighbour rows of row `a` (of n) within the window: their offsets (in rows) and added costs. */
function windowRows(a: number, n: number, radius: number, w: number, cap: number, off: Int32Array, cost: Float64Array): number {
  let cnt = 0
  for (let k = 1; k <= radius; k++) {
    const wk = w * k * k
    if (wk >= cap) break
    if (a - k >= 0) {
      off[cnt] = -k
      cost[cnt++] = wk
    }
    if (a + k < n) {
      off[cnt] = k
      cost[cnt++] = wk
    }
  }
  return cnt
}

/** dst[row a] = min(cap, min over |k| <= radius of src[row a + k] + w k^2), rows of length inner. */
function windowedMinRows(src: DistanceArray, srcBase: number, dst: DistanceArray, dstBase: number, n: number, inner: number, radius: number, w: number, cap: number): void {
  const off = new Int32Array(2 * radius)
  const cost = new Float64Array(2 * radius)
  for (let a = 0; a < n; a++) {
    const cnt = windowRows(a, n, radius, w, cap, off, cost)
    const s = srcBase + a * inner
    const d = dstBase + a * inner
    minOfRows(src, s, dst, d, inner, cnt, off, cost, inner, cap, -1, false)
  }
}

/**
 * The core loop: for i < len, m = min(src[s + i], src[s + i + off[j] * stride] + cost[j]);
 * limit < 0: out[d + i] = min(m, cap) (a distance); else out[d + i] = (m <= limit) xor invert (0/1).
 * Six neighbours (radius 3 away from the box's faces, the common case) is unrolled.
 */
function minOfRows(
  src: DistanceArray, s: number, out: DistanceArray, d: number, len: number, cnt: number, off: Int32Array, cost: Float64Array,
  stride: number, cap: number, limit: number, invert: boolean,
): void {
  const inside = invert ? 0 : 1
  const outside = invert ? 1 : 0
  if (cnt === 6) {
    const s0 = s + off[0] * stride, s1 = s + off[1] * stride, s2 = s + off[2] * stride
    const s3 = s + off[3] * stride, s4 = s + off[4] * stride, s5 = s + off[5] * stride
    const c0 = cost[0], c1 = cost[1], c2 = cost[2], c3 = cost[3], c4 = cost[4], c5 = cost[5]
    for (let i = 0; i < len; i++) {
      let m = src[s + i]
      let v = src[s0 + i] + c0
      if (v < m) m = v
      v = src[s1 + i] + c1
      if (v < m) m = v
      v = src[s2 + i] + c2
      if (v < m) m = v
      v = src[s3 + i] + c3
      if (v < m) m = v
      v = src[s4 + i] + c4
      if (v < m) m = v
      v = src[s5 + i] + c5
      if (v < m) m = v
      out[d + i] = limit < 0 ? (m < cap ? m : cap) : m <= limit ? inside : outside
    }
    return
  }
  for (let i = 0; i < len; i++) {
    let m = src[s + i]
    for (let j = 0; j < cnt; j++) {
      const v = src[s + off[j] * stride + i] + cost[j]
      if (v < m) m = v
    }
    out[d + i] = limit < 0 ? (m < cap ? m : cap) : m <= limit ? inside : outside
  }
}

export function ballThresholdAcrossSlices(a: AcrossArgs): void {
  const { dist, dims, R, W, cap, limit, target, targetDims, targetLo, regionLo, regionSize, invert, next } = a
  const simd = dist instanceof Uint8Array ? byteMinKernels() : null
  if (simd) return ballThresholdAcrossSlicesSimd(a, simd)
  const [bx, by, bz] = dims
  const [tnx, tny] = targetDims
  const plane = bx * by
  const radius = bz > 1 ? R[2] : 0
  const off = new Int32Array(2 * radius)
  const cost = new Float64Array(2 * radius)
  const [x0, y0] = regionLo
  for (let k = Atomics.add(next, 0, 1); k < regionSize[2]; k = Atomics.add(next, 0, 1)) {
    const z = regionLo[2] + k
    const cnt = windowRows(z, bz, radius, W[2], cap, off, cost)
    for (let y = y0; y < y0 + regionSize[1]; y++) {
      const s = z * plane + y * bx + x0
      const t = ((z + targetLo[2]) * tny + y + targetLo[1]) * tnx + targetLo[0] + x0
      minOfRows(dist, s, target, t, regionSize[0], cnt, off, cost, plane, cap, limit, invert)
    }
  }
}

/**
 * ballDistanceInPlane with byte distances in WebAssembly: the slice goes into the instance's
 * memory with rows padded by R0 non-site bytes on each side (pitch bx + 2 R0), so the x pass
 * is a windowed minimum over byte offsets like the y pass over row offsets.
 * Copies between a SharedArrayBuffer and the instance's memory are word copies only when both
 * sides have the same address modulo 8 (V8 copies shared memory with relaxed atomics, else
 * byte by byte, 2-3x slower): whole slices are copied at such offsets and re-pitched inside
 * the instance's own memory.
 */
function ballDistanceInPlaneSimd(a: InPlaneArgs, k: ByteMinKernels): void {
  const { sites, zeroSites, dims, R, W, cap, next } = a
  const dist = a.dist as Uint8Array
  const [bx, by, bz] = dims
  const plane = bx * by
  const pad = R[0]
  const pitch = bx + 2 * pad
  const area = by * pitch + SLACK
  const first = DATA + SLACK
  const second = first + area
  let mem = k.bytes(second + area)
  const offs = new Int32Array(2 * Math.max(R[0], R[1]))
  const costs = new Float64Array(offs.length)
  for (let z = Atomics.add(next, 0, 1); z < bz; z = Atomics.add(next, 0, 1)) {
    mem = k.bytes(second + area)
    const staged = second + ((sites.byteOffset + z * plane) & 7)
    mem.set(sites.subarray(z * plane, (z + 1) * plane), staged)
    mem.fill(zeroSites ? 1 : 0, first, first + by * pitch) // the padding: non-sites
    for (let y = 0; y < by; y++) mem.copyWithin(first + y * pitch + pad, staged + y * bx, staged + (y + 1) * bx)
    k.siteDistance(first, first, by * pitch, zeroSites ? 1 : 0, cap)
    let cur = first, spare = second
    if (R[0] > 0 && bx > 1) {
      let cnt = 0
      for (let d = 1; d <= R[0] && W[0] * d * d < cap; d++) {
        offs[cnt] = -d
        costs[cnt++] = W[0] * d * d
        offs[cnt] = d
        costs[cnt++] = W[0] * d * d
      }
      k.table(offs, costs, cnt)
      k.minRows(cur, spare, by * pitch, OFFSETS, COSTS, cnt, cap)
      ;[cur, spare] = [spare, cur]
    }
    if (R[1] > 0 && by > 1) {
      for (let y = 0; y < by; y++) {
        const cnt = windowRows(y, by, R[1], W[1], cap, offs, costs)
        for (let j = 0; j < cnt; j++) offs[j] *= pitch
        k.table(offs, costs, cnt)
        k.minRows(cur + y * pitch, spare + y * pitch, pitch, OFFSETS, COSTS, cnt, cap)
      }
      ;[cur, spare] = [spare, cur]
    }
    mem = k.bytes(0)
    const packed = spare + ((dist.byteOffset + z * plane) & 7)
    for (let y = 0; y < by; y++) mem.copyWithin(packed + y * bx, cur + y * pitch + pad, cur + y * pitch + pad + bx)
    dist.set(mem.subarray(packed, packed + plane), z * plane)
  }
}

/**
 * ballThresholdAcrossSlices with byte distances in WebAssembly: per output slice, the slice and
 * its z neighbours are copied into the instance's memory (only the region's rows, each at the
 * same address modulo 8 as its source), the minimum, the limit and the inversion run there,
 * and the region's rows are copied into the target.
 */
function ballThresholdAcrossSlicesSimd(a: AcrossArgs, k: ByteMinKernels): void {
  const { dims, R, W, cap, limit, target, targetDims, targetLo, regionLo, regionSize, invert, next } = a
  const dist = a.dist as Uint8Array
  const [bx, by, bz] = dims
  const [tnx, tny] = targetDims
  const plane = bx * by
  const [x0, y0] = regionLo
  const rows = regionSize[1] * bx
  const radius = bz > 1 ? R[2] : 0
  const slot = rows + SLACK
  const offs = new Int32Array(2 * radius)
  const costs = new Float64Array(2 * radius)
  const result = DATA + SLACK
  const first = result + slot
  // whole rows of a box-shaped target are one contiguous run: one aligned copy per slice
  const contiguous = regionSize[0] === bx && tnx === bx && tny === by && targetLo.every((v) => v === 0)
  for (let kz = Atomics.add(next, 0, 1); kz < regionSize[2]; kz = Atomics.add(next, 0, 1)) {
    const z = regionLo[2] + kz
    const cnt = windowRows(z, bz, radius, W[2], cap, offs, costs)
    const mem = k.bytes(first + (cnt + 1) * slot)
    const from = z * plane + y0 * bx
    const at = (src: number, j: number) => first + j * slot + ((dist.byteOffset + src) & 7)
    const base = at(from, 0)
    mem.set(dist.subarray(from, from + rows), base)
    for (let j = 0; j < cnt; j++) {
      const src = from + offs[j] * plane
      const to = at(src, j + 1)
      mem.set(dist.subarray(src, src + rows), to)
      offs[j] = to - base
    }
    k.table(offs, costs, cnt)
    const t0 = ((z + targetLo[2]) * tny + y0 + targetLo[1]) * tnx + targetLo[0] + x0
    const out = contiguous ? result + ((target.byteOffset + t0) & 7) : result
    k.minRows(base, out, rows, OFFSETS, COSTS, cnt, cap)
    k.withinLimit(out, out, rows, limit, invert ? 1 : 0)
    if (contiguous) {
      target.set(mem.subarray(out, out + rows), t0)
      continue
    }
    for (let y = 0; y < regionSize[1]; y++) {
      const t = t0 + y * tnx
      const r = out + y * bx + x0
      target.set(mem.subarray(r, r + regionSize[0]), t)
    }
  }
}

