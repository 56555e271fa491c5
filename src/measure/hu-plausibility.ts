// Is a CT volume in Hounsfield units? Air outside the body must sit near -1000 HU and water /
// soft tissue near 0 HU; a missing or doubled Rescale Intercept, a wrong slope or a non-CT
// scan labelled CT shows up here. Only measured and reported: values are never changed.
// Air: the most frequent value (10 HU bins) among the lowest decile of the non-padding voxels
// (air around the patient fills far more than 10 % of a CT field of view). Soft tissue: the
// most frequent value between air + 500 and air + 1500 HU, i.e. inside the body above lung
// and below bone. Both are reported only when enough voxels support them.
import type { PixelArray } from '../image/image.js'

export interface HuPlausibility {
  /** Air peak (HU), or null when the volume has too few voxels to tell. */
  airHu: number | null
  /** Water / soft-tissue peak (HU), or null when the body is not determinable. */
  softTissueHu: number | null
  voxelsUsed: number
  warnings: { code: 'hu_air_implausible' | 'hu_soft_tissue_implausible'; message: string }[]
}

export interface HuPlausibilityOptions {
  /** Voxels with this value (outside the reconstruction circle) are left out. */
  paddingValue?: number
  /** Largest accepted distance of the air peak from -1000 HU. Default 100. */
  airToleranceHu?: number
  /** Largest accepted distance of the soft-tissue peak from 0 HU (fat is -100, organs +40..60). Default 150. */
  softTissueToleranceHu?: number
}

const binHu = 10
const minimumVoxels = 1000

// Histogram in 10 HU bins over a range wide enough for any plausible miscalibration.
const lo = -4000
const hi = 8000

/**
 * The sampled histogram huPlausibility judges: every stride-th voxel of the volume (a sample
 * suffices for a peak), filled in one go or piece by piece (slices as a reader converts them,
 * while they are still in cache) with the same result.
 */
export class HuHistogram {
  private readonly counts = new Float64Array((hi - lo) / binHu)
  readonly stride: number
  private counted = 0
  private binOfInt16?: Uint16Array
  /** int16 pieces' counts, kept as integers until read (small pieces cost no per-piece pass over the bins). */
  private int16Counts?: Int32Array
  private int16Sampled = 0

  constructor(readonly length: number, readonly paddingValue?: number) {
    this.stride = Math.max(1, Math.floor(length / 4_000_000))
  }

  /** Counts per 10 HU bin from lo. */
  get bins(): Float64Array {
    this.flushInt16()
    return this.counts
  }

  /** Voxels counted (sampled and not padding). */
  get used(): number {
    this.flushInt16()
    return this.counted
  }

  /**
   * Count the sampled voxels among voxels [from, to) (indices of the whole volume); `values`
   * holds the volume from voxel `valuesStart` on (a piece of it, e.g. one slice as converted).
   */
  add(values: PixelArray, from = 0, to?: number, valuesStart = 0): void {
    to ??= valuesStart + values.length
    const first = Math.ceil(from / this.stride) * this.stride
    if (values instanceof Int16Array) {
      this.binOfInt16 ??= int16Bins(this.paddingValue, this.counts.length)
      this.int16Counts ??= new Int32Array(this.counts.length + 1)
      this.int16Sampled += countInt16(values, first - valuesStart, to - valuesStart, this.stride, this.binOfInt16, this.int16Counts)
    } else this.counted += fillHistogram(values, first - valuesStart, to - valuesStart, this.stride, this.paddingValue, this.counts)
  }

  private flushInt16(): void {
    const pending = this.int16Counts
    if (!pending || this.int16Sampled === 0) return
    const skip = this.counts.length
    for (let b = 0; b < skip; b++) this.counts[b] += pending[b]
    this.counted += this.int16Sampled - pending[skip]
    pending.fill(0)
    this.int16Sampled = 0
  }
}

export function huPlausibility(values: PixelArray, options: HuPlausibilityOptions = {}): HuPlausibility {
  const histogram = new HuHistogram(values.length, options.paddingValue)
  histogram.add(values)
  return huPlausibilityOf(histogram, options)
}

/** The check on a histogram already filled (its padding value is the one it was made with). */
export function huPlausibilityOf(histogram: HuHistogram, options: HuPlausibilityOptions = {}): HuPlausibility {
  const airTolerance = options.airToleranceHu ?? 100
  const tissueTolerance = options.softTissueToleranceHu ?? 150
  const { bins, used } = histogram
  const result: HuPlausibility = { airHu: null, softTissueHu: null, voxelsUsed: used, warnings: [] }
  if (used < minimumVoxels) return result

  // Lowest decile: bins up to the one holding the 10th percentile.
  let cumulative = 0
  let decileBin = 0
  for (; decileBin < bins.length; decileBin++) {
    cumulative += bins[decileBin]
    if (cumulative >= 0.1 * used) break
  }
  const airBin = modeBin(bins, 0, decileBin + 1)
  const airHu = lo + (airBin + 0.5) * binHu
  result.airHu = airHu
  if (Math.abs(airHu + 1000) > airTolerance) {
    result.warnings.push({ code: 'hu_air_implausible', message: `air peak at ${airHu} HU, expected near -1000 HU (tolerance ${airTolerance} HU): check Rescale Slope/Intercept and the modality; values were not changed` })
  }
  const from = Math.floor((airHu + 500 - lo) / binHu)
  const to = Math.min(bins.length, Math.floor((airHu + 1500 - lo) / binHu))
  let body = 0
  for (let b = Math.max(0, from); b < to; b++) body += bins[b]
  if (body >= minimumVoxels && body >= 0.01 * used) {
    const tissueHu = lo + (modeBin(bins, Math.max(0, from), to) + 0.5) * binHu
    result.softTissueHu = tissueHu
    if (Math.abs(tissueHu) > tissueTolerance) {
      result.warnings.push({ code: 'hu_soft_tissue_implausible', message: `water/soft-tissue peak at ${tissueHu} HU, expected near 0 HU (tolerance ${tissueTolerance} HU): check Rescale Slope/Intercept; values were not changed` })
    }
  }
  return result
}

/** Count values[first], values[first + stride], ... below `to` into 10 HU bins from lo (clamped to [lo, hi - 1]); returns the count. */
function fillHistogram(values: PixelArray, first: number, to: number, stride: number, padding: number | undefined, bins: Float64Array): number {
  // One tight loop, options and bounds hoisted: it ran over millions of voxels per CT.
  const pad = padding ?? NaN
  const top = hi - 1
  let used = 0
  for (let i = first; i < to; i += stride) {
    const v = values[i]
    // v - v is NaN for NaN and +-Infinity: those are left out.
    if (v === pad || v - v !== 0) continue
    const clamped = v < lo ? lo : v > top ? top : v
    bins[Math.floor((clamped - lo) / binHu)]++
    used++
  }
  return used
}

/**
 * The same count for int16 volumes (CT as convert reads it) through a table of each value's bin
 * (the padding value's entry is the extra last count, "skipped"): no division or branch per
 * voxel. Adds to `counts`; returns how many voxels were sampled.
 */
function countInt16(values: Int16Array, first: number, to: number, stride: number, binOf: Uint16Array, counts: Int32Array): number {
  let sampled = 0
  for (let i = first; i < to; i += stride, sampled++) counts[binOf[values[i] + 32768]]++
  return sampled
}

/**
 * Each int16 value's bin (`skip` for the padding value): value v at v + 32768; below lo the first
 * bin, from hi the last, each bin between a run of binHu values (filled by runs: it runs once,
 * before the JIT has warmed up).
 */
function int16Bins(padding: number | undefined, skip: number): Uint16Array {
  const at = (v: number) => Math.min(65536, Math.max(0, v + 32768))
  const binOf = new Uint16Array(65536) // below lo: bin 0
  const last = (hi - lo) / binHu - 1
  for (let b = 0; b <= last; b++) binOf.fill(b, at(lo + b * binHu), at(b === last ? 32768 : lo + (b + 1) * binHu))
  if (padding !== undefined && Number.isInteger(padding) && padding >= -32768 && padding < 32768) binOf[padding + 32768] = skip
  return binOf
}

function modeBin(bins: Float64Array, from: number, to: number): number {
  let best = from
  for (let b = from; b < to; b++) if (bins[b] > bins[best]) best = b
  return best
}
