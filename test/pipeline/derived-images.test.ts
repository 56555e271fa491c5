// Derived images (config derived_images) through the pipeline: each equals the library functions
// of src/filters (themselves checked against ITK goldens in test/filters) applied to the whole
// output image image.nii.gz, for one chunk and for random slab sizes down to one slice (thinner
// than the AHE halo); image.nii.gz itself is unchanged; a bad config is an error naming the field.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { extractSlab } from '../../src/chunks/slab-image.js'
import { adaptiveHistogramEqualization } from '../../src/filters/adaptive-histogram-equalization.js'
import { clipIntensity, intensityMoments, minMax, percentileNormalize, zScore } from '../../src/filters/intensity-normalization.js'
import { expTransform, logTransform, powerTransform } from '../../src/filters/intensity-transforms.js'
import { laplacianSharpening } from '../../src/filters/laplacian-sharpening.js'
import { intensityWindow, windowLevel } from '../../src/filters/window-level.js'
import { type Image, pixelsOf } from '../../src/image/image.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import type { Report } from '../../src/pipeline/report-schema.js'
import { makeRandom } from '../../src/sample/random.js'
import { dataPath, goldenPath } from '../support/paths.js'

const ctInput = goldenPath('itk/input/ct-pelvis-crop.nii.gz') // 72 x 64 x 40, 3 mm isotropic: the output grid is the input grid

const derivedImages = [
  { name: 'lung', steps: [{ op: 'window', preset: 'lung' }, { op: 'normalize', method: 'min-max' }] },
  { name: 'model_input', steps: [{ op: 'clip', lower: -1000, upper: 1000 }, { op: 'normalize', method: 'z-score' }] },
  { name: 'soft', steps: [{ op: 'window', level: 40, width: 400, output_min: -1, output_max: 1 }] },
  { name: 'pct', steps: [{ op: 'normalize', method: 'percentile', lower: 1, upper: 99, output_min: -1, output_max: 1 }] },
  { name: 'log', steps: [{ op: 'log' }] },
  { name: 'pow', steps: [{ op: 'clip', lower: -500, upper: 1500 }, { op: 'power', gamma: 0.5 }] },
  { name: 'exp', steps: [{ op: 'exp' }] },
  // a neighbourhood step, then a step needing the statistics of its output
  { name: 'ahe', steps: [{ op: 'ahe', radius: [2, 2, 3], alpha: 0.3, beta: 0.3 }, { op: 'normalize', method: 'min-max' }] },
  { name: 'sharp', steps: [{ op: 'laplacian' }, { op: 'normalize', method: 'z-score' }] },
]

/** The same steps with the library's one-call functions on the whole image (the reference). */
async function reference(image: Image, name: string): Promise<Image> {
  switch (name) {
    case 'lung': return minMax(windowLevel(image, 'lung'))
    case 'model_input': return zScore(clipIntensity(image, -1000, 1000))
    case 'soft': return intensityWindow(image, { windowMinimum: -160, windowMaximum: 240, outputMinimum: -1, outputMaximum: 1 })
    case 'pct': return percentileNormalize(image, { lower: 1, upper: 99, outputMinimum: -1, outputMaximum: 1 })
    case 'log': return logTransform(image)
    case 'pow': return powerTransform(clipIntensity(image, -500, 1500), 0.5)
    case 'exp': return expTransform(image)
    case 'ahe': return minMax(await adaptiveHistogramEqualization(image, { radius: [2, 2, 3], alpha: 0.3, beta: 0.3, threads: 1 }))
    case 'sharp': return zScore(laplacianSharpening(image))
  }
  throw new Error(name)
}

interface Run { report: Report; dir: string; image: Image }

async function run(input: string, settings: Record<string, unknown>, workers: number): Promise<Run> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-derived-'))
  const { cases } = await runLocal({ input, out, config: parseConfig(settings), workers })
  expect(cases[0].report.status, JSON.stringify(cases[0].report.error)).toBe('processed')
  return { report: cases[0].report, dir: cases[0].outputDir, image: await readNifti(path.join(cases[0].outputDir, 'image.nii.gz')) }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

function range(data: ArrayLike<number>): number {
  let lo = Infinity, hi = -Infinity
  for (let i = 0; i < data.length; i++) { lo = Math.min(lo, data[i]); hi = Math.max(hi, data[i]) }
  return hi - lo
}

/**
 * Every derived volume of a run against the library on the run's image.nii.gz. Tolerance 1e-6 of
 * the output's range: pointwise steps and the Laplacian do the library's arithmetic in its order
 * with the same whole-image statistics (so they are expected bit-identical); AHE sums its float64
 * pair terms in an order that depends on where slabs are cut, which moves an output by at most a
 * float32 rounding (~1e-7 relative).
 */
async function expectDerivedMatchLibrary(result: Run, references: Map<string, Image>): Promise<void> {
  for (const { name } of derivedImages) {
    const derived = await readNifti(path.join(result.dir, `${name}.nii.gz`))
    expect(derived.imageType.componentType, name).toBe('float32')
    expect(derived.size).toEqual(result.image.size)
    expect(Array.from(derived.origin)).toEqual(Array.from(result.image.origin))
    const expected = pixelsOf(references.get(name)!)
    const diff = maxAbsDiff(pixelsOf(derived), expected)
    expect(diff, `${name}: max |derived - library| = ${diff}`).toBeLessThanOrEqual(1e-6 * range(expected))
  }
}

let plain: Run
let whole: Run
const references = new Map<string, Image>()

beforeAll(async () => {
  plain = await run(ctInput, { chunks: { slices: 20 } }, 1)
  whole = await run(ctInput, { chunks: { enabled: false }, derived_images: derivedImages }, 0)
  for (const { name } of derivedImages) references.set(name, await reference(whole.image, name))
}, 120_000)

describe('derived images in the pipeline', () => {
  it('image.nii.gz stays the resampled HU image (int16, the same voxels as without derived images)', () => {
    expect(whole.image.imageType.componentType).toBe('int16')
    expect(Buffer.from(pixelsOf(whole.image).buffer).equals(Buffer.from(pixelsOf(plain.image).buffer))).toBe(true)
    expect(plain.report.derived_images).toBeUndefined()
  })

  it('one chunk: every derived volume equals the library functions on the whole image.nii.gz', async () => {
    await expectDerivedMatchLibrary(whole, references)
  })

  it('the report lists each derived image with its file, steps and whole-image statistics', () => {
    const listed = whole.report.derived_images!
    expect(listed.map((d) => d.name)).toEqual(derivedImages.map((d) => d.name))
    const modelInput = listed.find((d) => d.name === 'model_input')!
    expect(modelInput.output.key.endsWith('model_input.nii.gz')).toBe(true)
    expect(modelInput.output.size_bytes).toBeGreaterThan(0)
    // z-score statistics are those of the clipped image (the step's input), not of the HU image
    const clipped = intensityMoments(pixelsOf(clipIntensity(whole.image, -1000, 1000)))
    expect(modelInput.statistics[0]).toBeNull()
    expect(modelInput.statistics[1]!.mean).toBeCloseTo(clipped.mean, 9)
    expect(modelInput.statistics[1]!.sigma).toBeCloseTo(clipped.sigma, 9)
    expect(listed.find((d) => d.name === 'lung')!.steps[1]).toEqual({ op: 'normalize', method: 'min-max', output_min: 0, output_max: 1 })
  })

  const random = makeRandom('derived-images', 7)
  for (const slices of [1, 2 + Math.floor(random.next() * 15)]) {
    it(`slabs of ${slices} slice(s) (AHE halo 3) on 2 workers: the same derived volumes`, async () => {
      // no closing: the derived images alone ask for the halo
      const chunked = await run(ctInput, { chunks: { slices }, segmentation: { closing_radius_voxels: 0 }, derived_images: derivedImages }, 2)
      expect(chunked.report.chunks?.count).toBe(Math.ceil(40 / slices))
      expect(chunked.report.chunks?.halo_slices).toBe(3)
      await expectDerivedMatchLibrary(chunked, references)
    }, 60_000)
  }

  it('MR with N4: derived volumes start from the corrected image', async () => {
    const head = await readNifti(dataPath('mr-t1-head.nii.gz'))
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-derived-mr-'))
    const input = path.join(dir, 'head.nii.gz')
    await writeNifti(extractSlab(head, 20, 30), input)
    const mr = await run(input, { chunks: { slices: 4 }, derived_images: [{ name: 'z', steps: [{ op: 'normalize', method: 'z-score' }] }] }, 2)
    expect(mr.report.intensity?.n4.applied).toBe(true)
    expect(mr.image.imageType.componentType).toBe('float32')
    const derived = await readNifti(path.join(mr.dir, 'z.nii.gz'))
    const expected = pixelsOf(zScore(mr.image))
    expect(maxAbsDiff(pixelsOf(derived), expected)).toBeLessThanOrEqual(1e-6 * range(expected))
  }, 60_000)
})

describe('derived_images config', () => {
  const fieldOf = (settings: unknown): string | undefined => {
    try {
      parseConfig(settings, 'settings.json')
    } catch (error) {
      expect(error).toBeInstanceOf(BadInputError)
      expect((error as Error).message).toContain('settings.json')
      return (error as BadInputError).field
    }
    return undefined
  }
  const one = (steps: unknown[], name = 'x') => ({ derived_images: [{ name, steps }] })

  it('accepts the documented example and fills defaults', () => {
    const config = parseConfig({ derived_images: derivedImages.slice(0, 2) })
    expect(config.derived_images![1].steps[0]).toEqual({ op: 'clip', lower: -1000, upper: 1000 })
    expect(parseConfig({}).derived_images).toBeUndefined()
  })

  it('names the field of each mistake', () => {
    expect(fieldOf(one([{ op: 'normalize', method: 'zscore' }]))).toBe('derived_images.0.steps.0.method')
    expect(fieldOf(one([{ op: 'sharpen' }]))).toBe('derived_images.0.steps.0.op')
    expect(fieldOf(one([{ op: 'ahe', radius_mm: 3 }]))).toBe('derived_images.0.steps.0')
    expect(fieldOf(one([{ op: 'window', preset: 'lung', level: 40, width: 400 }]))).toBe('derived_images.0.steps.0.level')
    expect(fieldOf(one([{ op: 'window', level: 40 }]))).toBe('derived_images.0.steps.0.width')
    expect(fieldOf(one([{ op: 'clip', lower: 10, upper: 0 }]))).toBe('derived_images.0.steps.0.upper')
    expect(fieldOf(one([{ op: 'power' }]))).toBe('derived_images.0.steps.0.gamma')
    expect(fieldOf(one([]))).toBe('derived_images.0.steps')
    expect(fieldOf(one([{ op: 'log' }], '../evil'))).toBe('derived_images.0.name')
    expect(fieldOf(one([{ op: 'log' }], 'Labels'))).toBe('derived_images.0.name')
    expect(fieldOf(one([{ op: 'log' }], 'moving_registered'))).toBe('derived_images.0.name')
    expect(fieldOf({ derived_images: [{ name: 'a', steps: [{ op: 'log' }] }, { name: 'A', steps: [{ op: 'exp' }] }] })).toBe('derived_images.1.name')
    expect(fieldOf({ derived_images: [{ name: 'a', steps: [{ op: 'log' }], extra: 1 }] })).toBe('derived_images.0')
  })
})
