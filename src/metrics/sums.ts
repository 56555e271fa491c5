// Sums for area-weighted statistics. `accurateSum` is Neumaier's compensated sum (error
// independent of the count, so results do not drift with millions of surface elements);
// `numpyPairwiseSum` reproduces NumPy's float64 `np.sum` bit for bit (its pairwise scheme:
// blocks of at most 128 summed with 8 accumulators, halves rounded to multiples of 8), which
// `robust-hausdorff.ts` needs where a percentile falls exactly on a cumulative-area boundary.

/** Neumaier-compensated sum of values[from..to) (optionally of values[i] * weights[i]). */
export function accurateSum(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0
  let comp = 0
  for (let i = from; i < to; i++) {
    const x = values[i]
    const t = sum + x
    if (Math.abs(sum) >= Math.abs(x)) comp += sum - t + x
    else comp += x - t + sum
    sum = t
  }
  return Number.isFinite(sum) ? sum + comp : sum // Infinity / NaN: the compensation is meaningless
}

/** A running compensated sum (Neumaier). */
export class CompensatedSum {
  sum = 0
  comp = 0
  add(x: number): void {
    const t = this.sum + x
    if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x
    else this.comp += x - t + this.sum
    this.sum = t
  }
  get value(): number {
    return Number.isFinite(this.sum) ? this.sum + this.comp : this.sum
  }
}

/** NumPy's `np.sum` of a contiguous float64 array: identical rounding (pairwise_sum). */
export function numpyPairwiseSum(a: ArrayLike<number>, from = 0, n = a.length - from): number {
  if (n < 8) {
    let res = 0
    for (let i = 0; i < n; i++) res += a[from + i]
    return res
  }
  if (n <= 128) {
    let r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3]
    let r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7]
    let i = 8
    for (; i < n - (n % 8); i += 8) {
      const p = from + i
      r0 += a[p]; r1 += a[p + 1]; r2 += a[p + 2]; r3 += a[p + 3]
      r4 += a[p + 4]; r5 += a[p + 5]; r6 += a[p + 6]; r7 += a[p + 7]
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for (; i < n; i++) res += a[from + i]
    return res
  }
  let n2 = Math.floor(n / 2)
  n2 -= n2 % 8
  return numpyPairwiseSum(a, from, n2) + numpyPairwiseSum(a, from + n2, n - n2)
}
