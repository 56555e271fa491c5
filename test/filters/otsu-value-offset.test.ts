// otsuThresholdValue with a value offset (used by N4 to shift 8/16-bit input without a copy)
// gives exactly the threshold of the shifted copy, which otsu-threshold.test.ts holds to ITK.
import { describe, expect, it } from 'vitest'
import { otsuThresholdValue } from '../../src/filters/otsu-threshold.js'
import { makeRandom } from '../../src/sample/random.js'

describe('otsuThresholdValue({ valueOffset })', () => {
  it('equals the threshold of the shifted copy, bit for bit, for int16 and uint8 data', () => {
    const random = makeRandom('otsu-value-offset', 3)
    for (const [make, lo, span] of [[(n: number) => new Int16Array(n), -1024, 3000], [(n: number) => new Uint8Array(n), 0, 255]] as const) {
      for (const offset of [1, 1025, 37]) {
        const data = make(5000)
        // two overlapping classes, so the threshold is not at an edge of the range
        for (let i = 0; i < data.length; i++) data[i] = lo + Math.floor(span * (i % 2 ? 0.2 + 0.3 * random.next() : 0.5 + 0.5 * random.next()))
        const shifted = Float64Array.from(data, (v) => v + offset)
        for (const bins of [128, 200]) {
          const want = otsuThresholdValue(shifted, { bins })
          const got = otsuThresholdValue(data, { bins, valueOffset: offset })
          expect(got.bin).toBe(want.bin)
          expect(Object.is(got.threshold, want.threshold)).toBe(true)
        }
      }
    }
  })
})
