// The threaded linear kernel's split (resample-linear-slices.ts): a worker reads only a shared
// copy of the input slices its range of output slices needs and claims its items from the top,
// the calling thread reads the whole input and claims from the bottom. Which thread runs which
// item depends on timing, so both extreme orders are run here on one thread, deterministically:
// each must give ITK's golden within 1e-3 and exactly the one-thread result. The float32 path
// (WebAssembly) is checked against the float64 path (JavaScript) rounded to float32.
import { describe, expect, it } from 'vitest'
import { gridOf, pixelsOf, type PixelArray } from '../../src/image/image.js'
import { axisTaps, indexMap, isotropicGrid, resample } from '../../src/filters/resample.js'
import { linearSlicesKernel, type LinearSlicesArgs } from '../../src/filters/resample-linear-slices.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

describe('linear kernel split between the calling thread and a worker', async () => {
  const ct = await readItkGolden('input/ct-pelvis-crop.nii.gz')
  const golden = pixelsOf(await readItkGolden('out/ct-pelvis-crop.resample1.5_linear.nii.gz'))
  const grid = isotropicGrid(gridOf(ct), 1.5)
  const input = pixelsOf(ct)
  const n = ct.size, m = grid.size
  const { A, a } = indexMap(gridOf(ct), grid)
  const axes = [0, 1, 2].map((d) => axisTaps('linear', n[d], m[d], a[d], A[d * 3 + d])) as unknown as LinearSlicesArgs['axes']
  const block = 3
  const items = Math.ceil(m[2] / block)
  const rangeStarts = [0, Math.floor(items / 2), items]
  // the worker's input: the slices its output slices' z taps read, and nothing else
  const k0 = rangeStarts[1] * block
  let z0 = Infinity, z1 = -Infinity
  for (let k = k0; k < m[2]; k++) {
    if (!axes[2].valid[k]) continue
    z0 = Math.min(z0, axes[2].idx[2 * k])
    z1 = Math.max(z1, axes[2].idx[2 * k + 1] + 1)
  }
  const plane = n[0] * n[1]
  const reference = pixelsOf(resample(ct, grid, { interpolator: 'linear', defaultValue: -1024 }))

  const run = (order: number[]): { out: PixelArray; workerSlices: number } => {
    const out = new Float32Array(m[0] * m[1] * m[2])
    const args: LinearSlicesArgs = {
      inputs: [input, input.slice(z0 * plane, z1 * plane)], firstSlices: [0, z0], out, inDims: [n[0], n[1], n[2]], axes,
      defaultValue: -1024, integer: false, lo: 0, hi: 0, block, rangeStarts,
      claimed: new Int32Array(items), started: new Int32Array(1),
    }
    let workerSlices = 0
    for (const thread of order) {
      const before = Array.from(args.claimed).filter(Boolean).length
      linearSlicesKernel({ ...args, thread })
      if (thread === 1) workerSlices = (Array.from(args.claimed).filter(Boolean).length - before) * block
    }
    return { out, workerSlices }
  }

  it('the worker first: it does its whole range from its slab, the calling thread the rest', () => {
    const { out, workerSlices } = run([1, 0])
    expect(z0).toBeGreaterThan(0) // the slab really starts inside the input
    expect(workerSlices).toBeGreaterThanOrEqual(m[2] - k0)
    expect(maxAbsDiff(out, golden)).toBeLessThanOrEqual(1e-3)
    expect(Buffer.from(new Uint8Array(out.buffer as ArrayBuffer)).equals(Buffer.from((reference as Float32Array).buffer))).toBe(true)
  })

  it('float32 output (in-plane and z steps in WebAssembly) is the float64 output (JavaScript loops) rounded to float32, bit for bit', () => {
    const f64 = pixelsOf(resample(ct, grid, { interpolator: 'linear', defaultValue: -1024, outputType: 'float64' }))
    const rounded = Float32Array.from(f64 as Float64Array)
    expect(Buffer.from(rounded.buffer).equals(Buffer.from((reference as Float32Array).buffer))).toBe(true)
    // a float32 input (another load instruction) and an odd row length
    const odd = { ...grid, size: [grid.size[0] - 1, grid.size[1], grid.size[2]] }
    const floats = { ...ct, data: Float32Array.from(input as ArrayLike<number>, (v, i) => v + (i % 7) / 8) }
    const f32 = pixelsOf(resample(floats, odd, { interpolator: 'linear', defaultValue: -1024 }))
    const f64odd = Float32Array.from(pixelsOf(resample(floats, odd, { interpolator: 'linear', defaultValue: -1024, outputType: 'float64' })) as Float64Array)
    expect(Buffer.from(f64odd.buffer).equals(Buffer.from((f32 as Float32Array).buffer))).toBe(true)
  })

  it('the calling thread first: it takes every item, the worker finds none left', () => {
    const { out, workerSlices } = run([0, 1])
    expect(workerSlices).toBe(0)
    expect(Buffer.from(new Uint8Array(out.buffer as ArrayBuffer)).equals(Buffer.from((reference as Float32Array).buffer))).toBe(true)
  })
})
