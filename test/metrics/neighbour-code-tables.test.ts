import { describe, expect, it } from 'vitest'
import { contourLengthTable, normalsOfCode, surfaceAreaTable } from '../../src/metrics/neighbour-code-tables.js'

describe('neighbour-code tables', () => {
  it('3-D: a code and its inside/outside complement have the same surface', () => {
    for (let code = 0; code < 256; code++) {
      const key = (c: number) => normalsOfCode(c).map((n) => n.join()).sort().join(';')
      expect(key(255 - code), `code ${code}`).toBe(key(code))
    }
    const t = surfaceAreaTable([0.7, 1.3, 2.9])
    for (let code = 0; code < 256; code++) expect(t[255 - code]).toBeCloseTo(t[code], 12)
  })

  it('3-D: the same under any permutation or reflection of the axes (so array axis order does not matter)', () => {
    const spacing = [0.7, 1.3, 2.9]
    const t = surfaceAreaTable(spacing)
    const bit = (o: number[]) => 4 * (1 - o[0]) + 2 * (1 - o[1]) + (1 - o[2])
    const corners = [0, 1].flatMap((a) => [0, 1].flatMap((b) => [0, 1].map((c) => [a, b, c])))
    const remap = (code: number, f: (o: number[]) => number[]) => corners.reduce((acc, o) => ((code >> bit(o)) & 1 ? acc | (1 << bit(f(o))) : acc), 0)
    for (const perm of [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
      const permuted = surfaceAreaTable(perm.map((d) => spacing[d]))
      for (let code = 0; code < 256; code++) expect(permuted[remap(code, (o) => perm.map((d) => o[d]))]).toBeCloseTo(t[code], 12)
    }
    for (let axis = 0; axis < 3; axis++) {
      for (let code = 0; code < 256; code++) expect(t[remap(code, (o) => o.map((x, d) => (d === axis ? 1 - x : x)))]).toBeCloseTo(t[code], 12)
    }
  })

  it('3-D: one corner cut off is a triangle of area sqrt(3)/8 voxel^2; empty and full codes have none', () => {
    const t = surfaceAreaTable([1, 1, 1])
    for (const code of [1, 2, 4, 8, 16, 32, 64, 128]) expect(t[code]).toBeCloseTo(Math.sqrt(3) / 8, 15)
    expect([t[0], t[255]]).toEqual([0, 0])
    // half the cell inside (a plane face): a unit square split over the code's normals
    expect(t[0b00001111]).toBeCloseTo(1, 15)
    // spacing scales each normal component by the area of the face it is normal to
    expect(surfaceAreaTable([3, 2, 1])[0b00001111]).toBeCloseTo(2, 15)
  })

  it('2-D: marching-squares contour lengths', () => {
    const t = contourLengthTable([2, 1])
    const diag = 0.5 * Math.sqrt(5)
    expect(t[0b0001]).toBe(diag)
    expect(t[0b0011]).toBe(1) // horizontal edge: spacing of axis 1
    expect(t[0b0101]).toBe(2) // vertical edge: spacing of axis 0
    expect(t[0b0110]).toBe(2 * diag) // saddle: two diagonals
    expect([t[0], t[15]]).toEqual([0, 0])
  })
})
