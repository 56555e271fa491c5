// The HU histogram filled slice by slice (as the uncompressed reader does while converting) gives
// the check the whole-volume pass gives, for int16 (table path) and float32 volumes, with and
// without a padding value; the phantom's air, padding and water values are known (-1000, -2000, 0 HU).
import { describe, expect, it } from 'vitest'
import { HuHistogram, huPlausibility, huPlausibilityOf } from '../../src/measure/hu-plausibility.js'
import { makeRandom } from '../../src/sample/random.js'

/** 9 slices of 700 x 700 (4.4 M voxels: stride 1, so every voxel counts): air, a water disc, padding outside a circle. */
function phantom(): Int16Array {
  const random = makeRandom('hu-pieces')
  const n = 700
  const out = new Int16Array(n * n * 9)
  for (let k = 0; k < 9; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const r = Math.hypot(i - n / 2, j - n / 2)
    out[(k * n + j) * n + i] = r > 340 ? -2000 : Math.round((r < 200 ? 0 : -1000) + 8 * (random.next() - 0.5))
  }
  return out
}

describe('HuHistogram filled in pieces', () => {
  const int16 = phantom()
  const float32 = Float32Array.from(int16, (v) => v + 0.25)
  for (const [name, values, padding] of [['int16', int16, -2000], ['float32', float32, -1999.75]] as const) {
    for (const paddingValue of [undefined, padding]) {
      // Without the padding value, the padding ring (-2000) is the lowest decile's peak, and the
      // "soft tissue" searched 500-1500 HU above it is the air (-1000).
      const [air, tissue] = paddingValue === undefined ? [-2000, -1000] : [-1000, 0]
      it(`${name}, padding ${paddingValue}: the same result as one pass, peaks at ${air} and ${tissue} HU`, () => {
        const whole = huPlausibility(values, { paddingValue })
        const pieces = new HuHistogram(values.length, paddingValue)
        // Uneven pieces, none aligned with the sampling stride.
        for (let from = 0; from < values.length; from += 489_997) pieces.add(values, from, Math.min(values.length, from + 489_997))
        expect(huPlausibilityOf(pieces)).toEqual(whole)
        expect(Math.abs(whole.airHu! - air)).toBeLessThanOrEqual(10)
        expect(Math.abs(whole.softTissueHu! - tissue)).toBeLessThanOrEqual(10)
      })
    }
  }
  it('every int16 value lands in the bin the arithmetic gives, padding values left out', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768)
    for (const padding of [undefined, -2000, -32768, 32767, -4000, 7999]) {
      const table = new HuHistogram(all.length, padding)
      table.add(all)
      const arithmetic = new HuHistogram(all.length, padding)
      arithmetic.add(Float32Array.from(all))
      expect(table.used).toBe(padding === undefined ? 65536 : 65535)
      expect(Array.from(table.bins)).toEqual(Array.from(arithmetic.bins))
      // Below -4000 HU all in the first bin, from 7990 HU on in the last (10 HU bins).
      expect(table.bins[0]).toBe(32768 - 4000 + 10 - (padding !== undefined && padding < -3990 ? 1 : 0))
    }
  })

  it('pieces held in arrays of their own (valuesStart) sample the voxels one pass samples (stride 2)', () => {
    const length = 8_500_003 // over 8 M voxels: every second voxel is sampled
    const all = Int16Array.from({ length }, (_, i) => ((i * 7919) % 3001) - 1500)
    for (const values of [all, Float32Array.from(all)]) {
      const whole = new HuHistogram(length)
      whole.add(values)
      expect(whole.stride).toBe(2)
      const pieces = new HuHistogram(length)
      // Uneven pieces starting at odd and even voxels, each copied out as a reader's slice buffer would be.
      for (let from = 0; from < length; from += 262_145) {
        const to = Math.min(length, from + 262_145)
        pieces.add(values.slice(from, to), from, to, from)
      }
      expect(pieces.used).toBe(Math.ceil(length / 2))
      expect(Array.from(pieces.bins)).toEqual(Array.from(whole.bins))
    }
  })

  it('int16 and float32 of the same integers agree (table and arithmetic paths)', () => {
    expect(huPlausibility(int16, { paddingValue: -2000 })).toEqual(huPlausibility(Float32Array.from(int16), { paddingValue: -2000 }))
  })
})
