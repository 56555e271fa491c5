import { describe, expect, it } from 'vitest'
import { configHash, defaultConfig, parseConfig } from '../../src/pipeline/config.js'
import { BadInputError } from '../../src/pipeline/errors.js'

describe('pipeline config', () => {
  it('has the defaults issue 2 names: B-spline to the smallest in-plane spacing, bone >= 200 HU, closing', () => {
    expect(defaultConfig.resample).toEqual({ spacing_mm: 'min-in-plane', interpolator: 'bspline', padding_value: null })
    expect(defaultConfig.segmentation.lower_hu).toBe(200)
    expect(defaultConfig.segmentation.closing_radius_voxels).toBeGreaterThan(0)
  })

  it('rejects unknown keys and absurd values with the field named', () => {
    expect(() => parseConfig({ resample: { spacing: 1 } }, 'my.json')).toThrow(/my\.json: invalid pipeline config: resample: Unrecognized key/)
    expect(() => parseConfig({ resample: { spacing_mm: -1 } })).toThrow(BadInputError)
    expect(() => parseConfig({ segmentation: { closing_radius_voxels: 2.5 } })).toThrow(/segmentation\.closing_radius_voxels/)
  })

  it('fills partial overrides with defaults', () => {
    const config = parseConfig({ segmentation: { lower_hu: 300 } })
    expect(config.segmentation.lower_hu).toBe(300)
    expect(config.segmentation.closing_radius_voxels).toBe(defaultConfig.segmentation.closing_radius_voxels)
  })

  it('hashes the effective settings, independent of key order', () => {
    const a = parseConfig({ segmentation: { lower_hu: 300, closing_radius_voxels: 2 } })
    const b = parseConfig({ segmentation: { closing_radius_voxels: 2, lower_hu: 300 } })
    expect(configHash(a)).toBe(configHash(b))
    expect(configHash(a)).not.toBe(configHash(defaultConfig))
  })
})
