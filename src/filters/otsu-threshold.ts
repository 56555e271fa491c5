// Mirrors itk::OtsuThresholdImageFilter (ITK 5.2): a histogram of `bins` equal bins over
// [min, max + (max - min) / (bins * 100)] (ImageToHistogramFilter's automatic range with its
// marginal scale of 100, applied because the histogram's measurement type is real), a value v
// falling into bin floor((v - min) / width); the threshold bin t maximises the between-class
// variance sum_k w_k mu_k^2 over the two classes [0, t] and (t, bins), with bin midpoints as
// measurements (OtsuMultipleThresholdsCalculator with one threshold: first maximum wins, a later
// bin must be larger by more than one ulp); the threshold is that bin's upper edge. ITK casts it
// to the input pixel type (float32 rounding; truncation toward zero for integer types) before
// comparing: that cast value is `pixelThreshold`, and the mask is 1 where value > pixelThreshold,
// 0 elsewhere (the golden's InsideValue 0 / OutsideValue 1: ITK writes InsideValue for
// value <= threshold). `threshold` is the bin edge itself (float64, before the cast).
// Differs on purpose: the mask is always uint8 0/1; NaN voxels are ignored for the histogram
// and are 0 in the mask; `returnBinMidpoint` gives ITK's ReturnBinMidpoint variant.
import { componentTypeOf, pixelsOf, withPixels, type Image, type PixelArray } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'
import { valueRange } from '../image/value-range.js'

export const otsuThresholdFootprint: Footprint = globalFootprint

export interface OtsuOptions {
  /** Number of histogram bins (ITK's NumberOfHistogramBins); default 128. */
  bins?: number
  /** Return the chosen bin's midpoint instead of its upper edge (ITK's ReturnBinMidpoint). */
  returnBinMidpoint?: boolean
}

export interface OtsuResult {
  /** The chosen bin's upper edge (or midpoint), float64: ITK's calculator output. */
  threshold: number
  /** `threshold` cast to the input pixel type, as ITK's GetThreshold(); the mask compares with it. */
  pixelThreshold: number
  /** Index of the chosen bin (the last bin of the lower class). */
  bin: number
  /** 1 where value > pixelThreshold, else 0; uint8 on the input's grid. */
  mask: Image
}

export interface OtsuHistogram {
  lower: number
  upper: number
  width: number
  counts: Float64Array
}

/**
 * ITK's automatic histogram for Otsu: `bins` bins over [min, max + (max - min) / (bins * 100)],
 * of the values plus `shift`.
 */
export function otsuHistogram(data: ArrayLike<number>, bins: number, shift = 0): OtsuHistogram {
  const raw = valueRange(data)
  const n = data.length
  if (raw.min === Infinity) throw new Error('otsuThreshold: the image has no finite voxels')
  const min = raw.min + shift, max = raw.max + shift
  const lower = min
  const upper = max + (max - min) / bins / 100
  const width = (upper - lower) / bins
  const counts = new Float64Array(bins)
  const small = data instanceof Int16Array || data instanceof Uint16Array || data instanceof Int8Array || data instanceof Uint8Array
  if (width > 0 && small) {
    // few distinct values: count each value once, then place the values in bins
    const byValue = new Float64Array(max - min + 1)
    for (let i = 0; i < n; i++) byValue[data[i] - raw.min]++
    for (let k = 0; k < byValue.length; k++) if (byValue[k]) counts[binOf(k + min, lower, width, bins)] += byValue[k]
  } else if (width > 0) {
    for (let i = 0; i < n; i++) {
      const v = data[i] + shift
      if (v === v) counts[binOf(v, lower, width, bins)]++
    }
  } else {
    counts[0] = n
  }
  return { lower, upper, width, counts }
}

/** floor((v - lower) / width), checked against the exact bin bounds lower + k * width. */
function binOf(v: number, lower: number, width: number, bins: number): number {
  let b = Math.floor((v - lower) / width)
  if (b > 0 && v < lower + b * width) b--
  else if (b < bins - 1 && v >= lower + (b + 1) * width) b++
  return b < 0 ? 0 : b > bins - 1 ? bins - 1 : b
}

/** The bin index t maximising the between-class variance of classes [0, t] and (t, bins). */
export function otsuBin(h: OtsuHistogram): number {
  const { counts, lower, width } = h
  const bins = counts.length
  const mid = (j: number) => (binMin(lower, width, j) + binMax(h, j)) / 2
  let total = 0
  let globalMean = 0
  for (let j = 0; j < bins; j++) {
    total += counts[j]
    globalMean += mid(j) * counts[j]
  }
  globalMean /= total
  // class 0 = bins [0, t], class 1 = the rest (running means as ITK updates them)
  let f0 = counts[0]
  let m0 = f0 > 0 ? mid(0) : 0
  const classOne = (): [number, number] => {
    const f1 = total - f0
    const m1 = f1 > 0 ? (globalMean * total - m0 * f0) / f1 : 0
    return [f1, m1]
  }
  let [f1, m1] = classOne()
  let best = (f0 * m0 * m0 + f1 * m1 * m1) / total
  let bestBin = 0
  for (let t = 1; t <= bins - 2; t++) {
    const c = counts[t]
    const fOld = f0
    f0 += c
    m0 = f0 > 0 ? (m0 * fOld + mid(t) * c) / f0 : 0
    ;[f1, m1] = classOne()
    const v = (f0 * m0 * m0 + f1 * m1 * m1) / total
    if (v > best && !withinOneUlp(best, v)) {
      best = v
      bestBin = t
    }
  }
  return bestBin
}

/**
 * Otsu threshold of a pixel array; the threshold before the cast to the input pixel type.
 * `valueOffset`: the threshold of value + valueOffset, without a shifted copy (N4 shifts its
 * input); exact for integer pixels and an integer offset. Default 0.
 */
export function otsuThresholdValue(data: ArrayLike<number>, options: OtsuOptions & { valueOffset?: number } = {}): { threshold: number; bin: number } {
  const bins = options.bins ?? 128
  if (!Number.isInteger(bins) || bins < 2) throw new Error(`otsuThreshold: bins must be an integer >= 2, got ${bins}`)
  const h = otsuHistogram(data, bins, options.valueOffset ?? 0)
  const bin = otsuBin(h)
  const threshold = options.returnBinMidpoint ? (binMin(h.lower, h.width, bin) + binMax(h, bin)) / 2 : binMax(h, bin)
  return { threshold, bin }
}

export function otsuThreshold(image: Image, options: OtsuOptions = {}): OtsuResult {
  const data = pixelsOf(image)
  const { threshold, bin } = otsuThresholdValue(data, options)
  const pixelThreshold = castToPixelType(threshold, data)
  const n = data.length
  const mask = new Uint8Array(n)
  for (let i = 0; i < n; i++) if (data[i] > pixelThreshold) mask[i] = 1
  return { threshold, pixelThreshold, bin, mask: withPixels(image, mask) }
}

function binMin(lower: number, width: number, j: number): number {
  return lower + j * width
}

function binMax(h: OtsuHistogram, j: number): number {
  return j === h.counts.length - 1 ? h.upper : h.lower + (j + 1) * h.width
}

function castToPixelType(v: number, data: PixelArray): number {
  const type = componentTypeOf(data)
  if (type === 'float32') return Math.fround(v)
  if (type === 'float64') return v
  return Math.trunc(v)
}

const f64 = new Float64Array(1)
const i64 = new BigInt64Array(f64.buffer)

/** ITK's Math::FloatAlmostEqual(a, b, 1 ulp) for doubles. */
function withinOneUlp(a: number, b: number): boolean {
  if (a === b) return true
  f64[0] = a
  const ia = i64[0]
  f64[0] = b
  const ib = i64[0]
  if (ia < 0n !== ib < 0n) return false
  const d = ia - ib
  return d <= 1n && d >= -1n
}
