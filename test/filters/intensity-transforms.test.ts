import { describe, expect, it } from 'vitest'
import { makeImage, pixelsOf } from '../../src/image/image.js'
import { expTransform, logTransform, powerTransform } from '../../src/filters/intensity-transforms.js'

const grid = (n: number) => ({ size: [n, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] })
const hu = [-1024, -1000, -500, -80, 0, 35, 60, 400, 1200, 3071]

function zscores(v: number[]): number[] {
  const mean = v.reduce((a, b) => a + b, 0) / v.length
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1))
  return v.map((x) => (x - mean) / sd)
}

describe('intensity transforms', () => {
  const img = makeImage(grid(hu.length), Int16Array.from(hu))

  it('log: log1p(v - min), 0 at the minimum', () => {
    const out = pixelsOf(logTransform(img))
    expect(out).toBeInstanceOf(Float32Array)
    hu.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.log(1 + v + 1024), 5))
    expect(out[0]).toBe(0)
  })

  it('power: sign(z) |z|^gamma of the z-scored image', () => {
    const z = zscores(hu)
    for (const gamma of [0.5, 1, 2, 3]) {
      const out = pixelsOf(powerTransform(img, gamma))
      z.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.sign(v) * Math.abs(v) ** gamma, 5))
    }
    expect(() => powerTransform(img, 0)).toThrow(/gamma/)
  })

  it('exp: exp(z) of the z-scored image', () => {
    const out = pixelsOf(expTransform(img))
    zscores(hu).forEach((v, i) => expect(out[i]).toBeCloseTo(Math.exp(v), 5))
  })

  it('float64 input gives float64 output', () => {
    expect(pixelsOf(logTransform(makeImage(grid(3), Float64Array.from([1, 2, 3]))))).toBeInstanceOf(Float64Array)
  })
})
