// Shape partials split between chunks (interiors) and assemble (slab boundary planes) equal the
// single pass over the whole volume, bit for bit, for any cut including one- and two-slice slabs.
import { describe, expect, it } from 'vitest'
import { extractSlab } from '../../src/chunks/slab-image.js'
import { makeImage } from '../../src/image/image.js'
import { shapePartials } from '../../src/measure/shape-partials.js'
import { chunkInteriorShape, shapeFromChunkInteriors } from '../../src/pipeline/chunk-shape.js'
import { makeRandom } from '../../src/sample/random.js'

const size = [23, 19, 17]
const grid = { size, spacing: [0.8, 0.8, 1.5], origin: [3, -7, 11], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }

function phantom(seed: number) {
  const random = makeRandom('chunk-shape', seed)
  const image = new Int16Array(size[0] * size[1] * size[2])
  const labels = new Uint8Array(image.length)
  for (let n = 0; n < image.length; n++) {
    image[n] = Math.floor(random.next() * 2000) - 1000
    // blobs touching every border, so faces across slab borders and volume borders both count
    labels[n] = random.next() < 0.55 ? 1 + Math.floor(random.next() * 3) : 0
  }
  return { image: makeImage(grid, image), labels: makeImage(grid, labels) }
}

describe('shape partials from chunk interiors', () => {
  const random = makeRandom('chunk-shape-cuts', 3)
  const cuts = [[0, 17], [0, 1, 2, 3, 17], [0, 2, 4, 9, 16, 17], [0, 5, 6, 12, 17], [0, ...Array.from({ length: 17 }, (_, n) => n + 1)]]
  cuts.push([0, ...[...new Set(Array.from({ length: 5 }, () => 1 + Math.floor(random.next() * 16)))].sort((a, b) => a - b), 17])
  for (const cut of cuts) {
    it(`slabs cut at ${cut.join(',')}: equal to one pass over the whole volume`, () => {
      const { image, labels } = phantom(cut.length)
      const slabs = cut.slice(0, -1).map((k0, n) => ({ k0, k1: cut[n + 1] }))
      const interiors = slabs.map((s) => chunkInteriorShape(extractSlab(labels, s.k0, s.k1), extractSlab(image, s.k0, s.k1), s.k0, size[2]))
      const split = shapeFromChunkInteriors(interiors, labels, slabs)
      expect(split).toEqual(shapePartials(labels, image, { includeBackground: false }))
    })
  }

  it('refuses parts that leave planes out (a chunk of an older build measured only its interior)', () => {
    const { image, labels } = phantom(1)
    const slabs = [{ k0: 0, k1: 9 }, { k0: 9, k1: 17 }]
    const interiorsOnly = slabs.map((s) => shapePartials(labels, image, { kRange: [s.k0 + 1, s.k1 - 1], includeBackground: false }))
    expect(() => shapeFromChunkInteriors(interiorsOnly, labels, slabs)).toThrow(/cover planes \[\[1,8\],\[10,16\]\], not \[0, 17\)/)
  })
})
