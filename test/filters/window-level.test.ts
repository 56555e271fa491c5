import { describe, expect, it } from 'vitest'
import { makeImage, pixelsOf } from '../../src/image/image.js'
import {
  intensityWindow, intensityWindowPixels, windowFromLevel, windowLevel, windowPresets,
} from '../../src/filters/window-level.js'

const grid = (n: number) => ({ size: [n, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] })

/** IntensityWindowingImageFilter, stated independently: clamp to the window, then map linearly. */
function windowed(v: number, lo: number, hi: number, outLo: number, outHi: number): number {
  const c = Math.min(hi, Math.max(lo, v))
  return outLo + ((c - lo) / (hi - lo)) * (outHi - outLo)
}

describe('window/level presets and IntensityWindowingImageFilter', () => {
  it('presets: level/width in HU (Radiopaedia display windows)', () => {
    expect(windowPresets).toEqual({
      brain: { level: 40, width: 80 },
      lung: { level: -600, width: 1500 },
      mediastinum: { level: 50, width: 350 },
      'soft-tissue': { level: 40, width: 400 },
      bone: { level: 400, width: 1800 },
      liver: { level: 30, width: 150 },
    })
    expect(windowFromLevel(-600, 1500)).toEqual({ windowMinimum: -1350, windowMaximum: 150 })
    expect(windowFromLevel(40, 80)).toEqual({ windowMinimum: 0, windowMaximum: 80 })
  })

  it('maps the window linearly onto the output range and clamps outside (float32 [0, 1])', () => {
    const hu = Int16Array.from([-2000, -1350, -1000, -600, 0, 150, 151, 3000])
    const out = pixelsOf(windowLevel(makeImage(grid(hu.length), hu), 'lung'))
    expect(out).toBeInstanceOf(Float32Array)
    hu.forEach((v, i) => expect(out[i]).toBeCloseTo(windowed(v, -1350, 150, 0, 1), 6))
    expect(out[0]).toBe(0)
    expect(out[7]).toBe(1)
  })

  it('every preset agrees with the independent definition', () => {
    const hu = Float32Array.from({ length: 61 }, (_, i) => -1500 + i * 75.5)
    for (const [name, p] of Object.entries(windowPresets)) {
      const out = pixelsOf(windowLevel(makeImage(grid(hu.length), hu), name as keyof typeof windowPresets))
      hu.forEach((v, i) => expect(out[i]).toBeCloseTo(windowed(v, p.level - p.width / 2, p.level + p.width / 2, 0, 1), 6))
    }
  })

  it('custom output range, uint8 display output (rounded), custom level/width', () => {
    const hu = Float32Array.from([-100, -20, 0, 33.3, 40, 80, 200])
    const u8 = intensityWindowPixels(hu, { windowMinimum: 0, windowMaximum: 80, outputType: 'uint8' })
    expect(u8).toBeInstanceOf(Uint8Array)
    expect(Array.from(u8)).toEqual(Array.from(hu, (v) => Math.round(windowed(v, 0, 80, 0, 255))))
    const f = pixelsOf(intensityWindow(makeImage(grid(hu.length), hu), { windowMinimum: -20, windowMaximum: 80, outputMinimum: -1, outputMaximum: 1 }))
    hu.forEach((v, i) => expect(f[i]).toBeCloseTo(windowed(v, -20, 80, -1, 1), 6))
    const custom = pixelsOf(windowLevel(makeImage(grid(hu.length), hu), { level: 10, width: 60 }))
    hu.forEach((v, i) => expect(custom[i]).toBeCloseTo(windowed(v, -20, 40, 0, 1), 6))
  })

  it('refuses empty windows and unknown presets', () => {
    expect(() => windowFromLevel(0, 0)).toThrow(/width/)
    expect(() => intensityWindowPixels([1], { windowMinimum: 5, windowMaximum: 5 })).toThrow(/greater/)
    expect(() => windowLevel(makeImage(grid(1), new Int16Array(1)), 'pelvis' as never)).toThrow(/unknown window preset/)
  })
})
