// What one augmentation does, and how a seed draws it from ranges. Drawing is separate from
// applying so a draw can be recorded, replayed, or written by hand (tests use exact values).
import { makeRandom } from '../sample/random.js'
import { patientAxes, type PatientAxis } from './flip.js'

export interface AugmentParameters {
  /** Mirrors across the image centre, applied first (exact). */
  flips: PatientAxis[]
  /** Rotation about the LPS x, y, z axes through the image centre, degrees (R = Rz Ry Rx). */
  rotation_deg: [number, number, number]
  /** Isotropic scaling about the image centre (> 1 enlarges the anatomy). */
  scale: number
  /** Shift of the anatomy, mm (LPS). */
  translation_mm: [number, number, number]
  /** Gamma applied to intensities normalised to [min, max] (1 = none). */
  gamma: number
  /** Standard deviation of additive Gaussian noise, image units (0 = none). */
  noise_sd: number
  /** Seed of the noise field. */
  noise_seed: number
}

export interface AugmentRanges {
  /** Largest rotation about each axis, degrees: drawn uniformly in [-max, max] (default 10). */
  rotate_deg?: number
  /** Largest shift along each axis, mm (default 5). */
  translate_mm?: number
  /** Scale range [lo, hi] (default [0.9, 1.1]). */
  scale?: [number, number]
  /** Axes that may be mirrored, each with probability flip_probability (default none). */
  flip_axes?: PatientAxis[]
  flip_probability?: number
  /** Gamma range [lo, hi], drawn log-uniformly (default [1, 1]: none). */
  gamma?: [number, number]
  /** Noise SD range [lo, hi] (default [0, 0]: none). */
  noise_sd?: [number, number]
}

export const identityAugmentation: AugmentParameters = {
  flips: [], rotation_deg: [0, 0, 0], scale: 1, translation_mm: [0, 0, 0], gamma: 1, noise_sd: 0, noise_seed: 0,
}

/** The parameters seed `seed` draws from `ranges` (same seed and ranges: same parameters). */
export function drawAugmentParameters(seed: number, ranges: AugmentRanges = {}): AugmentParameters {
  checkRanges(ranges)
  const random = makeRandom('augment', seed)
  const rot = ranges.rotate_deg ?? 10
  const shift = ranges.translate_mm ?? 5
  const [sLo, sHi] = ranges.scale ?? [0.9, 1.1]
  const [gLo, gHi] = ranges.gamma ?? [1, 1]
  const [nLo, nHi] = ranges.noise_sd ?? [0, 0]
  const p = ranges.flip_probability ?? 0.5
  // every draw is made whether used or not, so one range never shifts another's values
  const flipDraws = patientAxes.map(() => random.next())
  const flips = patientAxes.filter((a, n) => (ranges.flip_axes ?? []).includes(a) && flipDraws[n] < p)
  const rotation_deg = [0, 1, 2].map(() => random.uniform(-rot, rot)) as [number, number, number]
  const translation_mm = [0, 1, 2].map(() => random.uniform(-shift, shift)) as [number, number, number]
  const scale = random.uniform(sLo, sHi)
  const gamma = Math.exp(random.uniform(Math.log(gLo), Math.log(gHi)))
  const noise_sd = random.uniform(nLo, nHi)
  const noise_seed = random.next32()
  return { flips, rotation_deg, scale, translation_mm, gamma, noise_sd, noise_seed }
}

function checkRanges(r: AugmentRanges): void {
  const pair = (name: string, v: [number, number] | undefined, positive: boolean): void => {
    if (v === undefined) return
    if (v.length !== 2 || !v.every(Number.isFinite) || v[0] > v[1] || (positive ? v[0] <= 0 : v[0] < 0)) {
      throw new Error(`augment: ${name} must be a range lo,hi with ${positive ? '0 < lo' : '0 <= lo'} <= hi, got ${v.join(',')}`)
    }
  }
  pair('scale', r.scale, true)
  pair('gamma', r.gamma, true)
  pair('noise_sd', r.noise_sd, false)
  for (const [name, v] of [['rotate_deg', r.rotate_deg], ['translate_mm', r.translate_mm]] as const) {
    if (v !== undefined && !(v >= 0 && Number.isFinite(v))) throw new Error(`augment: ${name} must be a number >= 0, got ${v}`)
  }
  if (r.flip_probability !== undefined && !(r.flip_probability >= 0 && r.flip_probability <= 1)) {
    throw new Error(`augment: flip_probability must be in [0, 1], got ${r.flip_probability}`)
  }
  for (const a of r.flip_axes ?? []) if (!patientAxes.includes(a)) throw new Error(`augment: unknown flip axis '${a}' (LR, AP or SI)`)
}
