import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { readImageNode } from '@itk-wasm/image-io'
import { pixelsOf, type Image } from '../../src/image/image.js'
import { binaryThreshold } from '../../src/filters/binary-threshold.js'
import {
  ballOffsetCount, ballRadiusFromMm, close, closeMask, closingFootprint, dilateMask, erodeMask, openMask,
} from '../../src/filters/binary-morphology.js'
import { byteMinKernels } from '../../src/filters/binary-morphology-simd.js'
import { bruteClosingSafeBorder, bruteMorph, ballOffsets, type R3 } from '../support/brute-morphology.js'

const golden = fileURLToPath(new URL('../../../shared/golden/itk/', import.meta.url))

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const count = (a: ArrayLike<number>) => {
  let n = 0
  for (let i = 0; i < a.length; i++) n += a[i] ? 1 : 0
  return n
}

describe('binary morphology with ITK ball structuring elements', () => {
  it('ball offset counts: 19 / 81 / 179 for radius 1 / 2 / 3', () => {
    expect(ballOffsetCount(1)).toBe(19)
    expect(ballOffsetCount(2)).toBe(81)
    expect(ballOffsetCount(3)).toBe(179)
    for (const R of [[1, 2, 0], [3, 1, 2], [0, 0, 0]] as R3[]) expect(ballOffsetCount(R)).toBe(ballOffsets(R).length)
  })

  it('threshold 200..3000 + closing r = 2 (SafeBorder) equals ITK voxel for voxel: 22,297 voxels', async () => {
    const ct = (await readImageNode(golden + 'input/ct-pelvis-crop.nii.gz')) as Image
    const ref = (await readImageNode(golden + 'out/ct-pelvis-crop.thr200-3000.close-r2.nii.gz')) as Image
    const closed = close(binaryThreshold(ct, 200, 3000), 2)
    expect(closed.imageType.componentType).toBe('uint8')
    const got = pixelsOf(closed)
    const want = pixelsOf(ref)
    expect(count(got)).toBe(22297)
    let diff = 0
    for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) diff++
    expect(diff).toBe(0)
  })

  it('dilate / erode / open / close agree with a direct neighbourhood implementation (windowed and EDT paths)', () => {
    const r = rng(11)
    const size: R3 = [14, 11, 9]
    const n = size[0] * size[1] * size[2]
    for (const [R, density] of [[[1, 1, 1], 0.3], [[2, 2, 2], 0.1], [[2, 1, 0], 0.25], [[1, 3, 2], 0.5], [[3, 3, 3], 0.7], [[7, 7, 7], 0.02], [[8, 2, 1], 0.05], [[0, 0, 7], 0.1]] as [R3, number][]) {
      const mask = new Uint8Array(n)
      for (let i = 0; i < n; i++) mask[i] = r() < density ? 1 : 0
      const dil = bruteMorph(mask, size, R, true)
      const ero = bruteMorph(mask, size, R, false)
      expect(Array.from(dilateMask(mask, size, R)), `dilate ${R}`).toEqual(Array.from(dil))
      expect(Array.from(erodeMask(mask, size, R)), `erode ${R}`).toEqual(Array.from(ero))
      expect(Array.from(openMask(mask, size, R)), `open ${R}`).toEqual(Array.from(bruteMorph(ero, size, R, true)))
      expect(Array.from(closeMask(mask, size, R, false)), `close ${R}`).toEqual(Array.from(bruteMorph(dil, size, R, false)))
      expect(Array.from(closeMask(mask, size, R)), `close safe ${R}`).toEqual(Array.from(bruteClosingSafeBorder(mask, size, R)))
    }
  })

  it('sparse masks (bounding-box cropping) and empty masks', () => {
    const size: R3 = [21, 17, 13]
    const n = size[0] * size[1] * size[2]
    const idx = (x: number, y: number, z: number) => (z * size[1] + y) * size[0] + x
    const mask = new Uint8Array(n)
    for (const [x, y, z] of [[10, 8, 6], [11, 8, 6], [13, 9, 7], [0, 0, 0], [20, 16, 12], [10, 10, 6], [12, 11, 6]]) mask[idx(x, y, z)] = 1
    for (let x = 4; x < 9; x++) for (let y = 3; y < 7; y++) mask[idx(x, y, 11)] = 1
    for (const R of [[1, 1, 1], [2, 2, 2], [2, 1, 3], [7, 7, 7]] as R3[]) {
      const dil = bruteMorph(mask, size, R, true)
      expect(Array.from(dilateMask(mask, size, R)), `dilate ${R}`).toEqual(Array.from(dil))
      expect(Array.from(erodeMask(dil, size, R)), `erode ${R}`).toEqual(Array.from(bruteMorph(dil, size, R, false)))
      expect(Array.from(closeMask(mask, size, R)), `close ${R}`).toEqual(Array.from(bruteClosingSafeBorder(mask, size, R)))
      expect(Array.from(openMask(dil, size, R)), `open ${R}`).toEqual(Array.from(bruteMorph(bruteMorph(dil, size, R, false), size, R, true)))
    }
    const empty = new Uint8Array(n)
    for (const f of [dilateMask, erodeMask, closeMask, openMask]) expect(count(f(empty, size, 2))).toBe(0)
    expect(count(erodeMask(new Uint8Array(n).fill(1), size, 2))).toBe(n) // the border does not erode
  })

  it('any non-zero voxel is foreground; the SIMD byte kernels are in use (radius <= 6)', () => {
    // a broken WebAssembly module would silently fall back to the JavaScript loops
    expect(byteMinKernels()).not.toBeNull()
    const size: R3 = [19, 15, 11]
    const n = size[0] * size[1] * size[2]
    const r = rng(7)
    const labels = new Uint8Array(n)
    for (let i = 0; i < n; i++) labels[i] = r() < 0.2 ? [1, 5, 255][Math.floor(r() * 3)] : 0
    const binary = labels.map((v) => (v !== 0 ? 1 : 0))
    const input = labels.slice()
    for (const R of [[2, 2, 2], [1, 2, 1]] as R3[]) {
      expect(Array.from(closeMask(labels, size, R)), `close ${R}`).toEqual(Array.from(bruteClosingSafeBorder(binary, size, R)))
      expect(Array.from(erodeMask(labels, size, R)), `erode ${R}`).toEqual(Array.from(bruteMorph(binary, size, R, false)))
      expect(Array.from(dilateMask(labels, size, R)), `dilate ${R}`).toEqual(Array.from(bruteMorph(binary, size, R, true)))
    }
    expect(Array.from(labels)).toEqual(Array.from(input)) // the input is never written
  })

  it('radius from mm and footprints', () => {
    expect(ballRadiusFromMm(3, [0.977, 0.977, 2])).toEqual([3, 3, 2])
    expect(closingFootprint(2)).toEqual({ kind: 'neighbourhood', haloVoxels: [4, 4, 4] })
    expect(() => ballOffsetCount(1.5)).toThrow(/integer/)
  })
})
