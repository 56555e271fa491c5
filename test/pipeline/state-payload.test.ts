// Step Functions carries at most 256 KiB of state. Only pointers travel through it, so the
// largest state a case can produce is bounded by the chunk count cap, not by the image size:
// build that state with the longest names the schemas allow and measure it.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { planSlabs } from '../../src/chunks/plan-slabs.js'
import { FolderObjectStore } from '../../src/local/folder-object-store.js'
import { defaultConfig, parseConfig } from '../../src/pipeline/config.js'
import { planRun } from '../../src/pipeline/plan-run.js'
import { afterAnalyzeSchema } from '../../src/pipeline/state.js'
import { workKeys } from '../../src/pipeline/work-keys.js'

const stepFunctionsPayloadLimit = 256 * 1024

describe('state machine payload', () => {
  it('stays far below 256 KiB for the largest chunk count the config allows, whatever the volume', async () => {
    const maxCount = parseConfig({ chunks: { max_count: 120 } }).chunks.max_count
    expect(() => parseConfig({ chunks: { max_count: 121 } })).toThrow(/max_count/)
    const bucket = 'b'.repeat(63) // S3 bucket names are at most 63 characters
    const work = new FolderObjectStore(mkdtempSync(path.join(os.tmpdir(), 'vf-payload-')), bucket)
    const dataset = 'd'.repeat(128) // manifest schema maximum
    const caseId = 'c'.repeat(128)
    const objects = Array.from({ length: 3 }, (_, n) => ({ bucket, key: `${dataset}/${caseId}/${n}.dcm`, size: 1, etag: '"0"', role: 'auto' as const }))
    const { input } = await planRun({ dataset, caseId, objects, config: defaultConfig, work, outputBucket: bucket, outputRoot: `${dataset}/` })
    const run = input.run

    // A whole-body photon-counting CT asking for one-slice chunks: the cap decides the count.
    const slabs = planSlabs([1024, 1024, 3000], { slices: 1, maxMb: 64, halo: 18, maxCount })
    expect(slabs.length).toBeLessThanOrEqual(maxCount)
    const pointer = (key: string) => ({ bucket, key })
    const state = afterAnalyzeSchema.parse({
      ...input,
      prepared: {
        chunks: slabs.map((s) => ({
          ...s,
          labelSource: 'reference',
          imageKey: workKeys.chunkInputImage(run, s.index),
          labelsKey: workKeys.chunkInputLabels(run, s.index),
          source: { key: workKeys.chunkSource(run, s.index), z0: s.k0, z1: s.k1 },
          n4FieldKey: workKeys.n4Field(run),
          outputSlices: 3000,
        })),
        facts: pointer(workKeys.facts(run)),
        labelSource: 'reference',
        ms: 123456,
      },
      chunkResults: slabs.map((s) => ({
        index: s.index,
        imageKey: workKeys.chunkImage(run, s.index),
        labelsKey: workKeys.chunkLabels(run, s.index),
        partialsKey: workKeys.chunkPartials(run, s.index),
        componentsKey: workKeys.chunkComponents(run, s.index),
        outputParts: { image: workKeys.chunkOutputPart(run, s.index, 'image'), labels: workKeys.chunkOutputPart(run, s.index, 'labels') },
        shapeKey: workKeys.chunkShape(run, s.index),
        ms: 123456,
      })),
      assembled: { image: pointer('i'.repeat(300)), labels: pointer('l'.repeat(300)), qc: pointer('q'.repeat(300)), statistics: pointer(workKeys.statistics(run)), shape: pointer(workKeys.shape(run)), ms: 1 },
      analyzed: { analysis: pointer(workKeys.analysis(run)), ms: 1 },
    })
    const bytes = Buffer.byteLength(JSON.stringify(state))
    // Half the limit leaves room for the error and failure-report fields the Catch path adds.
    expect(bytes).toBeLessThan(stepFunctionsPayloadLimit / 2)
  })
})
