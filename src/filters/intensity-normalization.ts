// Intensity normalizations, each mirroring an ITK filter:
// * clipIntensity: itk::ClampImageFilter (HU clipping, default [-1024, 3071]; NaN stays NaN);
// * zScore: itk::NormalizeImageFilter: (v - mean) / sigma with StatisticsImageFilter's sigma,
//   the sample standard deviation (n - 1 denominator); optionally over a mask only;
// * minMax: itk::RescaleIntensityImageFilter: [min, max] -> [outputMinimum, outputMaximum];
// * percentile: the percentile-clip normalization of the nnU-Net / TorchIO kind, which ITK has
//   no single filter for: the lower and upper percentiles (linear interpolation between order
//   statistics, NumPy's default) map to [outputMinimum, outputMaximum], values beyond are clipped
//   (clip: false keeps them outside).
// Differs on purpose: outputs are float32 (float64 for float64 input) and statistics are
// float64; a constant image (sigma 0 or max = min) maps to outputMinimum (min-max), 0 (z-score),
// where ITK divides by zero. Statistics are global over the image (or the mask).
import { pixelsOf, withPixels, type Image, type PixelArray } from '../image/image.js'
import { globalFootprint, pointwiseFootprint, type Footprint } from '../chunks/footprint.js'
import { valueRange } from '../image/value-range.js'

export const clipIntensityFootprint: Footprint = pointwiseFootprint
/** z-score, min-max and percentile need statistics of the whole image. */
export const normalizationFootprint: Footprint = globalFootprint

function outputLike(data: PixelArray): Float32Array | Float64Array {
  return data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length)
}

/** ClampImageFilter: values below `lower` become lower, above `upper` become upper. */
export function clipIntensity(image: Image, lower = -1024, upper = 3071): Image {
  if (!(lower <= upper)) throw new Error(`clip: lower ${lower} must not exceed upper ${upper}`)
  const data = pixelsOf(image)
  const out = outputLike(data)
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    out[i] = v < lower ? lower : v > upper ? upper : v
  }
  return withPixels(image, out)
}

export interface Moments {
  count: number
  mean: number
  /** Sample standard deviation (n - 1), as ITK's StatisticsImageFilter. */
  sigma: number
  min: number
  max: number
}

/** Mean, sample sigma, min and max over the voxels (where mask != 0 when a mask is given). */
export function intensityMoments(data: ArrayLike<number>, mask?: ArrayLike<number>): Moments {
  if (mask && mask.length !== data.length) throw new Error(`mask has ${mask.length} voxels, image ${data.length}`)
  // two passes: the mean first, then centred sums (no cancellation)
  let count = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue
    const v = data[i]
    count++
    sum += v
    if (v < min) min = v
    if (v > max) max = v
  }
  if (count === 0) throw new Error('intensity statistics: no voxels (empty image or mask)')
  const mean = sum / count
  let ss = 0
  let sc = 0
  for (let i = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue
    const d = data[i] - mean
    ss += d * d
    sc += d
  }
  const variance = count > 1 ? (ss - (sc * sc) / count) / (count - 1) : 0
  return { count, mean, sigma: Math.sqrt(Math.max(0, variance)), min, max }
}

export interface ZScoreOptions {
  /** Statistics over voxels where mask != 0 (same grid); the whole image is transformed. */
  mask?: Image
}

/** NormalizeImageFilter: (v - mean) / sigma (sample sigma). */
export function zScore(image: Image, options: ZScoreOptions = {}): Image {
  return zScoreWith(image, intensityMoments(pixelsOf(image), options.mask ? pixelsOf(options.mask) : undefined))
}

/** (v - mean) / sigma with given statistics (the pipeline applies whole-image ones per slab). */
export function zScoreWith(image: Image, { mean, sigma }: Pick<Moments, 'mean' | 'sigma'>): Image {
  const data = pixelsOf(image)
  const out = outputLike(data)
  const inv = sigma > 0 ? 1 / sigma : 0
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - mean) * inv
  return withPixels(image, out)
}

export interface RangeOptions {
  /** Default 0. */
  outputMinimum?: number
  /** Default 1. */
  outputMaximum?: number
}

/** RescaleIntensityImageFilter: [min, max] of the image -> [outputMinimum, outputMaximum]. */
export function minMax(image: Image, options: RangeOptions = {}): Image {
  return minMaxWith(image, valueRange(pixelsOf(image)), options)
}

/** [min, max] -> [outputMinimum, outputMaximum] with a given (whole-image) range. */
export function minMaxWith(image: Image, { min, max }: { min: number; max: number }, options: RangeOptions = {}): Image {
  return withPixels(image, linearMap(pixelsOf(image), min, max, options, false))
}

export interface PercentileOptions extends RangeOptions {
  /** Lower percentile in [0, 100]; default 0.5. */
  lower?: number
  /** Upper percentile in [0, 100]; default 99.5. */
  upper?: number
  /** Clip values beyond the percentiles to the output range; default true. */
  clip?: boolean
}

/** Percentile normalization: [P_lower, P_upper] -> [outputMinimum, outputMaximum], clipped. */
export function percentileNormalize(image: Image, options: PercentileOptions = {}): Image {
  const lower = options.lower ?? 0.5
  const upper = options.upper ?? 99.5
  if (!(lower >= 0 && upper <= 100 && lower < upper)) throw new Error(`percentiles must satisfy 0 <= lower < upper <= 100, got ${lower}, ${upper}`)
  return percentileNormalizeWith(image, percentiles(pixelsOf(image), [lower, upper]) as [number, number], options)
}

/** [pLower, pUpper] -> the output range with given (whole-image) percentile values. */
export function percentileNormalizeWith(image: Image, [pLo, pHi]: readonly [number, number], options: PercentileOptions = {}): Image {
  return withPixels(image, linearMap(pixelsOf(image), pLo, pHi, options, options.clip ?? true))
}

/**
 * Percentiles with linear interpolation between order statistics (NumPy's default method):
 * position (n - 1) * p / 100 in the sorted values. Integer images use a counting histogram,
 * others a copy and sort. NaN voxels are ignored.
 */
export function percentiles(data: ArrayLike<number>, ps: number[]): number[] {
  const sorted = sortedValues(data)
  const n = sorted.count
  if (n === 0) throw new Error('percentiles: no values')
  return ps.map((p) => {
    const pos = ((n - 1) * p) / 100
    const i = Math.floor(pos)
    const f = pos - i
    const a = sorted.at(i)
    return f > 0 && i + 1 < n ? a + (sorted.at(i + 1) - a) * f : a
  })
}

interface SortedView {
  count: number
  at(rank: number): number
}

function sortedValues(data: ArrayLike<number>): SortedView {
  const integerTyped = data instanceof Int16Array || data instanceof Uint16Array || data instanceof Int8Array || data instanceof Uint8Array
  if (integerTyped) {
    const { min, max } = valueRange(data)
    const counts = new Float64Array(max - min + 1)
    for (let i = 0; i < data.length; i++) counts[data[i] - min]++
    const cum = new Float64Array(counts.length)
    let c = 0
    for (let k = 0; k < counts.length; k++) {
      c += counts[k]
      cum[k] = c
    }
    return {
      count: data.length,
      at(rank: number) {
        // smallest k with cum[k] > rank
        let lo = 0
        let hi = cum.length - 1
        while (lo < hi) {
          const mid = (lo + hi) >> 1
          if (cum[mid] > rank) hi = mid
          else lo = mid + 1
        }
        return lo + min
      },
    }
  }
  const copy = new Float64Array(data.length)
  let n = 0
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (v === v) copy[n++] = v
  }
  const values = copy.subarray(0, n).sort()
  return { count: n, at: (rank: number) => values[rank] }
}

function linearMap(data: PixelArray, lo: number, hi: number, options: RangeOptions, clip: boolean): Float32Array | Float64Array {
  const outMin = options.outputMinimum ?? 0
  const outMax = options.outputMaximum ?? 1
  const out = outputLike(data)
  if (!(hi > lo)) {
    out.fill(outMin)
    return out
  }
  const scale = (outMax - outMin) / (hi - lo)
  const top = Math.max(outMin, outMax)
  const bottom = Math.min(outMin, outMax)
  for (let i = 0; i < data.length; i++) {
    let o = (data[i] - lo) * scale + outMin
    if (clip) o = o < bottom ? bottom : o > top ? top : o
    out[i] = o
  }
  return out
}
