// Connected components of a binary mask, whole or slab by slab (issue 7).
// Like itk::ConnectedComponentImageFilter with FullyConnected off: voxels sharing a face belong
// together. Numbering: components 1..N in raster order of their first voxel (the voxel with the
// smallest linear index, x fastest), a definition that does not depend on how the volume was
// cut; ITK numbers in a similar scan order, and RelabelComponentImageFilter would sort by size.
// An optional minimum size drops smaller components (0) before numbering.
// Chunked form (global footprint, two phases): each slab is labelled on its own
// (labelComponents), then mergeSlabComponents joins labels that touch across slab borders
// (union-find over the border planes only) and gives each slab a local -> global map; applying
// the maps (relabelSlab) gives the whole-volume labelling voxel for voxel.

/** One slab's own labelling: planes [k0, k0 + depth) of the volume. */
export interface SlabComponents {
  k0: number
  /** Local labels 1..count (0 = background), slab-sized, x fastest. */
  labels: Int32Array
  count: number
  /** Voxels per local label (index 0 unused). */
  sizes: number[]
  /** Linear index in the whole volume of each local label's first voxel (index 0 unused). */
  first: number[]
}

export interface ComponentOptions {
  /** Components with fewer voxels are dropped (label 0). Default 1 (keep all). */
  minVoxels?: number
}

export interface MergedComponents {
  /** Per slab: local label -> global label (0 = dropped); index 0 maps to 0. */
  maps: Int32Array[]
  count: number
  /** Voxels per global label (index 0 unused). */
  sizes: number[]
}

/** Face-connected labelling of `mask` (non-zero = foreground) on a [nx, ny, depth] slab whose first plane is plane k0. */
export function labelComponents(mask: ArrayLike<number>, size: readonly number[], k0 = 0): SlabComponents {
  const [nx, ny, nz] = size
  const plane = nx * ny
  if (mask.length !== plane * nz) throw new Error(`labelComponents: mask has ${mask.length} voxels, size ${size.join('x')} needs ${plane * nz}`)
  const labels = new Int32Array(mask.length)
  const parent: number[] = [0]
  const find = (a: number) => {
    let r = a
    while (parent[r] !== r) r = parent[r]
    while (parent[a] !== r) {
      const next = parent[a]
      parent[a] = r
      a = next
    }
    return r
  }
  const union = (a: number, b: number) => {
    const ra = find(a), rb = find(b)
    if (ra === rb) return ra
    // the smaller provisional label is the root: it was met first in the scan
    if (ra < rb) { parent[rb] = ra; return ra }
    parent[ra] = rb
    return rb
  }
  for (let z = 0, p = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, p++) {
        if (!mask[p]) continue
        let l = 0
        if (x > 0 && labels[p - 1]) l = labels[p - 1]
        if (y > 0 && labels[p - nx]) l = l ? union(l, labels[p - nx]) : labels[p - nx]
        if (z > 0 && labels[p - plane]) l = l ? union(l, labels[p - plane]) : labels[p - plane]
        if (!l) {
          l = parent.length
          parent.push(l)
        }
        labels[p] = l
      }
    }
  }
  // second pass: roots numbered in order of first appearance = raster order of first voxels
  const number = new Int32Array(parent.length)
  const sizes = [0]
  const first = [0]
  const offset = k0 * plane
  for (let p = 0; p < labels.length; p++) {
    if (!labels[p]) continue
    const root = find(labels[p])
    let n = number[root]
    if (!n) {
      n = number[root] = sizes.length
      sizes.push(0)
      first.push(offset + p)
    }
    sizes[n]++
    labels[p] = n
  }
  return { k0, labels, count: sizes.length - 1, sizes, first }
}

/** Join slab labellings (consecutive slabs, sorted by k0) into the whole volume's numbering. */
export function mergeSlabComponents(slabs: readonly SlabComponents[], size: readonly number[], options: ComponentOptions = {}): MergedComponents {
  const [nx, ny, nz] = size
  const plane = nx * ny
  const base: number[] = []
  let total = 0
  let expectK = 0
  for (const s of slabs) {
    if (s.k0 !== expectK) throw new Error(`mergeSlabComponents: slab at plane ${s.k0}, expected ${expectK} (slabs must tile the volume in order)`)
    base.push(total)
    total += s.count
    expectK += s.labels.length / plane
  }
  if (expectK !== nz) throw new Error(`mergeSlabComponents: slabs cover ${expectK} of ${nz} planes`)
  const parent = Int32Array.from({ length: total }, (_, i) => i)
  const find = (a: number) => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]]
    return a
  }
  for (let s = 0; s + 1 < slabs.length; s++) {
    const below = slabs[s].labels, above = slabs[s + 1].labels
    const last = below.length - plane
    for (let p = 0; p < plane; p++) {
      const a = below[last + p], b = above[p]
      if (!a || !b) continue
      const ra = find(base[s] + a - 1), rb = find(base[s + 1] + b - 1)
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
    }
  }
  const rootSize = new Float64Array(total)
  const rootFirst = new Float64Array(total).fill(Infinity)
  slabs.forEach((s, n) => {
    for (let l = 1; l <= s.count; l++) {
      const r = find(base[n] + l - 1)
      rootSize[r] += s.sizes[l]
      if (s.first[l] < rootFirst[r]) rootFirst[r] = s.first[l]
    }
  })
  const minVoxels = options.minVoxels ?? 1
  const kept = []
  for (let r = 0; r < total; r++) if (find(r) === r && rootSize[r] >= minVoxels) kept.push(r)
  kept.sort((a, b) => rootFirst[a] - rootFirst[b])
  const globalOf = new Int32Array(total)
  const sizes = [0]
  for (const r of kept) {
    globalOf[r] = sizes.length
    sizes.push(rootSize[r])
  }
  const maps = slabs.map((s, n) => {
    const map = new Int32Array(s.count + 1)
    for (let l = 1; l <= s.count; l++) map[l] = globalOf[find(base[n] + l - 1)]
    return map
  })
  return { maps, count: sizes.length - 1, sizes }
}

/** A slab's labels in the whole volume's numbering. */
export function relabelSlab(slab: SlabComponents, map: Int32Array): Int32Array {
  const out = new Int32Array(slab.labels.length)
  for (let p = 0; p < out.length; p++) out[p] = map[slab.labels[p]]
  return out
}

/** Whole-volume labelling: the one-slab case of the chunked form. */
export function connectedComponents(mask: ArrayLike<number>, size: readonly number[], options: ComponentOptions = {}): { labels: Int32Array; count: number; sizes: number[] } {
  const slab = labelComponents(mask, size)
  const merged = mergeSlabComponents([slab], size, options)
  return { labels: relabelSlab(slab, merged.maps[0]), count: merged.count, sizes: merged.sizes }
}

/** Voxels of the smallest kept component for a minimum volume in mL (1 mL = 1000 mm^3). */
export function minVoxelsForVolume(minMl: number, spacing: readonly number[]): number {
  const voxelMm3 = spacing[0] * spacing[1] * spacing[2]
  return Math.max(1, Math.ceil((minMl * 1000) / voxelMm3 - 1e-9))
}
