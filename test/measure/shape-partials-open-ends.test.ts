// openEnds: a slab measured without a halo leaves out exactly the faces toward its neighbouring
// slabs, counted by hand on a solid block.
import { describe, expect, it } from 'vitest'
import { makeImage } from '../../src/image/image.js'
import { shapePartials } from '../../src/measure/shape-partials.js'

// planes 1 and 2 of a 3 x 3 x 4 volume filled with label 1
const slab = makeImage({ size: [3, 3, 2], spacing: [1, 1, 1], origin: [0, 0, 1], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Uint8Array(18).fill(1))

describe('shape partials with open ends', () => {
  it('counts the in-plane faces at the volume border and no k-face toward the other slabs', () => {
    const p = shapePartials(slab, null, { kOffset: 1, kTotal: 4, openEnds: true }).labels['1']
    // per plane: 3 rows x 2 i-ends and 3 columns x 2 j-ends; k: planes 0 and 3 are other slabs'
    expect(p.exposedFaces).toEqual([12, 12, 0])
    expect(p.count).toBe(18)
    expect(p.indexSum).toEqual([18, 18, 9 * 1 + 9 * 2])
    expect(p.borderVoxels).toBe(16) // 8 ring voxels per plane; neither plane is a volume end
  })

  it('counts the k-face at a volume end as exposed', () => {
    const p = shapePartials(slab, null, { kOffset: 2, kTotal: 4, openEnds: true }).labels['1']
    expect(p.exposedFaces).toEqual([12, 12, 9]) // the last plane (global 3) faces outside
  })

  it('without openEnds, still asks for the halo', () => {
    expect(() => shapePartials(slab, null, { kOffset: 1, kTotal: 4 })).toThrow(/1-plane halo below/)
  })
})
