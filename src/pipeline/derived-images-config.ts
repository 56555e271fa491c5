// Settings of the optional stages: `derived_images` (extra float32 volumes made from the
// output image by a list of intensity operations), `augmentation` (seeded copies of the image
// and labels) and `registration` (of a case's moving image to its output image). Options mean what the same options of `voxelflow filter` / `voxelflow augment`
// mean (hyphens become underscores); unknown keys are errors.
import { z } from 'zod'
import { windowPresets } from '../filters/window-level.js'
import { patientAxes } from '../augment/flip.js'

const finite = z.number().refine(Number.isFinite, 'must be a finite number')

const windowStep = z
  .strictObject({
    op: z.literal('window'),
    /** One of preset, level + width, min + max. */
    preset: z.enum(Object.keys(windowPresets) as [keyof typeof windowPresets, ...(keyof typeof windowPresets)[]]).optional(),
    level: finite.optional(),
    width: finite.positive().optional(),
    min: finite.optional(),
    max: finite.optional(),
    output_min: finite.default(0),
    output_max: finite.default(1),
  })
  .superRefine((step, ctx) => {
    const given = (['preset', 'level', 'min'] as const).filter((k) => step[k] !== undefined)
    if (given.length !== 1) ctx.addIssue({ code: 'custom', path: [given[1] ?? 'preset'], message: 'give exactly one of preset, level + width, min + max' })
    if ((step.level === undefined) !== (step.width === undefined)) ctx.addIssue({ code: 'custom', path: ['width'], message: 'level and width go together' })
    if ((step.min === undefined) !== (step.max === undefined)) ctx.addIssue({ code: 'custom', path: ['max'], message: 'min and max go together' })
    if (step.min !== undefined && step.max !== undefined && !(step.max > step.min)) ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must be greater than min' })
  })

const clipStep = z
  .strictObject({ op: z.literal('clip'), lower: finite.default(-1024), upper: finite.default(3071) })
  .refine((s) => s.lower <= s.upper, { path: ['upper'], message: 'upper must not be below lower' })

const normalizeStep = z.discriminatedUnion('method', [
  z.strictObject({ op: z.literal('normalize'), method: z.literal('z-score') }),
  z.strictObject({ op: z.literal('normalize'), method: z.literal('min-max'), output_min: finite.default(0), output_max: finite.default(1) }),
  z
    .strictObject({
      op: z.literal('normalize'),
      method: z.literal('percentile'),
      lower: z.number().min(0).max(100).default(0.5),
      upper: z.number().min(0).max(100).default(99.5),
      output_min: finite.default(0),
      output_max: finite.default(1),
      clip: z.boolean().default(true),
    })
    .refine((s) => s.lower < s.upper, { path: ['upper'], message: 'upper percentile must exceed lower' }),
])

const radius = z.union([z.number().int().min(0).max(10), z.tuple([z.number().int().min(0).max(10), z.number().int().min(0).max(10), z.number().int().min(0).max(10)])])

export const derivedStepSchema = z.discriminatedUnion('op', [
  windowStep,
  clipStep,
  normalizeStep,
  z.strictObject({ op: z.literal('log') }),
  z.strictObject({ op: z.literal('power'), gamma: z.number().positive().max(100) }),
  z.strictObject({ op: z.literal('exp') }),
  z.strictObject({ op: z.literal('ahe'), alpha: finite.default(0.3), beta: finite.default(0.3), radius: radius.default(5) }),
  z.strictObject({ op: z.literal('laplacian'), spacing: z.boolean().default(true) }),
])

export type DerivedStep = z.infer<typeof derivedStepSchema>

/** File names the case folder already uses (compared without case: some file systems ignore it). */
export const reservedOutputNames = ['image', 'labels', 'qc', 'report', 'augmented', 'moving_registered', 'moving_labels_registered'] as const

export const derivedImageSchema = z.strictObject({
  /** `<case>/<name>.nii.gz`: a safe file name. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "_" or "-", starting with a letter or digit')
    .refine((name) => !(reservedOutputNames as readonly string[]).includes(name.toLowerCase()), {
      message: `must not be one of the case's own outputs (${reservedOutputNames.join(', ')})`,
    }),
  steps: z.array(derivedStepSchema).min(1).max(16),
})

export type DerivedImageConfig = z.infer<typeof derivedImageSchema>

export const derivedImagesSchema = z
  .array(derivedImageSchema)
  .max(16)
  .superRefine((images, ctx) => {
    const seen = new Map<string, number>()
    images.forEach((image, n) => {
      const key = image.name.toLowerCase()
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [n, 'name'], message: `"${image.name}" is used twice (names are compared without case)` })
      seen.set(key, n)
    })
  })

const range = (lowest: number) =>
  z.tuple([z.number().min(lowest), z.number().min(lowest)]).refine(([lo, hi]) => lo <= hi, 'must be [lo, hi] with lo <= hi')

export const augmentationSchema = z.strictObject({
  /** Augmented copies per case: `<case>/augmented/<k>/image.nii.gz` (+ labels), k = 0 .. copies - 1. */
  copies: z.number().int().min(1).max(50),
  /** With the case id and k, determines each copy (same seed, case and k: same bytes). */
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  rotate_deg: z.number().min(0).max(180).default(10),
  translate_mm: z.number().min(0).max(1000).default(5),
  scale: range(Number.MIN_VALUE).default([0.9, 1.1]),
  flip: z.array(z.enum(patientAxes as unknown as ['LR', 'AP', 'SI'])).default([]),
  flip_probability: z.number().min(0).max(1).default(0.5),
  gamma: range(Number.MIN_VALUE).default([1, 1]),
  noise_sd: range(0).default([0, 0]),
  interpolator: z.enum(['linear', 'bspline', 'nearest']).default('linear'),
})

export type AugmentationConfig = z.infer<typeof augmentationSchema>

/** Options of `voxelflow register` (src/register/rigid-registration.ts), for a case's moving image. */
export const registrationSchema = z.strictObject({
  initializer: z.enum(['geometric', 'moments']).default('geometric'),
  resolutions: z.number().int().min(1).max(6).default(3),
  iterations: z.number().int().min(1).max(5000).default(250),
  /** Seed of elastix's random sampler: the same seed gives the same result. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  interpolator: z.enum(['bspline', 'linear', 'nearest']).default('bspline'),
})
