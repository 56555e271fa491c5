// The chunk pool's timeline (what bench/chunks.ts reads to see whether every worker was kept
// busy): each chunk of the plan once, on one of the pool's workers, a worker never running two
// chunks at once, every span inside the run.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { goldenPath } from '../support/paths.js'

describe('ChunkPool timeline', () => {
  it('40 slices in chunks of 8 on 2 workers: chunks 0..4 once each, no overlap within a worker', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'vf-timeline-'))
    try {
      const summary = await runLocal({ input: goldenPath('itk/input/ct-pelvis-crop.nii.gz'), out, config: parseConfig({ chunks: { slices: 8 } }), workers: 2 })
      expect(summary.cases[0].report.status).toBe('processed')
      const spans = summary.chunkTimeline
      expect(spans.map((s) => s.chunk).sort()).toEqual([0, 1, 2, 3, 4])
      for (const s of spans) {
        expect([0, 1]).toContain(s.worker)
        expect(s.startMs).toBeGreaterThanOrEqual(0)
        expect(s.endMs).toBeGreaterThanOrEqual(s.startMs)
        expect(s.endMs).toBeLessThanOrEqual(summary.ms)
      }
      for (const w of [0, 1]) {
        const own = spans.filter((s) => s.worker === w).sort((a, b) => a.startMs - b.startMs)
        for (let n = 1; n < own.length; n++) expect(own[n].startMs).toBeGreaterThanOrEqual(own[n - 1].endMs)
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
