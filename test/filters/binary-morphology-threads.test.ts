import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeMask, dilateMask, erodeMask, openMask } from '../../src/filters/binary-morphology.js'
import { closeMaskAsync, dilateMaskAsync, erodeMaskAsync, openMaskAsync } from '../../src/filters/binary-morphology-threads.js'
import { closeFilterThreads, warmFilterThreads } from '../../src/filters/filter-threads.js'
import { bruteClosingSafeBorder, bruteMorph, type R3 } from '../support/brute-morphology.js'

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Random blobs (balls of random radius) plus speckle; some blobs cross the image's faces. */
function blobMask(size: R3, seed: number, blobs: number, speckle: number): Uint8Array {
  const r = rng(seed)
  const [nx, ny, nz] = size
  const mask = new Uint8Array(nx * ny * nz)
  for (let b = 0; b < blobs; b++) {
    const cx = r() * nx, cy = r() * ny, cz = r() * nz, rad = 1 + r() * 5
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 + ((z - cz) * 2) ** 2 <= rad * rad) mask[(z * ny + y) * nx + x] = 1
    }
  }
  for (let i = 0; i < mask.length; i++) if (r() < speckle) mask[i] = 1
  return mask
}

const same = (a: Uint8Array, b: Uint8Array) => {
  expect(a.length).toBe(b.length)
  let diff = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++
  return diff
}

describe('binary morphology on the filter thread pool', () => {
  // the worker must be up before the calls, or the calling thread takes every slice itself
  beforeAll(() => warmFilterThreads(1), 30_000)
  afterAll(() => closeFilterThreads())

  it('closing (SafeBorder) on two threads equals the direct ball implementation', async () => {
    const size: R3 = [23, 19, 15]
    const mask = blobMask(size, 5, 6, 0.01)
    for (const R of [[1, 1, 1], [3, 3, 3], [2, 1, 3]] as R3[]) {
      const want = bruteClosingSafeBorder(mask, size, R)
      expect(same(await closeMaskAsync(mask, size, R, { threads: 2 }), want), `close ${R}`).toBe(0)
      expect(same(await dilateMaskAsync(mask, size, R, { threads: 2 }), bruteMorph(mask, size, R, true)), `dilate ${R}`).toBe(0)
    }
  })

  it('every operation on one and two threads is voxel for voxel the serial one', async () => {
    // odd sizes, anisotropic radius vectors, the EDT path (radius 7), masks touching the faces
    const size: R3 = [67, 53, 41]
    const n = size[0] * size[1] * size[2]
    const masks: [string, Uint8Array][] = [
      ['blobs', blobMask(size, 17, 40, 0.002)],
      ['dense speckle', blobMask(size, 3, 0, 0.4)],
      ['empty', new Uint8Array(n)],
      ['full', new Uint8Array(n).fill(1)],
    ]
    const radii: (number | R3)[] = [3, [1, 2, 0], [3, 1, 2], [0, 0, 2], [4, 4, 1], 7]
    for (const [name, mask] of masks) {
      for (const R of radii) {
        const serial = {
          dilate: dilateMask(mask, size, R), erode: erodeMask(mask, size, R), open: openMask(mask, size, R),
          close: closeMask(mask, size, R), closeNoSafeBorder: closeMask(mask, size, R, false),
        }
        for (const threads of [1, 2]) {
          const o = { threads }
          const label = `${name} R=${R} threads=${threads}`
          expect(same(await dilateMaskAsync(mask, size, R, o), serial.dilate), `dilate ${label}`).toBe(0)
          expect(same(await erodeMaskAsync(mask, size, R, o), serial.erode), `erode ${label}`).toBe(0)
          expect(same(await openMaskAsync(mask, size, R, o), serial.open), `open ${label}`).toBe(0)
          expect(same(await closeMaskAsync(mask, size, R, o), serial.close), `close ${label}`).toBe(0)
          expect(same(await closeMaskAsync(mask, size, R, { ...o, safeBorder: false }), serial.closeNoSafeBorder), `close no SafeBorder ${label}`).toBe(0)
        }
      }
    }
    // facts independent of the implementation: the full mask stays full under every operation
    // (SafeBorder closing, and erosion's foreground border), the empty one empty
    const full = masks[3][1], empty = masks[2][1]
    expect(same(await closeMaskAsync(full, size, 3, { threads: 2 }), full)).toBe(0)
    expect(same(await erodeMaskAsync(full, size, [3, 1, 2], { threads: 2 }), full)).toBe(0)
    expect(same(await dilateMaskAsync(empty, size, 3, { threads: 2 }), empty)).toBe(0)
  }, 60_000)

  it('the threaded result lives in shared memory and the input is not modified', async () => {
    const size: R3 = [31, 27, 17]
    const mask = blobMask(size, 9, 8, 0.01)
    const copy = mask.slice()
    const out = await closeMaskAsync(mask, size, 2, { threads: 2 })
    expect(out.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(same(mask, copy)).toBe(0)
    await expect(closeMaskAsync(mask, size, 2, { threads: 0 })).rejects.toThrow(/threads/)
  })
})
