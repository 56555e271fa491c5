// A run is identified by what it processes and how: content (keys, ETags, roles), config and the
// pipeline version. Duplicate events must map to the same run; an upgrade must not.
import { describe, expect, it } from 'vitest'
import { configHash, defaultConfig, parseConfig } from '../../src/pipeline/config.js'
import { runIdOf } from '../../src/pipeline/plan-run.js'
import { pipelineVersion } from '../../src/pipeline/version.js'

const objects = [
  { bucket: 'in', key: 'pelvis/case-1/a.dcm', size: 10, etag: '"e1"', role: 'auto' as const },
  { bucket: 'in', key: 'pelvis/case-1/b.dcm', size: 10, etag: '"e2"', role: 'auto' as const },
]
const hash = configHash(defaultConfig)

describe('runIdOf', () => {
  it('is the same for the same objects in any order, config and version', () => {
    expect(runIdOf([...objects].reverse(), hash)).toBe(runIdOf(objects, hash))
    expect(runIdOf(objects, hash)).toBe(runIdOf(objects, hash, pipelineVersion))
  })

  it('changes with an object ETag, the config or the pipeline version', () => {
    const base = runIdOf(objects, hash)
    expect(runIdOf([objects[0], { ...objects[1], etag: '"e3"' }], hash)).not.toBe(base)
    expect(runIdOf(objects, configHash(parseConfig({ segmentation: { lower_hu: 250 } })))).not.toBe(base)
    expect(runIdOf(objects, hash, `${pipelineVersion}-next`)).not.toBe(base)
  })
})
