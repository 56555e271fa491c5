// What travels through the state machine: pointers and small JSON only (Step Functions caps
// a payload at 256 KiB). Every shape is a zod schema; types are inferred from them.
import { z } from 'zod'
import { pipelineConfigSchema } from './config.js'

export const objectPointerSchema = z.object({ bucket: z.string().min(1), key: z.string().min(1) })
export type ObjectPointer = z.infer<typeof objectPointerSchema>

/** One input object of a case, as listed when the case was found complete. */
export const caseObjectSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  etag: z.string(),
  /**
   * "labels" marks a reference segmentation given as NIfTI, "prediction" a segmentation to be
   * evaluated against it; "reference_landmarks" and "prediction_landmarks" are landmarks JSON
   * (src/measure/landmarks-file.ts): reference points besides the SR's, and points to compare
   * with them; "moving" an image to register to the case's output image (registration-stage.ts),
   * "moving_labels" a label map in that image's space, to follow it;
   * everything else is classified by content.
   */
  role: z.enum(['auto', 'labels', 'prediction', 'reference_landmarks', 'prediction_landmarks', 'moving', 'moving_labels']).default('auto'),
})
export type CaseObject = z.infer<typeof caseObjectSchema>

/** The case manifest the ingest step writes to the work bucket; the state holds a pointer to it. */
export const caseManifestSchema = z.object({
  dataset: z.string(),
  case_id: z.string().min(1),
  objects: z.array(caseObjectSchema).min(1),
  config: pipelineConfigSchema,
})
export type CaseManifest = z.infer<typeof caseManifestSchema>

export const caseRefSchema = z.object({
  dataset: z.string(),
  caseId: z.string().min(1),
  manifest: objectPointerSchema,
})
export type CaseRef = z.infer<typeof caseRefSchema>

export const runRefSchema = z.object({
  runId: z.string().min(1),
  configHash: z.string().min(1),
  workBucket: z.string().min(1),
  /** Prefix of this run's intermediate objects, ending in "/". */
  workPrefix: z.string(),
  outputBucket: z.string().min(1),
  /** Prefix of the case's outputs, ending in "/". */
  outputPrefix: z.string(),
  startedAt: z.string(),
})
export type RunRef = z.infer<typeof runRefSchema>

export const executionInputSchema = z.object({ case: caseRefSchema, run: runRefSchema })
export type ExecutionInput = z.infer<typeof executionInputSchema>

/** Where a chunk's labels come from: the carried reference, the baseline segmentation, or nowhere. */
export const labelSourceSchema = z.enum(['reference', 'baseline', 'none'])
export type LabelSource = z.infer<typeof labelSourceSchema>

export const chunkRefSchema = z.object({
  index: z.number().int().nonnegative(),
  labelSource: labelSourceSchema,
  /** Output slices [k0, k1) this chunk owns. */
  k0: z.number().int().nonnegative(),
  k1: z.number().int().positive(),
  /** Slices of context before and after, included in the chunk's input image. */
  haloBefore: z.number().int().nonnegative(),
  haloAfter: z.number().int().nonnegative(),
  imageKey: z.string(),
  labelsKey: z.string().optional(),
  /**
   * When present the chunk resamples its own slices (halo included) from input slices [z0, z1)
   * stored at `key` (src/filters/resample-slab.ts), and writes its image to `imageKey`.
   */
  source: z.object({ key: z.string(), z0: z.number().int().nonnegative(), z1: z.number().int().positive() }).optional(),
  /** The N4 field fitted on the whole image (src/filters/n4-two-phase.ts), applied to this chunk. */
  n4FieldKey: z.string().optional(),
  /** Slices of the whole output volume (absent in older plans: read from the case facts). */
  outputSlices: z.number().int().positive().optional(),
})
export type ChunkRef = z.infer<typeof chunkRefSchema>

export const preparedSchema = z.object({
  chunks: z.array(chunkRefSchema).min(1),
  /** Small facts prepare learned (input description, warnings), stored as an object. */
  facts: objectPointerSchema,
  labelSource: labelSourceSchema,
  ms: z.number(),
})
export type Prepared = z.infer<typeof preparedSchema>

export const chunkMessageSchema = z.object({
  taskToken: z.string().min(1),
  chunk: chunkRefSchema,
  case: caseRefSchema,
  run: runRefSchema,
})
export type ChunkMessage = z.infer<typeof chunkMessageSchema>

export const chunkResultSchema = z.object({
  index: z.number().int().nonnegative(),
  imageKey: z.string(),
  labelsKey: z.string(),
  partialsKey: z.string(),
  /**
   * With segmentation.min_component_ml: the slab's components (src/filters/connected-components.ts);
   * labelsKey and partialsKey then hold local component labels, which assemble merges.
   */
  componentsKey: z.string().optional(),
  /** The chunk's slices of the output volumes as gzip members (src/pipeline/output-parts.ts). */
  outputParts: z.object({ image: z.string(), labels: z.string().optional() }).optional(),
  /** Shape partials of the chunk's slices but its first and last (src/pipeline/chunk-shape.ts). */
  shapeKey: z.string().optional(),
  ms: z.number(),
})
export type ChunkResult = z.infer<typeof chunkResultSchema>

export const assembledSchema = z.object({
  image: objectPointerSchema,
  labels: objectPointerSchema,
  qc: objectPointerSchema,
  statistics: objectPointerSchema,
  /** Shape and percentile partials of the whole label map. */
  shape: objectPointerSchema,
  ms: z.number(),
})
export type Assembled = z.infer<typeof assembledSchema>

export const analyzedSchema = z.object({
  analysis: objectPointerSchema,
  ms: z.number(),
})
export type Analyzed = z.infer<typeof analyzedSchema>

export const afterPrepareSchema = executionInputSchema.extend({ prepared: preparedSchema })
export const afterChunksSchema = afterPrepareSchema.extend({ chunkResults: z.array(chunkResultSchema) })
export const afterAssembleSchema = afterChunksSchema.extend({ assembled: assembledSchema })
export const afterAnalyzeSchema = afterAssembleSchema.extend({ analyzed: analyzedSchema })

/** What Catch hands to the failure reporter: whatever state existed, plus the error. */
export const failedStateSchema = executionInputSchema.extend({
  error: z.object({ Error: z.string().optional(), Cause: z.unknown().optional() }),
}).passthrough()
