import { describe, expect, it } from 'vitest'
import { mapLimited } from '../../src/pipeline/map-limited.js'

describe('mapLimited', () => {
  it('keeps the items order, runs at most `limit` at once, and uses all of them', async () => {
    let inFlight = 0
    let most = 0
    const items = Array.from({ length: 20 }, (_, n) => n)
    // later items finish first: the order of the results must still be the items' order
    const out = await mapLimited(items, 3, async (x, index) => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 20 - x))
      inFlight--
      return x * 10 + index
    })
    expect(out).toEqual(items.map((x) => x * 11))
    expect(most).toBe(3)
  })

  it('rejects with the first failure; an empty list gives an empty result', async () => {
    await expect(mapLimited([1, 2, 3], 2, async (x) => {
      if (x === 2) throw new Error('item 2 failed')
      return x
    })).rejects.toThrow('item 2 failed')
    expect(await mapLimited([], 4, async (x) => x)).toEqual([])
  })
})
