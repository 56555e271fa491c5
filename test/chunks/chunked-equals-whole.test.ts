// Issue 7's property for what exists today: the default pipeline on slabs gives the same
// label map and the same statistics as on the whole volume, for any slab size, including
// one-slice slabs thinner than the closing's halo (radius 2 -> 4 slices of context).
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import type { Report } from '../../src/pipeline/report-schema.js'
import { makeRandom } from '../../src/sample/random.js'
import { goldenPath } from '../support/paths.js'

const input = goldenPath('itk/input/ct-pelvis-crop.nii.gz') // 72 x 64 x 40, 3 mm: no resampling
const depth = 40

async function run(slices: number, workers: number) {
  const out = mkdtempSync(path.join(os.tmpdir(), `vf-chunks-${slices}-`))
  const config = parseConfig({ segmentation: { closing_radius_voxels: 2 }, chunks: { slices } })
  const { cases } = await runLocal({ input, out, config, workers })
  const labels = await readImageNode(path.join(out, 'ct-pelvis-crop', 'labels.nii.gz'))
  return { report: cases[0].report, labels: Buffer.from((labels.data as Uint8Array).buffer) }
}

const statisticsOf = (report: Report) => report.labels

let whole: Awaited<ReturnType<typeof run>>

beforeAll(async () => {
  whole = await run(depth, 0)
})

describe('chunked = whole volume', () => {
  const random = makeRandom('chunk-sizes', 7)
  const sizes = [1, 2, 3, ...Array.from({ length: 2 }, () => 4 + Math.floor(random.next() * 30))]
  for (const slices of sizes) {
    it(`slabs of ${slices} slice(s): identical labels and statistics`, async () => {
      const chunked = await run(slices, 2)
      expect(chunked.report.status).toBe('processed')
      expect(chunked.labels.equals(whole.labels)).toBe(true)
      expect(statisticsOf(chunked.report)).toEqual(statisticsOf(whole.report))
    })
  }
})
