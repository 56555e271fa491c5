import { describe, expect, it, beforeAll } from 'vitest'
import { makeImage, pixelsOf, type Image } from '../../src/image/image.js'
import { signedMaurerDistance, signedMaurerDistanceAsync } from '../../src/filters/signed-maurer-distance.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

const read = readItkGolden


/** The README's statement of (g), brute force: 26-neighbour boundary, distance to the nearest. */
function bruteForce(mask: ArrayLike<number>, size: number[], spacing: number[]): Float64Array {
  const [nx, ny, nz] = size
  const at = (x: number, y: number, z: number) => mask[(z * ny + y) * nx + x] !== 0
  const boundary: number[][] = []
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    if (!at(x, y, z)) continue
    let edge = false
    for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) {
      const X = x + a, Y = y + b, Z = z + c
      if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) continue // outside: not background
      if (!at(X, Y, Z)) edge = true
    }
    if (edge) boundary.push([x, y, z])
  }
  const out = new Float64Array(mask.length)
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    let best = Infinity
    for (const [a, b, c] of boundary) best = Math.min(best, ((x - a) * spacing[0]) ** 2 + ((y - b) * spacing[1]) ** 2 + ((z - c) * spacing[2]) ** 2)
    out[(z * ny + y) * nx + x] = (at(x, y, z) ? -1 : 1) * Math.sqrt(best)
  }
  return out
}

describe('signedMaurerDistance (ITK SignedMaurerDistanceMapImageFilter, golden (g))', () => {
  let bone: Image
  let ref: Image
  beforeAll(async () => {
    bone = await read('input/ct-pelvis-crop.bone.nii.gz')
    ref = await read('out/ct-pelvis-crop.bone.maurer.nii.gz')
  })

  it('matches ITK within 1e-4 mm (inside negative, 0 on the boundary, image border not background)', () => {
    const out = signedMaurerDistance(bone)
    expect(out.imageType.componentType).toBe('float32')
    expect(maxAbsDiff(pixelsOf(out), pixelsOf(ref))).toBeLessThanOrEqual(1e-4)
    const d = pixelsOf(out)
    let min = Infinity, max = -Infinity
    for (let i = 0; i < d.length; i++) { min = Math.min(min, d[i]); max = Math.max(max, d[i]) }
    expect(min).toBeCloseTo(-6, 5)
    expect(max).toBeCloseTo(85.434189, 4)
  })

  it('two threads (the calling one plus a worker, with a barrier between the passes): identical', async () => {
    const one = pixelsOf(signedMaurerDistance(bone))
    const two = pixelsOf(await signedMaurerDistanceAsync(bone, { threads: 2 }))
    expect(maxAbsDiff(two, one)).toBe(0)
    expect(maxAbsDiff(two, pixelsOf(ref))).toBeLessThanOrEqual(1e-4)
  })

  it('JavaScript fallback (no WebAssembly): identical to the WebAssembly kernel, one and two threads', async () => {
    const wasm = pixelsOf(signedMaurerDistance(bone))
    const js = pixelsOf(signedMaurerDistance(bone, { kernel: 'js' }))
    const jsThreads = pixelsOf(await signedMaurerDistanceAsync(bone, { kernel: 'js', threads: 2 }))
    expect(maxAbsDiff(js, wasm)).toBe(0)
    expect(maxAbsDiff(jsThreads, wasm)).toBe(0)
    expect(maxAbsDiff(js, pixelsOf(ref))).toBeLessThanOrEqual(1e-4)
    const flippedSquared = { insideIsPositive: true, squaredDistance: true }
    expect(maxAbsDiff(pixelsOf(signedMaurerDistance(bone, { ...flippedSquared, kernel: 'js' })), pixelsOf(signedMaurerDistance(bone, flippedSquared)))).toBe(0)
  })

  it('insideIsPositive flips the sign, squaredDistance squares it', () => {
    const plain = pixelsOf(signedMaurerDistance(bone))
    const flipped = pixelsOf(signedMaurerDistance(bone, { insideIsPositive: true }))
    const squared = pixelsOf(signedMaurerDistance(bone, { squaredDistance: true }))
    for (let i = 0; i < plain.length; i += 97) {
      expect(flipped[i]).toBeCloseTo(-plain[i], 4)
      expect(Math.abs(squared[i])).toBeCloseTo(plain[i] * plain[i], 1)
      expect(Math.sign(squared[i])).toBe(Math.sign(plain[i]))
    }
  })

  it('equals brute force on random anisotropic masks touching the border, with and without spacing', () => {
    let s = 5
    const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32)
    const size = [11, 9, 7]
    const spacing = [0.7, 1.1, 2.5]
    for (let trial = 0; trial < 3; trial++) {
      const mask = Uint8Array.from({ length: 11 * 9 * 7 }, (_, i) => {
        const x = i % 11, y = Math.floor(i / 11) % 9, z = Math.floor(i / 99)
        return (x - 3) ** 2 + (y - 4) ** 2 + (z - 2) ** 2 < 12 + trial * 6 || rnd() < 0.05 ? 1 : 0
      })
      const img = makeImage({ size, spacing, origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, mask)
      expect(maxAbsDiff(pixelsOf(signedMaurerDistance(img)), bruteForce(mask, size, spacing))).toBeLessThan(1e-5)
      expect(maxAbsDiff(pixelsOf(signedMaurerDistance(img, { useImageSpacing: false })), bruteForce(mask, size, [1, 1, 1]))).toBeLessThan(1e-5)
      expect(maxAbsDiff(pixelsOf(signedMaurerDistance(img, { kernel: 'js' })), bruteForce(mask, size, spacing))).toBeLessThan(1e-5)
    }
  })

  it('background value: voxels equal to it are background', () => {
    const data = Int16Array.from([5, 5, 5, 9, 9, 9])
    const img = makeImage({ size: [6, 1, 1], spacing: [2, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
    // foreground = the 9s; boundary voxel: index 3 (next to a 5)
    expect(Array.from(pixelsOf(signedMaurerDistance(img, { backgroundValue: 5 })))).toEqual([6, 4, 2, 0, -2, -4])
    // the boundary voxel stays +0 with either sign convention, on both kernels
    for (const kernel of ['auto', 'js'] as const) {
      expect(Array.from(pixelsOf(signedMaurerDistance(img, { backgroundValue: 5, insideIsPositive: true, kernel })))).toEqual([-6, -4, -2, 0, 2, 4])
    }
  })

  it('background value on a byte mask (signed in the kernel): any byte value; a value no byte has makes every voxel foreground', () => {
    const img = makeImage({ size: [6, 1, 1], spacing: [2, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, Uint8Array.from([1, 1, 1, 0, 0, 0]))
    for (const kernel of ['auto', 'js'] as const) {
      // foreground = the 0s; boundary voxel: index 3 (next to a 1)
      expect(Array.from(pixelsOf(signedMaurerDistance(img, { backgroundValue: 1, kernel })))).toEqual([6, 4, 2, 0, -2, -4])
      // no voxel equals 0.5 (nor 256): all foreground, no boundary, -Infinity inside
      for (const backgroundValue of [0.5, 256]) {
        expect(Array.from(pixelsOf(signedMaurerDistance(img, { backgroundValue, kernel })))).toEqual(new Array(6).fill(-Infinity))
      }
    }
  })

  it('no boundary at all: +Infinity outside (empty mask)', () => {
    const img = makeImage({ size: [3, 2, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Uint8Array(6))
    expect(Array.from(pixelsOf(signedMaurerDistance(img)))).toEqual(new Array(6).fill(Infinity))
  })
})
