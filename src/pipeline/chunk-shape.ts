// Shape partials (shape-partials.ts) in two parts so that the whole pass over the voxels runs in
// the chunks: a chunk measures all its own planes without a halo, leaving out only the faces
// between its first (last) plane and the neighbouring slab's, which no chunk can see; assemble
// adds those from the two planes either side of each slab border. Every other number of a plane
// needs only that plane. The partials of disjoint planes reduce exactly (integers, counts), so
// the result is the whole-volume pass's.
import type { Image } from '../image/image.js'
import { type SlabVolume, asSlabVolume } from '../chunks/slab-volume.js'
import { type ShapePartials, reduceShapePartials, shapePartials } from '../measure/shape-partials.js'

/** A chunk's part: its own slices (image and labels without halo) starting at global plane k0. */
export function chunkInteriorShape(labels: Image, image: Image, k0: number, kTotal: number): ShapePartials {
  return shapePartials(labels, image, { kOffset: k0, kTotal, includeBackground: false, openEnds: true })
}

/**
 * The whole volume's shape partials from the chunks' parts and the labels at slab borders (the
 * chunks measured every intensity: only labels are read here).
 */
export function shapeFromChunkInteriors(interiors: ShapePartials[], labels: Image | SlabVolume, slabs: { k0: number; k1: number }[]): ShapePartials {
  const reduced = reduceShapePartials(interiors)
  const { planes } = asSlabVolume(labels)
  // parts that leave planes out (a chunk of an older build measured only its interior) or a
  // missing chunk would give smaller numbers without this check
  const [covered] = reduced.kRanges
  if (reduced.kRanges.length !== 1 || covered[0] !== 0 || covered[1] !== planes.length) {
    throw new Error(`shape partials cover planes ${JSON.stringify(reduced.kRanges)}, not [0, ${planes.length})`)
  }
  for (const { k1 } of slabs) {
    if (k1 < planes.length) addCrossSlabFaces(reduced, planes[k1 - 1], planes[k1])
  }
  return reduced
}

/** The k-faces between two neighbouring planes: one for each side whose labels differ (label 0 left out). */
function addCrossSlabFaces(partials: ShapePartials, below: ArrayLike<number>, above: ArrayLike<number>): void {
  const faces = new Map<number, number>()
  for (let x = 0; x < below.length; x++) {
    const a = below[x], b = above[x]
    if (a === b) continue
    if (a !== 0) faces.set(a, (faces.get(a) ?? 0) + 1)
    if (b !== 0) faces.set(b, (faces.get(b) ?? 0) + 1)
  }
  for (const [label, count] of faces) {
    const partial = partials.labels[String(label)]
    if (!partial) throw new Error(`shape partials: label ${label} at a slab border is in no chunk's partials`)
    partial.exposedFaces[2] += count
  }
}
