// segmentation.min_component_ml through the chunked pipeline: chunks label their components,
// assemble merges them across slab borders and drops the small ones. Reference: ITK 5.2's
// threshold (200..3000 HU) + closing (ball radius 2) of the pelvis crop (golden (c), which the
// baseline reproduces exactly), with its face-connected components under 1 mL removed. Any slab
// size, one slice included (thinner than the closing's 4-slice halo), gives that mask and the
// same statistics.
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { connectedComponents, minVoxelsForVolume } from '../../src/filters/connected-components.js'
import { pixelsOf } from '../../src/image/image.js'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { makeRandom } from '../../src/sample/random.js'
import { readItkGolden } from '../support/golden-images.js'
import { goldenPath } from '../support/paths.js'

const input = goldenPath('itk/input/ct-pelvis-crop.nii.gz') // 72 x 64 x 40 at 3 mm: the output grid
const segmentation = { lower_hu: 200, upper_hu: 3000, closing_radius_voxels: 2, min_component_ml: 1 }

async function run(chunks: { slices?: number; enabled?: boolean }, workers: number) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-components-'))
  const { cases } = await runLocal({ input, out, config: parseConfig({ segmentation, chunks }), workers })
  const labels = await readImageNode(path.join(cases[0].outputDir, 'labels.nii.gz'))
  const data = labels.data as Uint8Array
  return { report: cases[0].report, labels: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }
}

let expected: Buffer
let keptVoxels = 0
let whole: Awaited<ReturnType<typeof run>>

beforeAll(async () => {
  const golden = await readItkGolden('out/ct-pelvis-crop.thr200-3000.close-r2.nii.gz')
  // 1 mL of 3 mm voxels (27 mm^3) is 38 voxels (37.04 rounded up)
  const minVoxels = minVoxelsForVolume(1, [3, 3, 3])
  expect(minVoxels).toBe(38)
  const all = connectedComponents(pixelsOf(golden), golden.size)
  const kept = connectedComponents(pixelsOf(golden), golden.size, { minVoxels })
  // the filter must matter for this test to mean anything: small specks go, the bones stay
  expect(kept.count).toBeGreaterThan(0)
  expect(kept.count).toBeLessThan(all.count)
  keptVoxels = kept.sizes.reduce((a, b) => a + b, 0)
  expected = Buffer.from(Uint8Array.from(kept.labels, (v) => (v ? 1 : 0)))
  whole = await run({ enabled: false }, 0)
})

describe('minimum component size across chunks', () => {
  it('one chunk: the golden mask without its components under 1 mL; the report counts the kept voxels', () => {
    expect(whole.report.status).toBe('processed')
    expect(whole.labels.equals(expected)).toBe(true)
    const bone = whole.report.labels.find((l) => l.value === 1)!
    expect(bone.voxel_count).toBe(keptVoxels)
  })

  const random = makeRandom('chunked-components', 5)
  for (const slices of [1, 2 + Math.floor(random.next() * 15)]) {
    it(`slabs of ${slices} slice(s) on 2 workers: the same mask and statistics`, async () => {
      const chunked = await run({ slices }, 2)
      expect(chunked.report.chunks?.count).toBe(Math.ceil(40 / slices))
      expect(chunked.labels.equals(expected)).toBe(true)
      expect(chunked.report.labels).toEqual(whole.report.labels)
    })
  }
})
