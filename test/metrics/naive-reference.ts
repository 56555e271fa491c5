// Slow, literal implementations of the definitions, for checking the fast code on small
// random volumes: every corner of the whole grid, every pair of points.
import { FULL_CODE_2D, FULL_CODE_3D, neighbourCodeSizeTable } from '../../src/metrics/neighbour-code-tables.js'

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A random mask of blobs (size 2-D or 3-D), axis 0 fastest. */
export function randomMask(size: number[], rand: () => number, density: number, smooth: boolean): Uint8Array {
  const n = size.reduce((a, b) => a * b, 1)
  const m = new Uint8Array(n)
  for (let t = 0; t < n; t++) m[t] = rand() < density ? 1 : 0
  if (!smooth) return m
  // one majority pass over axis-0/1 neighbours makes blobs instead of salt
  const out = new Uint8Array(n)
  const [n0, n1] = size
  for (let t = 0; t < n; t++) {
    const i = t % n0, j = Math.floor(t / n0) % n1
    let s = m[t] * 2
    if (i > 0) s += m[t - 1]
    if (i < n0 - 1) s += m[t + 1]
    if (j > 0) s += m[t - n0]
    if (j < n1 - 1) s += m[t + n0]
    out[t] = s >= 3 ? 1 : 0
  }
  return out
}

const coords = (t: number, dims: number[]): number[] => {
  const c: number[] = []
  for (const n of dims) { c.push(t % n); t = Math.floor(t / n) }
  return c
}

/** Squared distance as scipy's distance_transform_edt computes it: ((d0 s0)^2 + (d1 s1)^2) + (d2 s2)^2. */
export function scipySquared(a: number[], b: number[], spacing: readonly number[]): number {
  let sum = 0
  for (let d = 0; d < a.length; d++) {
    const x = Math.abs(a[d] - b[d]) * spacing[d]
    sum = d === 0 ? x * x : sum + x * x
  }
  return sum
}

/** Nearest distance from each query point to a point set, by trying them all. */
export function bruteNearest(queries: number[][], features: number[][], spacing: readonly number[]): number[] {
  return queries.map((q) => {
    let best = Infinity
    for (const f of features) best = Math.min(best, scipySquared(q, f, spacing))
    return Math.sqrt(best)
  })
}

/** The library's surface points over the WHOLE corner grid (no crop): [corner coords, size] in raster order. */
export function naiveSurface(mask: Uint8Array, size: number[], spacing: number[]): { points: number[][]; areas: number[] } {
  const threeD = size.length === 3
  const dims = size.map((n) => n + 1)
  const table = neighbourCodeSizeTable(spacing)
  const full = threeD ? FULL_CODE_3D : FULL_CODE_2D
  const at = (v: number[]) => {
    for (let d = 0; d < size.length; d++) if (v[d] < 0 || v[d] >= size[d]) return 0
    let t = 0, stride = 1
    for (let d = 0; d < size.length; d++) { t += v[d] * stride; stride *= size[d] }
    return mask[t]
  }
  const points: number[][] = [], areas: number[] = []
  const total = dims.reduce((a, b) => a * b, 1)
  for (let t = 0; t < total; t++) {
    const c = coords(t, dims)
    let code = 0
    if (threeD) {
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let e = 0; e < 2; e++) {
        if (at([c[0] - 1 + a, c[1] - 1 + b, c[2] - 1 + e])) code |= 1 << (4 * (1 - a) + 2 * (1 - b) + (1 - e))
      }
    } else {
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
        if (at([c[0] - 1 + a, c[1] - 1 + b])) code |= 1 << (2 * (1 - a) + (1 - b))
      }
    }
    if (code !== 0 && code !== full) { points.push(c); areas.push(table[code]) }
  }
  return { points, areas }
}

/** Voxels of the mask with a neighbour outside it; neighbours beyond the image count as inside. */
export function naiveBorderVoxels(mask: Uint8Array, size: number[], connectivity: 'face' | 'full'): number[][] {
  const out: number[][] = []
  const n = size.reduce((a, b) => a * b, 1)
  const offsets: number[][] = []
  const span = [-1, 0, 1]
  const axes = size.length
  const rec = (prefix: number[]) => {
    if (prefix.length === axes) {
      const nz = prefix.filter((x) => x !== 0).length
      if (nz > 0 && (connectivity === 'full' || nz === 1)) offsets.push(prefix)
      return
    }
    for (const s of span) rec([...prefix, s])
  }
  rec([])
  for (let t = 0; t < n; t++) {
    if (!mask[t]) continue
    const c = coords(t, size)
    const border = offsets.some((o) => {
      const v = c.map((x, d) => x + o[d])
      if (v.some((x, d) => x < 0 || x >= size[d])) return false
      let u = 0, stride = 1
      for (let d = 0; d < axes; d++) { u += v[d] * stride; stride *= size[d] }
      return mask[u] === 0
    })
    if (border) out.push(c)
  }
  return out
}
