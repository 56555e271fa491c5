// Double-double ("dd") arithmetic: a value is the unevaluated sum hi + lo of two float64
// numbers, giving ~106 bits of significand. Used so that sums over millions of voxels can be
// accumulated per chunk and reduced in any order with the same result.
//
// Exactness: when every addend is an integer (e.g. HU values, or their squares), every
// operation below is exact as long as the true sum stays below ~2^104 and the low part stays an
// integer below 2^53; the normalised pair (hi = fl(sum), lo = sum - hi) is then unique, so any
// split/reduction order yields bit-identical pairs. For non-integer addends the error is
// ~2^-104 relative per operation, far below float64 resolution of the final statistics.

/** [hi, lo] with |lo| <= ulp(hi)/2 after normalisation. JSON-serialisable. */
export type DD = [number, number]

export const DD_ZERO: Readonly<DD> = [0, 0]

/** Knuth's branch-free error-free sum: s + e === a + b exactly (no overflow). */
export function twoSum(a: number, b: number): DD {
  const s = a + b
  const bb = s - a
  const e = (a - (s - bb)) + (b - bb)
  return [s, e]
}

/** Normalise hi + lo into the canonical pair (hi = fl(hi + lo)). */
export function ddNormalize(hi: number, lo: number): DD {
  const [s, e] = twoSum(hi, lo)
  // Avoid -0 so that JSON round trips (which print -0 as 0) compare equal.
  return [s === 0 ? 0 : s, e === 0 ? 0 : e]
}

export function ddAdd(a: Readonly<DD>, b: Readonly<DD>): DD {
  const [s, e] = twoSum(a[0], b[0])
  const [t, f] = twoSum(a[1], b[1])
  const [u, g] = twoSum(s, e + t)
  return ddNormalize(u, g + f)
}

export function ddNeg(a: Readonly<DD>): DD {
  return [-a[0] || 0, -a[1] || 0]
}

export function ddSub(a: Readonly<DD>, b: Readonly<DD>): DD {
  return ddAdd(a, ddNeg(b))
}

const SPLITTER = 134217729 // 2^27 + 1 (Dekker/Veltkamp split)

/** Exact product: p + e === a * b (no overflow/underflow). */
export function twoProd(a: number, b: number): DD {
  const p = a * b
  let t = SPLITTER * a
  const ah = t - (t - a), al = a - ah
  t = SPLITTER * b
  const bh = t - (t - b), bl = b - bh
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
  return [p, e]
}

export function ddMul(a: Readonly<DD>, b: Readonly<DD>): DD {
  const [p, e] = twoProd(a[0], b[0])
  return ddNormalize(p, e + (a[0] * b[1] + a[1] * b[0]))
}

/** a / b for a plain number b (result accurate to ~2^-104 relative). */
export function ddDivNumber(a: Readonly<DD>, b: number): DD {
  const q1 = a[0] / b
  // remainder r = a - q1 * b, computed in dd
  const r = ddSub(a, twoProd(q1, b))
  const q2 = (r[0] + r[1]) / b
  return ddNormalize(q1, q2)
}

/** Nearest float64 of the dd value. */
export function ddToNumber(a: Readonly<DD>): number {
  return a[0] + a[1]
}
