// report.json: the machine-readable result of one case. snake_case, units in field names.
// This zod schema is the single source of truth; report.schema.json beside it is generated
// from it (npm run schema) and a test keeps the two in sync.
import { z } from 'zod'
import { metricsReportJsonSchema } from '../metrics/metrics-schema.js'

export const reportSchemaVersion = '1.3.0'

const vec3 = z.tuple([z.number(), z.number(), z.number()])
const index3 = z.tuple([z.number().int(), z.number().int(), z.number().int()])

export const warningSchema = z.object({
  code: z.string(),
  message: z.string(),
})

const objectRefSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  size_bytes: z.number().int().nonnegative().optional(),
  etag: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional().describe('SHA-256 of the object bytes, computed while the pipeline read them'),
})

export const seriesFoundSchema = z.object({
  series_instance_uid: z.string(),
  modality: z.string(),
  description: z.string(),
  slice_count: z.number().int().nonnegative().describe('frames of all files of the group'),
  files: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  columns: z.number().int().nonnegative(),
  orientation: z.string().describe('acquisition plane from Image Orientation Patient: AXIAL, CORONAL, SAGITTAL, OBLIQUE'),
  image_orientation_patient: z.array(z.number()).optional(),
  group: z.string().describe('orientation/size group within the series, "n of m"'),
  status: z.enum(['chosen', 'rejected', 'not chosen']),
  reason: z.string(),
})

export const inputDescriptionSchema = z.object({
  kind: z.enum(['dicom', 'nifti']),
  modality: z.string(),
  size_voxels: index3,
  spacing_mm: vec3,
  origin_lps_mm: vec3,
  direction_lps: z.array(z.number()).length(9),
  orientation: z.string().describe('three letters: where each index axis points (LPS convention, e.g. "LPS")'),
  series_instance_uid: z.string().optional(),
  series_description: z.string().optional(),
  slice_count: z.number().int().optional(),
  files_used: z.number().int().nonnegative(),
  files_ignored: z.number().int().nonnegative(),
  series_found: z.array(seriesFoundSchema).optional().describe('every DICOM image series group found, and why the chosen one was chosen and the others not'),
})

export const labelStatisticsSchema = z.object({
  value: z.number().int(),
  name: z.string(),
  voxel_count: z.number().int().nonnegative(),
  volume_mm3: z.number().nonnegative(),
  volume_ml: z.number().nonnegative(),
  bbox_index: z.object({ min: index3, max: index3 }).describe('inclusive voxel index box on the output grid'),
  bbox_mm: z.object({ min_lps: vec3, max_lps: vec3 }).describe('physical LPS box of the voxel corners'),
  centroid_lps_mm: vec3,
  sphere_equivalent_diameter_mm: z.number().nonnegative(),
  intensity_mean: z.number(),
  intensity_std_sample: z.number().nonnegative().nullable().describe('n - 1 denominator; null for a single voxel'),
  intensity_std_population: z.number().nonnegative(),
  intensity_min: z.number(),
  intensity_max: z.number(),
  intensity_median: z.number().nullable().optional().describe('NumPy "linear" percentile definition'),
  intensity_p05: z.number().nullable().optional(),
  intensity_p95: z.number().nullable().optional(),
  principal_moments_mm2: vec3.optional().describe('eigenvalues of the voxel-centre covariance, ascending (ITK ShapeLabelMapFilter)'),
  principal_axes_lps: z.tuple([vec3, vec3, vec3]).optional(),
  principal_axis_lengths_mm: vec3.optional().describe("ITK's equivalent ellipsoid diameters"),
  elongation: z.number().nonnegative().optional(),
  flatness: z.number().nonnegative().optional(),
  surface_area_mm2: z.number().nonnegative().optional().describe('exposed voxel faces x face area'),
  touches_border: z.boolean().optional(),
  voxels_on_border: z.number().int().nonnegative().optional(),
})

const codedConceptSchema = z.object({ value: z.string(), scheme: z.string(), meaning: z.string() })

export const landmarkSchema = z.object({
  name: z.string(),
  code: codedConceptSchema.optional(),
  laterality: codedConceptSchema.optional(),
  lps_mm: vec3,
  index: vec3.describe('continuous voxel index on the output grid'),
  voxel_index: index3.optional().describe('index of the output voxel that contains the point (continuous index rounded)'),
  inside_image: z.boolean(),
  intensity_trilinear: z.number().nullable().optional()
    .describe('scan value at the point (HU for CT), sampled on the input image, trilinear as ITK LinearInterpolateImageFunction; null outside the scan'),
})

const landmarkErrorSummarySchema = z.object({
  count: z.number().int().positive(),
  mean_mm: z.number().nonnegative(),
  median_mm: z.number().nonnegative(),
  max_mm: z.number().nonnegative(),
  std_population_mm: z.number().nonnegative().describe('n denominator'),
  std_sample_mm: z.number().nonnegative().nullable().describe('n - 1 denominator; null for a single pair'),
})

export const landmarkPredictionSchema = z.object({
  source: z.string().describe('the predicted landmarks file (object key)'),
  landmarks: z.array(landmarkSchema),
  errors: z.array(z.object({
    name: z.string().describe('the reference landmark'),
    matched_by: z.enum(['name', 'code']),
    reference_lps_mm: vec3,
    predicted_lps_mm: vec3,
    error_vector_mm: vec3.describe('predicted - reference, LPS'),
    error_mm: z.number().nonnegative().describe('Euclidean distance'),
  })),
  unmatched_reference: z.array(z.string()),
  unmatched_predicted: z.array(z.string()),
  summary: landmarkErrorSummarySchema.nullable().describe('over the matched pairs; null when none matched'),
}).describe('predicted landmarks against the reference landmarks (SR), matched by name, else by a code unique on both sides')

const derivedImageReportSchema = z.object({
  name: z.string(),
  output: objectRefSchema,
  steps: z.array(z.looseObject({ op: z.string() })).describe('the configured steps with their defaults filled in'),
  statistics: z
    .array(z.record(z.string(), z.union([z.number(), z.boolean()])).nullable())
    .describe('per step: the whole-image statistics it was applied with (null: none needed)'),
})

const augmentParametersSchema = z.object({
  flips: z.array(z.enum(['LR', 'AP', 'SI'])),
  rotation_deg: vec3,
  scale: z.number(),
  translation_mm: vec3,
  gamma: z.number(),
  noise_sd: z.number(),
  noise_seed: z.number().int(),
})

const augmentationReportSchema = z.object({
  seed: z.number().int(),
  copies: z.array(z.object({
    k: z.number().int().nonnegative(),
    seed: z.number().int().nonnegative().describe('31 bits of sha256("<augmentation.seed>/<case id>/<k>")'),
    parameters: augmentParametersSchema,
    image: objectRefSchema,
    labels: objectRefSchema,
  })),
})

const registrationReportSchema = z.object({
  moving: z.string().describe('the input object registered'),
  output: objectRefSchema.describe('the moving image on the output grid (float32)'),
  labels: z.object({ source: z.string(), output: objectRefSchema }).optional().describe('the moving label map carried onto the output grid (nearest neighbour)'),
  transform: z.object({
    kind: z.literal('Euler3D'),
    direction: z.literal('fixed-to-moving'),
    angles_deg: vec3,
    translation_mm: vec3,
    centre_mm: vec3,
    order: z.enum(['ZXY', 'ZYX']),
    matrix: z.array(z.number()).length(9),
  }).describe('maps output-image (fixed) points to moving-image points, LPS mm, as elastix'),
  metric: z.object({ name: z.literal('MattesMutualInformation'), bins: z.number().int(), initial: z.number(), final: z.number() })
    .describe('-MI of the output image and the moving image before (identity) and after registration'),
  seconds: z.number().nonnegative(),
})

export const reportSchema = z.object({
  schema_version: z.literal(reportSchemaVersion),
  /** waiting: loose DICOM files whose case.json has not arrived after the quiet period. */
  status: z.enum(['processed', 'failed', 'waiting']),
  dataset: z.string(),
  case_id: z.string(),
  run_id: z.string(),
  created_at: z.string(),
  pipeline: z.object({
    version: z.string(),
    config_hash: z.string(),
    code_version: z.string().optional().describe('git describe of the code, or "package-<version>" (see code_version_source)'),
    code_version_source: z.enum(['env', 'git', 'package']).optional()
      .describe('env: VOXELFLOW_CODE_VERSION set at build; git: git describe at run time; package: package.json version'),
  }),
  inputs: z.array(objectRefSchema),
  input: inputDescriptionSchema.optional(),
  output_grid: z.object({ size_voxels: index3, spacing_mm: vec3 }).optional(),
  outputs: z.object({
    image: objectRefSchema.optional(),
    labels: objectRefSchema.optional(),
    qc_png: objectRefSchema.optional(),
    report: objectRefSchema,
  }),
  label_source: z.enum(['reference', 'baseline', 'none']).optional(),
  labels: z.array(labelStatisticsSchema),
  landmarks: z.array(landmarkSchema),
  landmark_prediction: landmarkPredictionSchema.optional(),
  metrics: metricsReportJsonSchema.optional().describe('the case prediction against its reference segmentation, per label'),
  timings_ms: z.record(z.string(), z.number().nonnegative()),
  intensity: z
    .object({
      n4: z.object({
        mode: z.enum(['auto', 'on', 'off']),
        applied: z.boolean(),
        shrink_factor: z.number().int().positive().optional(),
        iterations_run: z.array(z.number().int().nonnegative()).optional(),
        convergence: z.array(z.number()).optional(),
        otsu_threshold: z.number().optional(),
        offset: z.number().optional(),
      }),
    })
    .optional()
    .describe('intensity corrections: N4 bias field (fitted on the shrunk whole image, applied per chunk; the image is then float32)'),
  chunks: z
    .object({ count: z.number().int().positive(), max_slices: z.number().int().positive(), halo_slices: z.number().int().nonnegative() })
    .optional()
    .describe('how the volume was cut into slabs along k (chunks.slices, chunks.max_mb, --no-chunks)'),
  derived_images: z.array(derivedImageReportSchema).optional()
    .describe('derived_images: float32 volumes made from the output image by intensity steps (statistics over the whole image, applied per chunk)'),
  augmentation: augmentationReportSchema.optional().describe('augmentation: seeded copies of image and labels made after assembly'),
  registration: registrationReportSchema.optional().describe('the case\'s moving image registered rigidly to the output image after assembly'),
  warnings: z.array(warningSchema),
  error: z
    .object({ kind: z.enum(['bad_input', 'internal']), message: z.string(), stage: z.string().optional() })
    .optional(),
})

export type Report = z.infer<typeof reportSchema>
export type LabelStatisticsRow = z.infer<typeof labelStatisticsSchema>
export type Landmark = z.infer<typeof landmarkSchema>
export type LandmarkPrediction = z.infer<typeof landmarkPredictionSchema>
export type InputDescription = z.infer<typeof inputDescriptionSchema>
export type SeriesFound = z.infer<typeof seriesFoundSchema>
export type Warning = z.infer<typeof warningSchema>

export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { target: 'draft-2020-12' })
}
