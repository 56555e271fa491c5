// N4 as a pipeline stage (issue 4 + 7): an MR case gets it by default (intensity.n4 "auto"),
// fitted once on the whole resampled image and applied per chunk; any slab size, down to one
// slice, gives the bytes of one chunk, and one chunk gives the one-call filter's values on the
// whole-volume resample(). CT cases and intensity.n4 "off" are left alone.
import { readImageNode } from '@itk-wasm/image-io'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { extractSlab } from '../../src/chunks/slab-image.js'
import { n4BiasFieldCorrection } from '../../src/filters/n4-bias-field-correction.js'
import { extentCenteredIsotropicGrid, resample } from '../../src/filters/resample.js'
import { type Image, gridOf, pixelsOf } from '../../src/image/image.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { makeRandom } from '../../src/sample/random.js'
import { dataPath, goldenPath } from '../support/paths.js'

const bytesOf = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)
let mrInput: string
let mr: Image

async function run(input: string, settings: Record<string, unknown>, workers: number) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-chunk-n4-'))
  const { cases } = await runLocal({ input, out, config: parseConfig(settings), workers })
  const image = (await readImageNode(path.join(cases[0].outputDir, 'image.nii.gz'))) as Image
  return { report: cases[0].report, image, bytes: bytesOf(pixelsOf(image)) }
}

let whole: Awaited<ReturnType<typeof run>>

beforeAll(async () => {
  // mr-t1-head (coronal T1, 2 x 2 x 3 mm, mild bias) cut to 16 slices: 24 output slices at 2 mm
  const head = await readNifti(dataPath('mr-t1-head.nii.gz'))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-n4-in-'))
  mrInput = path.join(dir, 'head.nii.gz')
  await writeNifti(extractSlab(head, 20, 36), mrInput)
  mr = await readNifti(mrInput)
  whole = await run(mrInput, { chunks: { enabled: false } }, 0)
})

describe('N4 in the chunked pipeline', () => {
  it('MR gets N4 by default; one chunk equals n4BiasFieldCorrection of resample() on the whole volume', () => {
    expect(whole.report.status).toBe('processed')
    expect(whole.report.input?.modality).toBe('MR')
    expect(whole.report.intensity?.n4).toMatchObject({ mode: 'auto', applied: true, shrink_factor: 4 })
    expect(whole.report.output_grid?.size_voxels).toEqual([128, 128, 24])
    const resampled = resample(mr, extentCenteredIsotropicGrid(gridOf(mr)), { interpolator: 'bspline', defaultValue: 0, outputType: 'int16' })
    const reference = n4BiasFieldCorrection(resampled)
    expect(whole.image.imageType.componentType).toBe('float32')
    expect(whole.bytes.equals(bytesOf(pixelsOf(reference.corrected)))).toBe(true)
    expect(whole.report.intensity?.n4.iterations_run).toEqual(reference.iterationsRun)
    // B-spline overshoot below 0 at the head's edge: N4's offset is 1 - min of the resampled image
    expect(whole.report.intensity?.n4.offset).toBe(reference.offset)
  })

  const random = makeRandom('chunked-n4', 4)
  for (const slices of [1, 2 + Math.floor(random.next() * 12)]) {
    it(`slabs of ${slices} slice(s) on 2 workers: the same corrected image`, async () => {
      const chunked = await run(mrInput, { chunks: { slices } }, 2)
      expect(chunked.report.chunks?.count).toBe(Math.ceil(24 / slices))
      expect(chunked.bytes.equals(whole.bytes)).toBe(true)
      expect(chunked.report.intensity?.n4).toEqual(whole.report.intensity?.n4)
    })
  }

  it('intensity.n4 "off" leaves MR uncorrected; CT is not corrected by default', async () => {
    const off = await run(mrInput, { intensity: { n4: 'off' }, chunks: { slices: 5 } }, 1)
    expect(off.report.intensity?.n4).toEqual({ mode: 'off', applied: false })
    const resampled = resample(mr, extentCenteredIsotropicGrid(gridOf(mr)), { interpolator: 'bspline', defaultValue: 0, outputType: 'int16' })
    expect(off.bytes.equals(bytesOf(pixelsOf(resampled)))).toBe(true)
    const ct = await run(goldenPath('itk/input/ct-pelvis-crop.nii.gz'), { chunks: { slices: 20 } }, 1)
    expect(ct.report.intensity?.n4).toEqual({ mode: 'auto', applied: false })
    expect(ct.image.imageType.componentType).toBe('int16')
  })
})
