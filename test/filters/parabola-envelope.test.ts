import { describe, expect, it } from 'vitest'
import { ParabolaEnvelopes, type EnvelopeKernel } from '../../src/filters/parabola-envelope.js'

/** The definition, brute force: out(q) = min_p f(p) + w (q - p)^2. */
function bruteForce(f: number[], w: number): number[] {
  return f.map((_, q) => Math.min(...f.map((fp, p) => fp + w * (q - p) ** 2)))
}

function lcg(seed: number): () => number {
  let s = seed
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32)
}

/** Random lines mixing sites (0), no-site (Infinity) and finite squared distances. */
function randomLines(rnd: () => number, n: number, count: number): number[][] {
  return Array.from({ length: count }, (_, l) => Array.from({ length: n }, () => {
    const r = rnd()
    if (l === 0) return Infinity // one line without any site
    return r < 0.55 ? Infinity : r < 0.7 ? 0 : Math.round(rnd() * 400) / 8
  }))
}

/** Solve `lines` laid out with the given strides (in elements) with one kernel; returns the lines read back. */
function solveLaidOut(kernel: EnvelopeKernel, lines: number[][], w: number, line: number, step: number, start: number): { out: number[][]; wasm: boolean } {
  const n = lines[0].length
  const length = start + (lines.length - 1) * line + (n - 1) * step + 1
  const env = new ParabolaEnvelopes([7, length], [{ n: 3, w: 9 }, { n, w }], kernel)
  const a = env.arrays[1]
  a.fill(-5) // values between the lines must stay untouched
  lines.forEach((f, l) => f.forEach((v, q) => (a[start + l * line + q * step] = v)))
  env.solve(a, start, lines.length, 1, line, step)
  const out = lines.map((f, l) => f.map((_, q) => a[start + l * line + q * step]))
  let gaps = 0
  const used = new Set(lines.flatMap((f, l) => f.map((_, q) => start + l * line + q * step)))
  for (let i = 0; i < a.length; i++) if (!used.has(i) && a[i] !== -5) gaps++
  expect(gaps).toBe(0)
  return { out, wasm: env.wasm }
}

describe('ParabolaEnvelopes (lower envelope of parabolas, Felzenszwalb & Huttenlocher)', () => {
  it('WebAssembly kernel on this Node; the JavaScript fallback when asked for', () => {
    expect(new ParabolaEnvelopes([4], [{ n: 4, w: 1 }]).wasm).toBe(true)
    expect(new ParabolaEnvelopes([4], [{ n: 4, w: 1 }], 'js').wasm).toBe(false)
  })

  for (const kernel of ['auto', 'js'] as const) {
    it(`${kernel}: equals the definition on random lines, contiguous and strided, any weight`, () => {
      const rnd = lcg(kernel === 'auto' ? 11 : 12)
      for (const [n, w] of [[1, 1], [2, 0.49], [17, 6.25], [64, 0.49], [33, 1]] as const) {
        const lines = randomLines(rnd, n, 9)
        const expected = lines.map((f) => bruteForce(f, w))
        // contiguous lines, lines interleaved (columns of a row-major block), padded lines
        for (const [line, step, start] of [[n, 1, 0], [1, 9, 3], [n + 5, 1, 2]]) {
          const { out } = solveLaidOut(kernel, lines, w, line, step, start)
          for (let l = 0; l < lines.length; l++) {
            for (let q = 0; q < n; q++) {
              if (expected[l][q] === Infinity) expect(out[l][q]).toBe(Infinity)
              else expect(Math.abs(out[l][q] - expected[l][q])).toBeLessThanOrEqual(1e-9 * Math.max(1, expected[l][q]))
            }
          }
        }
      }
    })
  }

  it('both kernels give bit-identical results (same float64 operations in the same order)', () => {
    const rnd = lcg(3)
    const lines = randomLines(rnd, 200, 40)
    const wasm = solveLaidOut('auto', lines, 6.25, 200, 1, 0)
    const js = solveLaidOut('js', lines, 6.25, 200, 1, 0)
    expect(wasm.wasm).toBe(true)
    expect(js.wasm).toBe(false)
    expect(wasm.out).toEqual(js.out)
  })

  it('column transposes: gather squares and weights (float32 in, float64 out), scatter puts back; both kernels identical', () => {
    const [nx, ny, count, t0, line, weight] = [11, 7, 5, 3, 9, 6.25]
    const results = (['auto', 'js'] as const).map((kernel) => {
      const env = new ParabolaEnvelopes([count * line, nx * ny, Math.ceil((nx * ny) / 2)], [{ n: ny, w: 1 }], kernel)
      const [tile, back] = env.arrays
      const block = env.float32View(env.arrays[2], nx * ny)
      const rnd = lcg(5)
      for (let i = 0; i < block.length; i++) block[i] = Math.round(rnd() * 2000) / 8 + 0.1
      tile.fill(-5)
      back.fill(-7)
      env.gatherColumns(block, t0, nx, count, ny, tile, 0, line, weight)
      for (let r = 0; r < line * count; r++) {
        const [c, q] = [Math.floor(r / line), r % line]
        const v = block[t0 + c + q * nx]
        // float32 value read as a number, squared and weighted in float64: exact by definition
        expect(tile[r]).toBe(q < ny ? weight * v * v : -5)
      }
      env.scatterColumns(tile, 0, line, count, ny, back, t0, nx)
      for (let i = 0; i < nx * ny; i++) {
        const x = i % nx
        expect(back[i]).toBe(x >= t0 && x < t0 + count ? tile[(x - t0) * line + Math.floor(i / nx)] : -7)
      }
      return { wasm: env.wasm, tile: Array.from(tile), back: Array.from(back) }
    })
    expect(results.map((r) => r.wasm)).toEqual([true, false])
    expect(results[0].tile).toEqual(results[1].tile)
    expect(results[0].back).toEqual(results[1].back)
  })

  it('a site spreads exactly: w (q - p)^2 from a single zero', () => {
    const f = new Array(9).fill(Infinity)
    f[6] = 0
    for (const kernel of ['auto', 'js'] as const) {
      const out = solveLaidOut(kernel, [f], 0.49, 9, 1, 0).out[0]
      out.forEach((v, q) => expect(v).toBeCloseTo(0.49 * (q - 6) ** 2, 12))
    }
  })
})
