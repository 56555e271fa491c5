// Slab coverage of partial results: half-open k ranges merged into a sorted, coalesced list.
// Overlap is an error: a k plane counted twice would inflate every sum.

export type SlabRange = [number, number]

export function mergeSlabRanges(a: SlabRange[], b: SlabRange[], what: string): SlabRange[] {
  const all = [...a, ...b].map(([x, y]) => [x, y] as SlabRange).sort((p, q) => p[0] - q[0] || p[1] - q[1])
  const out: SlabRange[] = []
  for (const r of all) {
    const last = out[out.length - 1]
    if (last && r[0] < last[1]) {
      throw new Error(`${what}: k ranges [${last[0]}, ${last[1]}) and [${r[0]}, ${r[1]}) overlap; each k plane must be counted once`)
    }
    if (last && r[0] === last[1]) last[1] = r[1]
    else out.push([r[0], r[1]])
  }
  return out
}
