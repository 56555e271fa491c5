import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/pipeline/config.js'
import { chunkHaloSlices, enabledChunkStages } from '../../src/pipeline/stage-registry.js'

describe('stage registry', () => {
  it('gives slabs the halo of the enabled chunk stages: closing with radius R reaches 2R slices', () => {
    for (const r of [0, 1, 3]) {
      const config = parseConfig({ segmentation: { closing_radius_voxels: r } })
      expect(chunkHaloSlices('baseline', config)).toBe(2 * r)
    }
  })

  it('runs the baseline only when the case has no reference segmentation and is CT', () => {
    const config = parseConfig({})
    expect(enabledChunkStages('baseline', config).map((s) => s.name)).toEqual(['baseline-segmentation'])
    expect(enabledChunkStages('reference', config)).toEqual([])
    expect(enabledChunkStages('none', config)).toEqual([])
    expect(chunkHaloSlices('reference', config)).toBe(0)
  })
})
