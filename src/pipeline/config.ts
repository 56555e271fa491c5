// Pipeline settings: one zod schema, defaults included, unknown keys rejected so a typo in
// a config file is an error instead of a silently ignored setting.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { BadInputError } from './errors.js'
import { augmentationSchema, derivedImagesSchema, registrationSchema } from './derived-images-config.js'

const resampleSchema = z.strictObject({
  /** Target isotropic spacing in mm; "min-in-plane" takes the smallest in-plane spacing. */
  spacing_mm: z.union([z.literal('min-in-plane'), z.number().positive().max(20)]).default('min-in-plane'),
  interpolator: z.enum(['bspline', 'linear', 'nearest']).default('bspline'),
  /** Value outside the input; null = -1024 for CT, 0 otherwise. */
  padding_value: z.number().nullable().default(null),
})

const segmentationSchema = z.strictObject({
  /** "threshold" is the classical baseline; "reference" only when a reference is supplied. */
  method: z.enum(['threshold']).default('threshold'),
  lower_hu: z.number().min(-2000).max(5000).default(200),
  upper_hu: z.number().min(-2000).max(50000).nullable().default(null),
  /** Binary closing with ITK's ball of this radius in voxels (0 = none). */
  closing_radius_voxels: z.number().int().min(0).max(10).default(1),
  /** Label value of the baseline mask. */
  label_value: z.number().int().min(1).max(255).default(1),
  label_name: z.string().min(1).max(64).default('bone'),
  /** Drop face-connected components of the baseline mask smaller than this (mL); null keeps all. */
  min_component_ml: z.number().positive().max(100_000).nullable().default(null),
})

const outputSchema = z.strictObject({
  /** "input" keeps the scan's integer type (values rounded); float32 keeps the interpolated values. */
  image_type: z.enum(['input', 'float32']).default('input'),
  compression_level: z.number().int().min(1).max(9).default(1),
})

const chunksSchema = z.strictObject({
  /** Output slices per chunk; null = derived from max_mb. */
  slices: z.number().int().min(1).max(100_000).nullable().default(null),
  /**
   * Memory budget of one chunk's float32 image (halo included), in MB. A chunk worker's peak is
   * about 150 MB + 3.8 x this on the default CT pipeline (measured: 49 + 4 halo slices of
   * 512 x 512 -> 350 MB, 145 + 2 -> 700 MB, 289 -> 1.26 GB), so 160 peaks near 0.75 GB: a
   * 2 GB Lambda keeps room for derived images and N4's field.
   */
  max_mb: z.number().positive().max(10_000).default(160),
  /** false = one chunk holding the whole volume (voxelflow run --no-chunks). */
  enabled: z.boolean().default(true),
  /**
   * Most chunks per case; slabs grow beyond `slices` / `max_mb` to stay within it. Each chunk
   * adds about 1 KB of pointers to the Step Functions state (payload limit 256 KiB), so 120
   * keeps the state under half the limit (test/pipeline/state-payload.test.ts).
   */
  max_count: z.number().int().min(1).max(120).default(100),
})

const intensitySchema = z.strictObject({
  /** N4 bias-field correction (fitted on the shrunk whole image, applied per chunk): auto = on for MR only. */
  n4: z.enum(['auto', 'on', 'off']).default('auto'),
  /** N4 fits on the image subsampled by this factor (ITK's shrink factor). */
  n4_shrink_factor: z.number().int().min(1).max(16).default(4),
})

const labelsSchema = z.strictObject({
  /** Names by label value, used when the segmentation carries none. */
  names: z.record(z.string().regex(/^\d+$/), z.string().min(1).max(128)).default({}),
})

/**
 * Resource limits for untrusted input, checked from headers before anything is allocated or
 * inflated. Defaults fit the largest real scans (a 2000-slice 512 x 512 CT) with room to spare.
 */
const limitsSchema = z.strictObject({
  /** Voxels of one image or label map (default 2^29: 2 GiB as float32). */
  max_voxels: z.number().int().min(1).max(2 ** 33).default(2 ** 29),
  /** Bytes one input may inflate to: a .nii.gz's data, or all entries of an archive together. */
  max_decompressed_bytes: z.number().int().min(1024).max(2 ** 40).default(4 * 2 ** 30),
  /** Files in one case (after unpacking archives). */
  max_files_per_case: z.number().int().min(1).max(1_000_000).default(10_000),
  /** Distinct values in one label map (TotalSegmentator's largest map has 117). */
  max_labels: z.number().int().min(1).max(65_535).default(1000),
  /** Entries (files, folders, links) in one archive. */
  max_archive_entries: z.number().int().min(1).max(1_000_000).default(20_000),
})

export type Limits = z.infer<typeof limitsSchema>

const dicomSchema = z.strictObject({
  /** Unevenly spaced slices: resample onto uniform steps (as dcm2niix) or refuse the case. */
  non_uniform_spacing: z.enum(['resample', 'refuse']).default('resample'),
  /** Gantry tilt: resample onto an orthogonal grid or refuse the case. */
  gantry_tilt: z.enum(['correct', 'refuse']).default('correct'),
  /** Use this series instead of the primary one (`voxelflow run --series`). */
  series_instance_uid: z.string().min(1).max(64).nullable().default(null),
})

export const pipelineConfigSchema = z.strictObject({
  resample: resampleSchema.default(resampleSchema.parse({})),
  segmentation: segmentationSchema.default(segmentationSchema.parse({})),
  output: outputSchema.default(outputSchema.parse({})),
  chunks: chunksSchema.default(chunksSchema.parse({})),
  labels: labelsSchema.default(labelsSchema.parse({})),
  limits: limitsSchema.default(limitsSchema.parse({})),
  dicom: dicomSchema.default(dicomSchema.parse({})),
  intensity: intensitySchema.default(intensitySchema.parse({})),
  /** Extra float32 volumes from intensity operations on the output image (absent = none; keeps older config hashes). */
  derived_images: derivedImagesSchema.optional(),
  /** Seeded augmented copies of image and labels, made after assembly (absent = none). */
  augmentation: augmentationSchema.optional(),
  /** How a case's moving image is registered to its output image (absent = the defaults). */
  registration: registrationSchema.optional(),
})

export type PipelineConfig = z.infer<typeof pipelineConfigSchema>

export const defaultConfig: PipelineConfig = pipelineConfigSchema.parse({})

export const defaultLimits: Limits = defaultConfig.limits

/** Parse user settings; errors name the file and every offending field. */
export function parseConfig(input: unknown, source = 'config'): PipelineConfig {
  const result = pipelineConfigSchema.safeParse(input ?? {})
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
  throw new BadInputError(`invalid pipeline config: ${problems.join('; ')}`, { file: source, field: result.error.issues[0]?.path.join('.') })
}

/** Stable hash of the effective config (keys sorted), part of every run's identity. */
export function configHash(config: PipelineConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16)
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
