// How far an operation reaches, declared by each stage and read by the chunk planner.
// pointwise: output voxel depends only on the same input voxel; neighbourhood: on the input
// voxels within haloVoxels (per axis, in input voxels) of it; global: on the whole image.

export type Footprint =
  | { kind: 'pointwise' }
  | { kind: 'neighbourhood'; haloVoxels: [number, number, number] }
  | { kind: 'global' }

export const pointwiseFootprint: Footprint = { kind: 'pointwise' }
export const globalFootprint: Footprint = { kind: 'global' }

export function neighbourhoodFootprint(halo: number | readonly [number, number, number]): Footprint {
  const h = typeof halo === 'number' ? [halo, halo, halo] : halo
  for (const v of h) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`halo must be a non-negative integer per axis, got ${h.join(',')}`)
  }
  return { kind: 'neighbourhood', haloVoxels: [h[0], h[1], h[2]] }
}

/** The footprint of running `b` after `a`: halos add up, global wins. */
export function composeFootprints(a: Footprint, b: Footprint): Footprint {
  if (a.kind === 'global' || b.kind === 'global') return globalFootprint
  if (a.kind === 'pointwise') return b
  if (b.kind === 'pointwise') return a
  return neighbourhoodFootprint([
    a.haloVoxels[0] + b.haloVoxels[0],
    a.haloVoxels[1] + b.haloVoxels[1],
    a.haloVoxels[2] + b.haloVoxels[2],
  ])
}
