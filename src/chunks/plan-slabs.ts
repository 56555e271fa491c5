// Slabs along the slowest axis (k). Each slab owns output slices [k0, k1) and carries `halo`
// slices of context on each side (clipped at the volume ends) for neighbourhood stages.
// A budget-derived plan is balanced: the fewest slabs the budget allows, but at least one per
// worker of the runtime's parallelism (a worker without a slab idles while the others work),
// rounded up to whole waves when there is more than one wave, with depths differing by at most
// one slice (289 slices, 60-slice budget, 2 workers: 6 x 48-49 rather than 4 x 60 + 49, whose
// last wave leaves a worker idle). A given slice count is taken as is.

export interface SlabPlanOptions {
  /** Slices per slab; when absent, derived from the memory budget. */
  slices?: number | null
  /** Budget for one slab's float32 image including halo, in MB. */
  maxMb: number
  /** Context slices each side. */
  halo: number
  /**
   * At most this many slabs: slabs grow past `slices` / the budget when needed. Every chunk adds
   * its pointers to the Step Functions state, whose payload limit is 256 KiB.
   */
  maxCount?: number
  /** Chunks the runtime runs at once (local worker pool); default 1 (the budget alone decides). */
  parallelism?: number
}

export interface Slab {
  index: number
  k0: number
  k1: number
  haloBefore: number
  haloAfter: number
}

export function slicesForBudget(size: number[], maxMb: number, halo: number): number {
  const bytesPerSlice = size[0] * size[1] * 4
  const slices = Math.floor((maxMb * 1024 * 1024) / bytesPerSlice) - 2 * halo
  return Math.max(1, slices)
}

export function planSlabs(size: number[], options: SlabPlanOptions): Slab[] {
  const depth = size[2]
  const wanted = options.slices ?? slicesForBudget(size, options.maxMb, options.halo)
  const maxCount = options.maxCount ?? Infinity
  const step = Math.max(1, Math.ceil(depth / maxCount), Math.min(depth, wanted))
  const ends = options.slices ? fixedEnds(depth, step) : balancedEnds(depth, step, Math.max(1, Math.floor(options.parallelism ?? 1)), maxCount)
  const slabs: Slab[] = []
  for (let k0 = 0, index = 0; k0 < depth; k0 = ends[index], index++) {
    const k1 = ends[index]
    slabs.push({
      index,
      k0,
      k1,
      haloBefore: Math.min(options.halo, k0),
      haloAfter: Math.min(options.halo, depth - k1),
    })
  }
  return slabs
}

function fixedEnds(depth: number, step: number): number[] {
  const ends = []
  for (let k = step; k < depth + step; k += step) ends.push(Math.min(depth, k))
  return ends
}

function balancedEnds(depth: number, maxStep: number, parallelism: number, maxCount: number): number[] {
  let count = Math.ceil(depth / maxStep)
  count = Math.min(depth, maxCount, Math.ceil(count / parallelism) * parallelism)
  const base = Math.floor(depth / count)
  const longer = depth % count // the first `longer` slabs take one slice more
  const ends = []
  for (let n = 0, k = 0; n < count; n++) ends.push((k += base + (n < longer ? 1 : 0)))
  return ends
}
