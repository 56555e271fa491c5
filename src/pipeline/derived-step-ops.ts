// One step of a derived image (derived-images-config.ts) split into its two halves: the global
// statistics it needs of its whole input (none for window and clip), and the application with
// given statistics, which is pointwise or needs a halo along k (AHE: its radius, Laplacian: one
// plane). Applying with the whole image's statistics is exactly what the library function does,
// so a slab with its halo gives the library's values on the slab's own planes.
import { type Footprint, neighbourhoodFootprint, pointwiseFootprint } from '../chunks/footprint.js'
import { type AheStatistics, adaptiveHistogramEqualizationSync, aheStatistics } from '../filters/adaptive-histogram-equalization.js'
import { intensityMoments, minMaxWith, percentileNormalizeWith, percentiles, clipIntensity, zScoreWith } from '../filters/intensity-normalization.js'
import { expTransformWith, logTransformWith, powerTransformWith } from '../filters/intensity-transforms.js'
import { type LaplacianSharpeningStatistics, laplacianSharpeningStatistics, laplacianSharpeningWith } from '../filters/laplacian-sharpening.js'
import { intensityWindow, windowFromLevel, windowPresets } from '../filters/window-level.js'
import { type Image, pixelsOf } from '../image/image.js'
import { valueRange } from '../image/value-range.js'
import type { DerivedStep } from './derived-images-config.js'

/** What a step needs of its whole input; JSON (stored by prepare, read by every chunk). */
export type StepStatistics =
  | { mean: number; sigma: number }
  | { min: number; max: number }
  | { p_lower: number; p_upper: number }
  | { min: number }
  | AheStatistics
  | LaplacianSharpeningStatistics

export function stepFootprint(step: DerivedStep): Footprint {
  if (step.op === 'ahe') return neighbourhoodFootprint(step.radius)
  if (step.op === 'laplacian') return neighbourhoodFootprint(1)
  return pointwiseFootprint
}

export function stepNeedsStatistics(step: DerivedStep): boolean {
  return step.op !== 'window' && step.op !== 'clip'
}

/** The global half, over the step's whole input image. */
export function stepStatistics(image: Image, step: DerivedStep): StepStatistics | null {
  const data = pixelsOf(image)
  switch (step.op) {
    case 'window':
    case 'clip':
      return null
    case 'normalize':
      if (step.method === 'min-max') return valueRange(data)
      if (step.method === 'percentile') {
        const [p_lower, p_upper] = percentiles(data, [step.lower, step.upper])
        return { p_lower, p_upper }
      }
      return moments(data)
    case 'log':
      return { min: valueRange(data).min }
    case 'power':
    case 'exp':
      return moments(data)
    case 'ahe':
      return aheStatistics(image)
    case 'laplacian':
      return laplacianSharpeningStatistics(image, { useImageSpacing: step.spacing })
  }
}

function moments(data: ArrayLike<number>): { mean: number; sigma: number } {
  const { mean, sigma } = intensityMoments(data)
  return { mean, sigma }
}

/** The other half: on the whole image or on a slab with the halo stepFootprint asks for. */
export function applyStep(image: Image, step: DerivedStep, statistics: StepStatistics | null): Image {
  const s = statistics as never
  switch (step.op) {
    case 'window':
      return intensityWindow(image, { ...stepWindow(step), outputMinimum: step.output_min, outputMaximum: step.output_max, outputType: 'float32' })
    case 'clip':
      return clipIntensity(image, step.lower, step.upper)
    case 'normalize':
      if (step.method === 'min-max') return minMaxWith(image, s, { outputMinimum: step.output_min, outputMaximum: step.output_max })
      if (step.method === 'percentile') {
        const { p_lower, p_upper } = s as { p_lower: number; p_upper: number }
        return percentileNormalizeWith(image, [p_lower, p_upper], { outputMinimum: step.output_min, outputMaximum: step.output_max, clip: step.clip })
      }
      return zScoreWith(image, s)
    case 'log':
      return logTransformWith(image, (s as { min: number }).min)
    case 'power':
      return powerTransformWith(image, step.gamma, s)
    case 'exp':
      return expTransformWith(image, s)
    case 'ahe':
      // the calling thread only: the chunks are the parallelism
      return adaptiveHistogramEqualizationSync(image, { ...aheOptions(step), statistics: s })
    case 'laplacian':
      return laplacianSharpeningWith(image, s, { useImageSpacing: step.spacing })
  }
}

function aheOptions(step: Extract<DerivedStep, { op: 'ahe' }>) {
  const r = step.radius
  return { alpha: step.alpha, beta: step.beta, radius: typeof r === 'number' ? r : ([r[0], r[1], r[2]] as const) }
}

/** The window's [minimum, maximum] from a preset, level + width, or min + max. */
export function stepWindow(step: Extract<DerivedStep, { op: 'window' }>): { windowMinimum: number; windowMaximum: number } {
  if (step.preset) return windowFromLevel(windowPresets[step.preset].level, windowPresets[step.preset].width)
  if (step.level !== undefined && step.width !== undefined) return windowFromLevel(step.level, step.width)
  return { windowMinimum: step.min!, windowMaximum: step.max! }
}
