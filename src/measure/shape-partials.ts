// Per-label SHAPE and intensity-distribution partials of one k-slab, reduced exactly across slabs.
// Companion of label-partials.ts (which keeps count, bbox, centroid, mean/std/min/max); this module
// adds what principal axes, surface area, border contact and percentiles need.
//
// Fields and why each reduces exactly (any slab split gives bit-identical partials):
// * count, indexSum (Σi, Σj, Σk) and indexSecondMoments (Σii, Σjj, Σkk, Σij, Σik, Σjk) of the
//   voxel indices in the FULL index space: integers, exact below 2^53 (checked on merge). The
//   physical covariance is formed only at the end (shape-statistics.ts), in BigInt and then
//   mapped through direction x spacing, so no floating-point sum depends on the split.
// * exposedFaces [i, j, k]: number of voxel faces of the label, normal to each index axis, whose
//   neighbour across the face has another label or lies outside the image. Every face is
//   attributed to the voxel that owns it, so a face between two slabs is counted by exactly one
//   slab, provided a slab can see the planes next to it: a slab image that starts (ends) inside
//   the volume must carry a 1-plane halo below (above) it, as chunk workers' images do.
// * borderVoxels: voxels with any index on the first or last plane of an axis (ITK's
//   NumberOfPixelsOnBorder). Needs kTotal (the full volume's k extent).
// * histogram: exact count of every distinct intensity value (key: the value's shortest
//   round-trip decimal string). Sums of counts reduce exactly; median and percentiles computed from
//   it equal those of the sorted voxel values. Integer images (CT HU) have a few thousand keys at
//   most. Float images with many distinct values can exceed maxHistogramKeys: the histogram is then
//   dropped (histogramOverflow = true) and percentiles are reported as null rather than approximated.
import type { Image, PixelArray } from '../image/image.js'
import { componentTypeOf, pixelsOf } from '../image/image.js'
import type { Vec3 } from './label-partials.js'
import { mergeSlabRanges } from '../chunks/merge-slab-ranges.js'

export type Vec6 = [number, number, number, number, number, number]

export interface ShapePartial {
  count: number
  indexSum: Vec3
  /** Σii, Σjj, Σkk, Σij, Σik, Σjk over the label's voxels (full index space). */
  indexSecondMoments: Vec6
  /** Exposed faces normal to index axes i, j, k. */
  exposedFaces: Vec3
  borderVoxels: number
  /** Intensity value (decimal string) -> voxel count; absent without intensity or on overflow. */
  histogram?: Record<string, number>
  histogramOverflow?: boolean
}

export interface ShapePartials {
  kind: 'voxelflow.shape-partials'
  version: 1
  sliceSize: [number, number]
  /** k extent of the full volume (border tests and the outermost faces need it). */
  kTotal: number
  kRanges: [number, number][]
  hasIntensity: boolean
  maxHistogramKeys: number
  labels: Record<string, ShapePartial>
}

export interface ShapePartialsOptions {
  /** Half-open range [k0, k1) of planes of the GIVEN image to measure (default: all). */
  kRange?: [number, number]
  /** Global k of the given image's plane 0 (slab images; see kOffsetOf in label-partials.ts). */
  kOffset?: number
  /** k extent of the full volume (default: kOffset + the given image's k extent). */
  kTotal?: number
  /** Include label 0 (default true, as label-partials.ts). */
  includeBackground?: boolean
  /** Histogram size limit per label (default 65536 distinct values). */
  maxHistogramKeys?: number
  /**
   * Measure a slab without a halo: faces toward a plane beyond the given image's first or last
   * plane that lies inside the volume are left out; the caller adds them from the two planes
   * either side of each slab border (crossSlabFaces in chunk-shape.ts).
   */
  openEnds?: boolean
}

const DENSE: Partial<Record<string, { size: number; offset: number }>> = {
  uint8: { size: 256, offset: 0 },
  int8: { size: 256, offset: 128 },
  uint16: { size: 65536, offset: 0 },
  int16: { size: 65536, offset: 32768 },
}

interface Acc {
  count: number
  s: Float64Array // Σi Σj Σk
  m: Float64Array // Σii Σjj Σkk Σij Σik Σjk
  faces: Float64Array
  border: number
  dense: Float64Array | null
  sparse: Map<number, number> | null
  overflow: boolean
}

/** Shape partials of every label present in planes kRange of `labels` (see the module comment). */
export function shapePartials(labels: Image, intensity?: Image | null, options: ShapePartialsOptions = {}): ShapePartials {
  if (labels.size.length !== 3) throw new Error(`shapePartials: label image must be 3-D, got size ${labels.size.join('x')}`)
  const [nx, ny, nz] = labels.size
  const lab = pixelsOf(labels)
  let val: PixelArray | null = null
  if (intensity) {
    if (intensity.size.length !== 3 || intensity.size.some((n, d) => n !== labels.size[d])) {
      throw new Error(`shapePartials: intensity size ${intensity.size.join('x')} differs from label size ${labels.size.join('x')}`)
    }
    val = pixelsOf(intensity)
  }
  const [k0, k1] = options.kRange ?? [0, nz]
  if (!(Number.isInteger(k0) && Number.isInteger(k1) && 0 <= k0 && k0 <= k1 && k1 <= nz)) {
    throw new Error(`shapePartials: kRange [${k0}, ${k1}) outside the image's k extent [0, ${nz})`)
  }
  const kOffset = options.kOffset ?? 0
  const kTotal = options.kTotal ?? kOffset + nz
  if (!Number.isInteger(kOffset) || !Number.isInteger(kTotal) || kOffset < 0 || kOffset + nz > kTotal) {
    throw new Error(`shapePartials: image planes [${kOffset}, ${kOffset + nz}) do not fit in a volume of ${kTotal} planes`)
  }
  const openEnds = options.openEnds ?? false
  if (k1 > k0 && !openEnds) {
    if (k0 === 0 && kOffset > 0) {
      throw new Error(`shapePartials: slab starting at global plane ${kOffset} needs a 1-plane halo below it to count faces between slabs`)
    }
    if (k1 === nz && kOffset + nz < kTotal) {
      throw new Error(`shapePartials: slab ending at global plane ${kOffset + nz} needs a 1-plane halo above it to count faces between slabs`)
    }
  }
  const includeBackground = options.includeBackground ?? true
  const maxKeys = options.maxHistogramKeys ?? 65536
  const dense = val ? DENSE[componentTypeOf(val)] : undefined

  const accs = new Map<number, Acc>()
  const accOf = (l: number): Acc => {
    let a = accs.get(l)
    if (!a) {
      if (!Number.isInteger(l)) throw new Error(`shapePartials: label image holds a non-integer value ${l}; labels must be integers`)
      a = {
        count: 0, s: new Float64Array(3), m: new Float64Array(6), faces: new Float64Array(3), border: 0,
        dense: val && dense ? new Float64Array(dense.size) : null,
        sparse: val && !dense ? new Map() : null,
        overflow: false,
      }
      accs.set(l, a)
    }
    return a
  }

  const slice = nx * ny
  for (let k = k0; k < k1; k++) {
    const kg = k + kOffset
    // a k-face is exposed at the volume's ends, read from the next plane inside the image, and
    // left out toward a plane of another slab (openEnds)
    const exposedBelow = kg === 0, readBelow = !exposedBelow && k > 0
    const exposedAbove = kg === kTotal - 1, readAbove = !exposedAbove && k < nz - 1
    const kBorder = exposedBelow || exposedAbove
    for (let j = 0; j < ny; j++) {
      const base = k * slice + j * nx
      const jBorder = j === 0 || j === ny - 1
      let last = NaN
      let a: Acc | null = null
      for (let i = 0; i < nx; i++) {
        const o = base + i
        const l = lab[o]
        if (l !== last) {
          last = l
          a = !includeBackground && l === 0 ? null : accOf(l)
        }
        if (a === null) continue
        a.count++
        a.s[0] += i; a.s[1] += j; a.s[2] += kg
        a.m[0] += i * i; a.m[1] += j * j; a.m[2] += kg * kg
        a.m[3] += i * j; a.m[4] += i * kg; a.m[5] += j * kg
        if (kBorder || jBorder || i === 0 || i === nx - 1) a.border++
        // faces: an outside neighbour counts as "another label"
        if (i === 0 || lab[o - 1] !== l) a.faces[0]++
        if (i === nx - 1 || lab[o + 1] !== l) a.faces[0]++
        if (j === 0 || lab[o - nx] !== l) a.faces[1]++
        if (j === ny - 1 || lab[o + nx] !== l) a.faces[1]++
        if (exposedBelow || (readBelow && lab[o - slice] !== l)) a.faces[2]++
        if (exposedAbove || (readAbove && lab[o + slice] !== l)) a.faces[2]++
        if (val !== null) {
          const v = val[o]
          if (a.dense) a.dense[v + dense!.offset]++
          else if (!a.overflow) {
            const h = a.sparse!
            h.set(v, (h.get(v) ?? 0) + 1)
            if (h.size > maxKeys) { a.overflow = true; h.clear() }
          }
        }
      }
    }
  }

  const out: Record<string, ShapePartial> = {}
  for (const l of [...accs.keys()].sort((x, y) => x - y)) {
    const a = accs.get(l)!
    if (a.count === 0) continue
    const p: ShapePartial = {
      count: a.count,
      indexSum: [a.s[0], a.s[1], a.s[2]],
      indexSecondMoments: Array.from(a.m) as Vec6,
      exposedFaces: [a.faces[0], a.faces[1], a.faces[2]],
      borderVoxels: a.border,
    }
    if (val !== null) {
      if (a.dense) {
        const entries: [number, number][] = []
        for (let b = 0; b < a.dense.length; b++) if (a.dense[b] > 0) entries.push([b - dense!.offset, a.dense[b]])
        if (entries.length > maxKeys) p.histogramOverflow = true
        else p.histogram = histogramRecord(entries)
      } else if (a.overflow) {
        p.histogramOverflow = true
      } else {
        p.histogram = histogramRecord([...a.sparse!.entries()].sort((x, y) => x[0] - y[0]))
      }
    }
    out[String(l)] = p
  }
  return {
    kind: 'voxelflow.shape-partials',
    version: 1,
    sliceSize: [nx, ny],
    kTotal,
    kRanges: k1 > k0 ? [[k0 + kOffset, k1 + kOffset]] : [],
    hasIntensity: val !== null,
    maxHistogramKeys: maxKeys,
    labels: out,
  }
}

/** Normalise -0 to 0 and key by the shortest round-trip decimal (String(x)). */
function histogramRecord(entries: [number, number][]): Record<string, number> {
  const h: Record<string, number> = {}
  for (const [v, c] of entries) h[String(v === 0 ? 0 : v)] = (h[String(v === 0 ? 0 : v)] ?? 0) + c
  return h
}

/** Sorted (value, count) pairs of a histogram record. */
export function histogramEntries(h: Record<string, number>): [number, number][] {
  return Object.entries(h).map(([k, c]) => [Number(k), c] as [number, number]).sort((a, b) => a[0] - b[0])
}

// ---------------------------------------------------------------------------------------------
// Reduction

function mergeRanges(a: [number, number][], b: [number, number][]): [number, number][] {
  return mergeSlabRanges(a, b, 'reduceShapePartials')
}

function add<T extends number[]>(a: T, b: T, key: string, what: string): T {
  const r = a.map((x, d) => x + b[d]) as T
  if (r.some((x) => !Number.isSafeInteger(x))) throw new Error(`reduceShapePartials: label ${key}: ${what} exceed 2^53`)
  return r
}

function mergeLabel(a: ShapePartial, b: ShapePartial, key: string, maxKeys: number): ShapePartial {
  const p: ShapePartial = {
    count: add([a.count], [b.count], key, 'voxel counts')[0],
    indexSum: add(a.indexSum, b.indexSum, key, 'index sums'),
    indexSecondMoments: add(a.indexSecondMoments, b.indexSecondMoments, key, 'index second moments'),
    exposedFaces: add(a.exposedFaces, b.exposedFaces, key, 'face counts'),
    borderVoxels: a.borderVoxels + b.borderVoxels,
  }
  if (a.histogramOverflow || b.histogramOverflow) p.histogramOverflow = true
  else if (a.histogram && b.histogram) {
    const h: Record<string, number> = { ...a.histogram }
    for (const [v, c] of Object.entries(b.histogram)) h[v] = (h[v] ?? 0) + c
    if (Object.keys(h).length > maxKeys) p.histogramOverflow = true
    else p.histogram = histogramRecord(histogramEntries(h))
  }
  return p
}

/** Merge partials of two disjoint k ranges of the same volume. */
export function mergeShapePartials(a: ShapePartials, b: ShapePartials): ShapePartials {
  if (a.sliceSize[0] !== b.sliceSize[0] || a.sliceSize[1] !== b.sliceSize[1] || a.kTotal !== b.kTotal) {
    throw new Error(`reduceShapePartials: grids ${a.sliceSize.join('x')}x${a.kTotal} and ${b.sliceSize.join('x')}x${b.kTotal} differ`)
  }
  const aEmpty = a.kRanges.length === 0, bEmpty = b.kRanges.length === 0
  if (!aEmpty && !bEmpty && a.hasIntensity !== b.hasIntensity) {
    throw new Error('reduceShapePartials: cannot merge partials with and without intensity')
  }
  const maxKeys = Math.min(a.maxHistogramKeys, b.maxHistogramKeys)
  const keys = [...new Set([...Object.keys(a.labels), ...Object.keys(b.labels)])].sort((x, y) => Number(x) - Number(y))
  const labels: Record<string, ShapePartial> = {}
  for (const key of keys) {
    const pa = a.labels[key], pb = b.labels[key]
    labels[key] = pa && pb ? mergeLabel(pa, pb, key, maxKeys) : (JSON.parse(JSON.stringify(pa ?? pb)) as ShapePartial)
  }
  return {
    kind: 'voxelflow.shape-partials',
    version: 1,
    sliceSize: [a.sliceSize[0], a.sliceSize[1]],
    kTotal: a.kTotal,
    kRanges: mergeRanges(a.kRanges, b.kRanges),
    hasIntensity: aEmpty ? b.hasIntensity : a.hasIntensity,
    maxHistogramKeys: maxKeys,
    labels,
  }
}

/** Reduce any number of partials; order and grouping do not change the result. */
export function reduceShapePartials(parts: readonly ShapePartials[]): ShapePartials {
  if (parts.length === 0) throw new Error('reduceShapePartials: nothing to reduce')
  let acc = JSON.parse(JSON.stringify(parts[0])) as ShapePartials
  for (let i = 1; i < parts.length; i++) acc = mergeShapePartials(acc, parts[i])
  return acc
}
