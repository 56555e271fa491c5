// Mattes mutual information of two images on the same grid, as ITK's
// MattesMutualInformationImageToImageMetric defines it (Mattes et al. 2003): a joint histogram
// with a zero-order (box) Parzen window on the fixed intensities and a cubic B-spline window on
// the moving ones, two padding bins at each end, value = -MI (lower is better, as elastix
// minimises it). Differs on purpose: every voxel pair where both values are finite is a sample
// (no random subset), and the intensity ranges are those of the sampled voxels.
export interface MattesOptions {
  /** Histogram bins per image (elastix's default 32). */
  bins?: number
}

const PADDING = 2

export function mattesMutualInformation(fixed: ArrayLike<number>, moving: ArrayLike<number>, options: MattesOptions = {}): number {
  const bins = options.bins ?? 32
  if (!Number.isInteger(bins) || bins < 2 * PADDING + 2) throw new Error(`mattes: bins must be an integer >= ${2 * PADDING + 2}`)
  if (fixed.length !== moving.length) throw new Error('mattes: the images must have the same number of voxels')
  let fMin = Infinity, fMax = -Infinity, mMin = Infinity, mMax = -Infinity
  for (let i = 0; i < fixed.length; i++) {
    const f = fixed[i], m = moving[i]
    if (!Number.isFinite(f) || !Number.isFinite(m)) continue
    if (f < fMin) fMin = f
    if (f > fMax) fMax = f
    if (m < mMin) mMin = m
    if (m > mMax) mMax = m
  }
  if (!(fMax > fMin) || !(mMax > mMin)) return 0 // a constant image shares no information
  const usable = bins - 2 * PADDING
  const fBin = (fMax - fMin) / usable, mBin = (mMax - mMin) / usable
  const fNorm = fMin / fBin - PADDING, mNorm = mMin / mBin - PADDING
  const joint = new Float64Array(bins * bins)
  let total = 0
  for (let i = 0; i < fixed.length; i++) {
    const f = fixed[i], m = moving[i]
    if (!Number.isFinite(f) || !Number.isFinite(m)) continue
    const fi = Math.min(bins - PADDING - 1, Math.max(PADDING, Math.floor(f / fBin - fNorm)))
    const term = m / mBin - mNorm
    // as ITK: the window's base bin is clamped to [2, bins - 3], so the image maximum (term =
    // bins - 2) spreads over bins - 3 .. bins - 1 and the weights still sum to one
    const mi = Math.min(bins - PADDING - 1, Math.max(PADDING, Math.floor(term)))
    const row = fi * bins
    for (let k = mi - 1; k <= mi + 2; k++) joint[row + k] += cubicBSpline(k - term)
    total++
  }
  const pf = new Float64Array(bins), pm = new Float64Array(bins)
  let sum = 0
  for (let q = 0; q < joint.length; q++) sum += joint[q]
  for (let a = 0; a < bins; a++) {
    for (let b = 0; b < bins; b++) {
      const p = joint[a * bins + b] / sum
      joint[a * bins + b] = p
      pf[a] += p
      pm[b] += p
    }
  }
  let mi = 0
  for (let a = 0; a < bins; a++) {
    if (pf[a] <= 0) continue
    for (let b = 0; b < bins; b++) {
      const p = joint[a * bins + b]
      if (p > 0 && pm[b] > 0) mi += p * Math.log(p / (pf[a] * pm[b]))
    }
  }
  return total ? -mi : 0
}

function cubicBSpline(x: number): number {
  const a = Math.abs(x)
  if (a < 1) return (4 - 6 * a * a + 3 * a * a * a) / 6
  if (a < 2) return ((2 - a) ** 3) / 6
  return 0
}
