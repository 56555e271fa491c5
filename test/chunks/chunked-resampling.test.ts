// Issue 7 with resampling in the chunks: an anisotropic CT (in-plane 1.2 x 1.5 mm, 3 mm slices)
// goes to a 1.2 mm isotropic grid with the default cubic B-spline. Each chunk resamples its own
// slices from its input slab (two-phase form, src/filters/resample-slab.ts), so any slab size,
// down to one slice, gives the image, labels and statistics of one chunk, byte for byte; and
// the one-chunk image is the library's whole-volume resample().
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { extentCenteredIsotropicGrid, resample } from '../../src/filters/resample.js'
import { type Image, gridOf, makeImage, pixelsOf } from '../../src/image/image.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { makeRandom } from '../../src/sample/random.js'
import { goldenPath } from '../support/paths.js'
import { extractSlab } from '../../src/chunks/slab-image.js'

const bytesOf = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)
let input: string
let scan: Image

async function run(chunks: { slices?: number; enabled?: boolean }, workers: number) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-chunk-resample-'))
  const { cases } = await runLocal({ input, out, config: parseConfig({ chunks }), workers })
  const dir = path.join(out, 'aniso')
  const image = await readImageNode(path.join(dir, 'image.nii.gz'))
  const labels = await readImageNode(path.join(dir, 'labels.nii.gz'))
  return { report: cases[0].report, image: image as Image, imageBytes: bytesOf(image.data as ArrayBufferView), labels: bytesOf(labels.data as ArrayBufferView) }
}

let whole: Awaited<ReturnType<typeof run>>

beforeAll(async () => {
  // The pelvis crop's first 20 slices on an anisotropic grid: 72 x 64 x 20 at 1.2 x 1.5 x 3 mm.
  const pelvis = extractSlab(await readNifti(goldenPath('itk/input/ct-pelvis-crop.nii.gz')), 0, 20)
  scan = makeImage({ ...gridOf(pelvis), spacing: [1.2, 1.5, 3] }, pixelsOf(pelvis))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-aniso-'))
  input = path.join(dir, 'aniso.nii.gz')
  await writeNifti(scan, input)
  scan = await readNifti(input) // the geometry as stored (NIfTI keeps float32 origins)
  whole = await run({ enabled: false }, 0)
})

describe('chunked resampling = whole-volume resampling', () => {
  it('one chunk: the grid is 1.2 mm isotropic over the extent, the image is resample() of the scan', () => {
    expect(whole.report.status).toBe('processed')
    expect(whole.report.chunks?.count).toBe(1)
    // size = round(n * spacing / 1.2): 72, 64 * 1.5 / 1.2 = 80, 20 * 3 / 1.2 = 50
    expect(whole.report.output_grid?.size_voxels).toEqual([72, 80, 50])
    const reference = resample(scan, extentCenteredIsotropicGrid(gridOf(scan)), { interpolator: 'bspline', defaultValue: -1024, outputType: 'int16' })
    expect(bytesOf(pixelsOf(reference)).equals(whole.imageBytes)).toBe(true)
    expect(whole.labels.some((v) => v !== 0)).toBe(true)
  })

  const random = makeRandom('chunked-resampling', 7)
  const sizes = [1, 2 + Math.floor(random.next() * 20)]
  for (const slices of sizes) {
    it(`slabs of ${slices} slice(s) on 2 workers: identical image, labels and statistics`, async () => {
      const chunked = await run({ slices }, 2)
      expect(chunked.report.status).toBe('processed')
      expect(chunked.report.chunks?.count).toBe(Math.ceil(50 / slices))
      expect(chunked.imageBytes.equals(whole.imageBytes)).toBe(true)
      expect(chunked.labels.equals(whole.labels)).toBe(true)
      expect(chunked.report.labels).toEqual(whole.report.labels)
    })
  }
})
