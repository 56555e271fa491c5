// Connected components whole and across slab borders (src/filters/connected-components.ts).
// The phantom is drawn shape by shape, each shape one face-connected object kept apart from the
// others, so the expected labelling is known from the drawing: one component per shape, its
// size the voxels drawn, numbered in raster order of its first voxel. The shapes cross many
// slab borders: a full-height rod, a staircase drifting in x, a U and an n whose arms join only
// in one slab, and voxel pairs that touch only along an edge across planes (not face-connected).
import { describe, expect, it } from 'vitest'
import { connectedComponents, labelComponents, mergeSlabComponents, minVoxelsForVolume, relabelSlab } from '../../src/filters/connected-components.js'
import { makeRandom } from '../../src/sample/random.js'

const size = [40, 36, 60] as const
const [nx, ny, nz] = size
const plane = nx * ny

function phantom() {
  const ids = new Int32Array(nx * ny * nz)
  let next = 0
  const shape = (draw: (set: (x: number, y: number, z: number) => void) => void) => {
    const id = ++next
    draw((x, y, z) => { ids[z * plane + y * nx + x] = id })
  }
  const box = (set: (x: number, y: number, z: number) => void, x0: number, x1: number, y0: number, y1: number, z0: number, z1: number) => {
    for (let z = z0; z <= z1; z++) for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) set(x, y, z)
  }
  shape((set) => box(set, 2, 4, 2, 4, 0, nz - 1)) // rod through every plane
  shape((set) => { for (let z = 0; z < nz; z++) box(set, 8 + Math.floor(z / 5), 10 + Math.floor(z / 5), 10, 12, z, z) }) // staircase
  shape((set) => { box(set, 25, 26, 25, 27, 5, 50); box(set, 31, 32, 25, 27, 5, 50); box(set, 25, 32, 25, 27, 50, 51) }) // U: joined at the bottom
  shape((set) => { box(set, 25, 26, 31, 33, 8, 55); box(set, 31, 32, 31, 33, 8, 55); box(set, 25, 32, 31, 33, 8, 8) }) // n: joined at the top
  for (let z = 3; z + 1 < nz; z += 6) {
    shape((set) => set(36, 4, z)) // touches the next only along an edge
    shape((set) => set(37, 4, z + 1))
  }
  const random = makeRandom('components-phantom', 1)
  for (let n = 0; n < 25; n++) {
    // isolated specks of 1-4 voxels in the empty quarter x >= 30, y < 20, away from the pairs
    // (rows 3 apart in y, planes 2 apart in z, all starting at x = 30: specks never touch)
    const x = 30, y = 8 + 3 * Math.floor(random.next() * 4), z = 2 * Math.floor(random.next() * 29)
    if (ids[z * plane + y * nx + x]) continue
    const length = 1 + Math.floor(random.next() * 4)
    shape((set) => { for (let d = 0; d < length; d++) set(x + d, y, z) })
  }
  return ids
}

/** The labelling the drawing implies: shapes with >= minVoxels voxels, numbered by first voxel. */
function expectedLabels(ids: Int32Array, minVoxels = 1) {
  const count = new Map<number, number>()
  const first = new Map<number, number>()
  ids.forEach((id, p) => {
    if (!id) return
    count.set(id, (count.get(id) ?? 0) + 1)
    if (!first.has(id)) first.set(id, p)
  })
  const kept = [...first.keys()].filter((id) => count.get(id)! >= minVoxels).sort((a, b) => first.get(a)! - first.get(b)!)
  const number = new Map(kept.map((id, n) => [id, n + 1]))
  return { labels: ids.map((id) => number.get(id) ?? 0), count: kept.length, sizes: [0, ...kept.map((id) => count.get(id)!)] }
}

function inSlabs(mask: Uint8Array, thicknesses: number[], minVoxels = 1) {
  const slabs = []
  for (let k0 = 0, n = 0; k0 < nz; n++) {
    const k1 = Math.min(nz, k0 + thicknesses[n % thicknesses.length])
    slabs.push(labelComponents(mask.subarray(k0 * plane, k1 * plane), [nx, ny, k1 - k0], k0))
    k0 = k1
  }
  const merged = mergeSlabComponents(slabs, size, { minVoxels })
  const labels = new Int32Array(mask.length)
  slabs.forEach((s, n) => labels.set(relabelSlab(s, merged.maps[n]), s.k0 * plane))
  return { labels, count: merged.count, sizes: merged.sizes }
}

describe('connected components across slab borders', () => {
  const ids = phantom()
  const mask = Uint8Array.from(ids, (v) => (v ? 1 : 0))

  it('whole volume: one component per drawn shape, sizes and raster numbering as drawn', () => {
    const want = expectedLabels(ids)
    const got = connectedComponents(mask, size)
    expect(got.count).toBe(want.count)
    expect(got.sizes).toEqual(want.sizes)
    expect(Buffer.from(got.labels.buffer).equals(Buffer.from(want.labels.buffer))).toBe(true)
  })

  const random = makeRandom('components-cuts', 2)
  const cuts = [[1], [2], [1, 3, 2], [7], Array.from({ length: 5 }, () => 1 + Math.floor(random.next() * 12))]
  for (const cut of cuts) {
    it(`slabs of ${cut.join(', ')} plane(s): the whole-volume labelling voxel for voxel, with and without a size filter`, () => {
      for (const minVoxels of [1, 3]) {
        const want = expectedLabels(ids, minVoxels)
        const got = inSlabs(mask, cut, minVoxels)
        expect(got.count).toBe(want.count)
        expect(got.sizes).toEqual(want.sizes)
        expect(Buffer.from(got.labels.buffer).equals(Buffer.from(want.labels.buffer))).toBe(true)
      }
    })
  }

  it('minimum size in mL: 1 mL of 2 x 2 x 2.5 mm voxels is 100 voxels', () => {
    expect(minVoxelsForVolume(1, [2, 2, 2.5])).toBe(100)
    expect(minVoxelsForVolume(0.0101, [1, 1, 1])).toBe(11)
  })
})
