// Slabs along the slowest axis (k). Each slab owns output slices [k0, k1) and carries `halo`
// slices of context on each side (clipped at the volume ends) for neighbourhood stages.

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
  const fewestPerSlab = options.maxCount ? Math.ceil(depth / options.maxCount) : 1
  const step = Math.max(1, fewestPerSlab, Math.min(depth, wanted))
  const slabs: Slab[] = []
  for (let k0 = 0, index = 0; k0 < depth; k0 += step, index++) {
    const k1 = Math.min(depth, k0 + step)
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
