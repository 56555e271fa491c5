// Deterministic randomness for the synthetic sample: a small seeded generator (SplitMix32
// steps feeding a xorshift-multiply output), Gaussian draws, and UIDs derived from a hash.
import { createHash } from 'node:crypto'

export interface Random {
  /** Uniform 32-bit unsigned integer. */
  next32(): number
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number
  /** Standard normal draw (Box-Muller, both halves used). */
  gaussian(): number
  /**
   * Cheap zero-mean, unit-variance noise bounded to [-3, 3]: the sum of three uniforms
   * (Irwin-Hall), bell-shaped, from a single 32-bit draw. Bounded noise keeps a fixed
   * threshold between tissue classes exact.
   */
  bell(): number
}

/** 32-bit integer hash of any list of values (strings or numbers), stable across runs. */
export function hash32(...parts: Array<string | number>): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest()
  return digest.readUInt32LE(0)
}

export function makeRandom(...seedParts: Array<string | number>): Random {
  let state = hash32('voxelflow-sample', ...seedParts) >>> 0
  let spare: number | undefined
  const next32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  const next = (): number => next32() / 4294967296
  return {
    next32,
    next,
    bell: () => {
      const z = next32()
      // three 10-bit uniforms on (0, 1); their sum has mean 1.5 and variance 1/4
      const sum = ((z & 1023) + ((z >>> 10) & 1023) + ((z >>> 20) & 1023) + 1.5) / 1024
      return 2 * (sum - 1.5)
    },
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    gaussian: () => {
      if (spare !== undefined) {
        const s = spare
        spare = undefined
        return s
      }
      let u = 0
      while (u <= Number.MIN_VALUE) u = next()
      const v = next()
      const r = Math.sqrt(-2 * Math.log(u))
      spare = r * Math.sin(2 * Math.PI * v)
      return r * Math.cos(2 * Math.PI * v)
    },
  }
}

/**
 * A DICOM UID under the 2.25 root (ISO/IEC 9834-8: a UUID-derived integer), made from a
 * 128-bit hash of the given parts, so the same inputs always give the same UID.
 */
export function deterministicUid(...parts: Array<string | number>): string {
  const digest = createHash('sha256').update(['voxelflow-uid', ...parts].join('\u0000')).digest()
  const value = BigInt('0x' + digest.subarray(0, 16).toString('hex'))
  return `2.25.${value.toString(10)}`
}
