// Shape partials (shape-partials.ts) in two parts so that most of the pass runs in the chunks:
// a chunk measures its own planes except its first and last (every neighbour of those planes is
// its own, so no halo is needed and the numbers are final), and assemble measures only those
// boundary planes on the stitched volume, whose neighbours lie in the next chunk. The partials
// of disjoint planes reduce exactly (integers, counts), so the result is the whole-volume pass's.
import type { Image } from '../image/image.js'
import { type SlabVolume, asSlabVolume, planesImage } from '../chunks/slab-volume.js'
import { type ShapePartials, reduceShapePartials, shapePartials } from '../measure/shape-partials.js'

/** A chunk's part: its own slices (image and labels without halo) starting at global plane k0. */
export function chunkInteriorShape(labels: Image, image: Image, k0: number, kTotal: number): ShapePartials {
  const depth = labels.size[2]
  const from = Math.min(1, depth)
  return shapePartials(labels, image, { kRange: [from, Math.max(from, depth - 1)], kOffset: k0, kTotal, includeBackground: false })
}

/** The whole volume's shape partials from the chunks' interiors and the slabs' boundary planes. */
export function shapeFromChunkInteriors(
  interiors: ShapePartials[], labels: Image | SlabVolume, image: Image | SlabVolume, slabs: { k0: number; k1: number }[],
): ShapePartials {
  // a slab's last plane and the next slab's first are neighbours: one pass over each such run
  const planes = [...new Set(slabs.flatMap((s) => [s.k0, s.k1 - 1]))].sort((a, b) => a - b)
  const runs: [number, number][] = []
  for (const k of planes) {
    const last = runs[runs.length - 1]
    if (last && last[1] === k) last[1] = k + 1
    else runs.push([k, k + 1])
  }
  // each run measured on a copy of its planes and their neighbours, not on a stitched volume
  const labelPlanes = asSlabVolume(labels), imagePlanes = asSlabVolume(image)
  const kTotal = labelPlanes.grid.size[2]
  const boundaries = runs.map(([k0, k1]) => {
    const from = Math.max(0, k0 - 1), to = Math.min(kTotal, k1 + 1)
    return shapePartials(planesImage(labelPlanes, from, to), planesImage(imagePlanes, from, to), {
      kRange: [k0 - from, k1 - from], kOffset: from, kTotal, includeBackground: false,
    })
  })
  return reduceShapePartials([...interiors, ...boundaries])
}
