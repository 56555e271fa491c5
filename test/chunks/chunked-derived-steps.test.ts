// The two-phase form of each derived-image step (src/pipeline/derived-step-ops.ts) without the
// pipeline around it: statistics of the whole image, then the step applied to slabs cut by the
// chunk planner with the halo the step declares; the slabs' own planes put together equal the
// library's one-call function on the whole image, for one-slice slabs (thinner than the halo)
// and random slab sizes.
import { beforeAll, describe, expect, it } from 'vitest'
import { extractSlab, cropSlices } from '../../src/chunks/slab-image.js'
import { planSlabs } from '../../src/chunks/plan-slabs.js'
import { adaptiveHistogramEqualizationSync } from '../../src/filters/adaptive-histogram-equalization.js'
import { clipIntensity, minMax, percentileNormalize, zScore } from '../../src/filters/intensity-normalization.js'
import { expTransform, logTransform, powerTransform } from '../../src/filters/intensity-transforms.js'
import { laplacianSharpening } from '../../src/filters/laplacian-sharpening.js'
import { windowLevel } from '../../src/filters/window-level.js'
import { type Image, pixelsOf, withPixels } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { derivedStepSchema } from '../../src/pipeline/derived-images-config.js'
import { applyStep, stepFootprint, stepStatistics } from '../../src/pipeline/derived-step-ops.js'
import { makeRandom } from '../../src/sample/random.js'
import { goldenPath } from '../support/paths.js'

let ct: Image
let noisyFloat: Image

beforeAll(async () => {
  ct = await readNifti(goldenPath('itk/input/ct-pelvis-crop.nii.gz')) // 72 x 64 x 40 int16
  // a float image with non-integer values: AHE's direct (Math.pow) path, percentiles by sorting
  const random = makeRandom('derived-float', 3)
  noisyFloat = withPixels(ct, Float32Array.from(pixelsOf(ct), (v) => v / 7 + random.next()))
})

const cases: { step: unknown; library: (image: Image) => Image }[] = [
  { step: { op: 'window', preset: 'bone' }, library: (i) => windowLevel(i, 'bone') },
  { step: { op: 'clip', lower: -200, upper: 300 }, library: (i) => clipIntensity(i, -200, 300) },
  { step: { op: 'normalize', method: 'z-score' }, library: (i) => zScore(i) },
  { step: { op: 'normalize', method: 'min-max', output_min: -1, output_max: 1 }, library: (i) => minMax(i, { outputMinimum: -1, outputMaximum: 1 }) },
  { step: { op: 'normalize', method: 'percentile', lower: 2, upper: 98, clip: false }, library: (i) => percentileNormalize(i, { lower: 2, upper: 98, clip: false }) },
  { step: { op: 'log' }, library: (i) => logTransform(i) },
  { step: { op: 'power', gamma: 1.5 }, library: (i) => powerTransform(i, 1.5) },
  { step: { op: 'exp' }, library: (i) => expTransform(i) },
  { step: { op: 'ahe', radius: [1, 2, 2], alpha: 0.5, beta: 0.2 }, library: (i) => adaptiveHistogramEqualizationSync(i, { radius: [1, 2, 2], alpha: 0.5, beta: 0.2 }) },
  { step: { op: 'laplacian' }, library: (i) => laplacianSharpening(i) },
  { step: { op: 'laplacian', spacing: false }, library: (i) => laplacianSharpening(i, { useImageSpacing: false }) },
]

function range(data: ArrayLike<number>): number {
  let lo = Infinity, hi = -Infinity
  for (let i = 0; i < data.length; i++) { lo = Math.min(lo, data[i]); hi = Math.max(hi, data[i]) }
  return hi - lo
}

describe('derived steps on slabs = the library on the whole image', () => {
  const random = makeRandom('derived-slabs', 11)
  const sizes = [1, 2 + Math.floor(random.next() * 8), 10 + Math.floor(random.next() * 25)]
  for (const { step, library } of cases) {
    for (const imageName of ['int16 CT', 'float32 CT + noise']) {
      it(`${JSON.stringify(step)} on the ${imageName}, slabs of ${sizes.join(', ')} slices`, () => {
        const image = imageName === 'int16 CT' ? ct : noisyFloat
        const parsed = derivedStepSchema.parse(step)
        const footprint = stepFootprint(parsed)
        const halo = footprint.kind === 'neighbourhood' ? footprint.haloVoxels[2] : 0
        const statistics = stepStatistics(image, parsed)
        const expected = pixelsOf(library(image))
        // pointwise steps and the Laplacian repeat the library's arithmetic exactly; AHE sums its
        // float64 pair terms in an order that depends on the cut: within a float32 rounding
        const tolerance = parsed.op === 'ahe' ? 1e-6 * range(expected) : 0
        for (const slices of sizes) {
          const plane = image.size[0] * image.size[1]
          for (const slab of planSlabs(image.size, { slices, maxMb: 64, halo })) {
            const withHalo = extractSlab(image, slab.k0 - slab.haloBefore, slab.k1 + slab.haloAfter)
            const own = pixelsOf(cropSlices(applyStep(withHalo, parsed, statistics), slab.haloBefore, slab.k1 - slab.k0))
            let worst = 0
            for (let i = 0; i < own.length; i++) worst = Math.max(worst, Math.abs(own[i] - expected[slab.k0 * plane + i]))
            expect(worst, `slab ${slab.k0}-${slab.k1} of ${slices}-slice slabs`).toBeLessThanOrEqual(tolerance)
          }
        }
      })
    }
  }
})
