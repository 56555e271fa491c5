// The SIMD z step of linear resampling must round exactly as the definition: float32 of the
// float64 expression w0 a + w1 b (multiply, multiply, add; round to nearest even), which is what
// the chunked path (resample-slab.ts) computes in JavaScript.
import { describe, expect, it } from 'vitest'
import { SimdSliceBlender } from '../../src/filters/resample-linear-blend-simd.js'

describe('SimdSliceBlender', () => {
  // values whose float32 rounding is not trivial, plus signed zeros, infinities, extremes
  const special = [0, -0, 1e-310, -1e-310, 3.4028235677973366e38, -3.4028235677973366e38, 1e39, Infinity, -Infinity, -1024, 2 ** 24 + 1]
  const fill = (a: Float64Array, seed: number) => {
    let s = seed
    for (let i = 0; i < a.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0
      a[i] = i < special.length ? special[(i + seed) % special.length] : ((s / 2 ** 32) - 0.5) * 4000 + s / 2 ** 40
    }
  }

  for (const planeSize of [1, 7, 1000, 358 * 358]) {
    it(`blend and scale over ${planeSize} voxels: float32(w0 a + w1 b) and float32(w a), bit for bit`, () => {
      const blender = new SimdSliceBlender(planeSize)
      fill(blender.slots[0], 3)
      fill(blender.slots[1], 8)
      const [a, b] = blender.slots
      for (const [w0, w1] of [[0.3, 0.7], [0.6000000000000001, 0.3999999999999999], [1, 0]]) {
        const got = Float32Array.from(blender.blend(0, w0, 1, w1))
        const want = Float32Array.from(a, (v, i) => w0 * v + w1 * b[i])
        expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true)
        const swapped = Float32Array.from(blender.blend(1, w0, 0, w1))
        const wantSwapped = Float32Array.from(b, (v, i) => w0 * v + w1 * a[i])
        expect(Buffer.from(swapped.buffer).equals(Buffer.from(wantSwapped.buffer))).toBe(true)
      }
      const scaled = Float32Array.from(blender.scale(1, 0.4))
      const wantScaled = Float32Array.from(b, (v) => 0.4 * v)
      expect(Buffer.from(scaled.buffer).equals(Buffer.from(wantScaled.buffer))).toBe(true)
    })
  }

  it('x taps of a loaded input slice (a slice larger than the first memory: views made again after it grows), then y taps', () => {
    const planeSize = 6, mx = 3, nx = 700, ny = 200
    const blender = new SimdSliceBlender(planeSize, 'int16')
    const idx = new Int32Array([0, 1, 350, 351, 699, 699])
    const w = new Float64Array([0.25, 0.75, 0.6000000000000001, 0.3999999999999999, 1, 0])
    blender.setRowTaps(mx, idx, w, nx * ny, 2)
    expect(blender.slots[0].length).toBe(planeSize)
    expect(blender.result.length).toBe(planeSize)
    const slice = Int16Array.from({ length: nx * ny }, (_, i) => ((i * 7919) % 65536) - 32768)
    blender.loadSlice(slice)
    const rowY = 137
    const want = Array.from({ length: mx }, (_, i) => w[2 * i] * slice[rowY * nx + idx[2 * i]] + w[2 * i + 1] * slice[rowY * nx + idx[2 * i + 1]])
    expect(Array.from(blender.row(1, rowY, nx))).toEqual(want)
    const other = Array.from(blender.row(0, 3, nx))
    blender.yRow(1, 1, 0, 0.3, 1, 0.7) // slots[1] row 1 = 0.3 row(3) + 0.7 row(137)
    expect(Array.from(blender.slots[1].subarray(mx, 2 * mx))).toEqual(other.map((v, i) => 0.3 * v + 0.7 * want[i]))
    blender.slots[0].fill(2)
    expect(Array.from(blender.blend(0, 0.5, 1, 0)).slice(0, mx)).toEqual([1, 1, 1])
  })
})

