import { describe, expect, it } from 'vitest'
import { planSlabs, slicesForBudget } from '../../src/chunks/plan-slabs.js'

describe('planSlabs', () => {
  it('covers every slice exactly once, halos clipped at the volume ends', () => {
    for (const [depth, slices, halo] of [[10, 3, 2], [1, 5, 1], [7, 1, 3], [100, 100, 0]]) {
      const slabs = planSlabs([4, 4, depth], { slices, maxMb: 1, halo })
      const owner = new Array(depth).fill(0)
      for (const s of slabs) {
        for (let k = s.k0; k < s.k1; k++) owner[k]++
        expect(s.haloBefore).toBe(Math.min(halo, s.k0))
        expect(s.haloAfter).toBe(Math.min(halo, depth - s.k1))
      }
      expect(owner.every((n) => n === 1)).toBe(true)
      expect(slabs.map((s) => s.index)).toEqual(slabs.map((_, i) => i))
    }
  })

  it('sizes slabs by the memory budget when no slice count is given', () => {
    // 512 x 512 float32 = 1 MiB per slice; 64 MiB budget minus 2 x 2 halo slices = 60 slices.
    expect(slicesForBudget([512, 512, 300], 64, 2)).toBe(60)
    const slabs = planSlabs([512, 512, 300], { maxMb: 64, halo: 2 })
    expect(slabs).toHaveLength(5)
  })

  it('never plans more than maxCount slabs: slabs grow instead', () => {
    const slabs = planSlabs([512, 512, 1500], { slices: 1, maxMb: 64, halo: 2, maxCount: 200 })
    // ceil(1500 / 200) = 8 slices per slab -> 188 slabs, still covering every slice once.
    expect(slabs).toHaveLength(188)
    expect(slabs.at(-1)!.k1).toBe(1500)
    expect(planSlabs([4, 4, 10], { slices: 1, maxMb: 1, halo: 0, maxCount: 200 })).toHaveLength(10)
    // a budget plan rounded up to waves never passes the cap either
    expect(planSlabs([512, 512, 3000], { maxMb: 1, halo: 0, parallelism: 3, maxCount: 100 })).toHaveLength(100)
  })

  it('balances a budget-derived plan: depths within one slice, whole waves of the parallelism', () => {
    // 289 slices, 60-slice budget: 5 slabs at least; 2 workers run 6 (3 full waves) of 48-49
    const two = planSlabs([512, 512, 289], { maxMb: 64, halo: 2, parallelism: 2 })
    expect(two.map((s) => s.k1 - s.k0)).toEqual([49, 48, 48, 48, 48, 48])
    expect(two.at(-1)!.k1).toBe(289)
    // one worker: the fewest slabs the budget allows
    expect(planSlabs([512, 512, 289], { maxMb: 64, halo: 2 }).map((s) => s.k1 - s.k0)).toEqual([58, 58, 58, 58, 57])
    // more workers than the budget needs slabs: one slab per worker, none idle
    const sixteen = planSlabs([512, 512, 289], { maxMb: 64, halo: 2, parallelism: 16 })
    expect(sixteen.map((s) => s.k1 - s.k0)).toEqual([19, ...Array(15).fill(18)])
    expect(planSlabs([512, 512, 289], { maxMb: 400, halo: 2, parallelism: 2 }).map((s) => s.k1 - s.k0)).toEqual([145, 144])
    // never more slabs than slices
    expect(planSlabs([512, 512, 3], { maxMb: 1, halo: 2, parallelism: 4 })).toHaveLength(3)
    for (const slab of two) expect(slab.k1 - slab.k0).toBeLessThanOrEqual(slicesForBudget([512, 512, 289], 64, 2))
  })
})
