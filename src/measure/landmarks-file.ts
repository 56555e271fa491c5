// The landmarks JSON format: what `--prediction-landmarks` / `prediction_landmarks` read and what
// `sr2json` writes. Points are in DICOM patient coordinates (LPS, mm), like SR SCOORD3D.
//
//   { "landmarks": [ { "name": "femoral head centre left",
//                      "code": { "value": "2812003", "scheme": "SCT", "meaning": "Femoral head" },
//                      "lps_mm": [12.5, -30.1, 40.0] } ] }
import { z } from 'zod'
import { BadInputError } from '../pipeline/errors.js'

export const codedConceptSchema = z.strictObject({
  value: z.string().min(1),
  scheme: z.string().min(1),
  meaning: z.string(),
})

export const landmarkPointSchema = z.strictObject({
  name: z.string().min(1).max(256),
  code: codedConceptSchema.optional().describe('the finding code (e.g. SCT 2812003 "Femoral head")'),
  laterality: codedConceptSchema.optional(),
  lps_mm: z.tuple([z.number(), z.number(), z.number()]).describe('DICOM patient coordinates (LPS), mm'),
})

export const landmarksFileSchema = z.strictObject({
  landmarks: z.array(landmarkPointSchema).max(100_000),
  /** Where the points came from (a file name, a model name), free text. */
  source: z.string().optional(),
  frame_of_reference_uid: z.string().optional(),
})

export type LandmarkPoint = z.infer<typeof landmarkPointSchema>
export type LandmarksFile = z.infer<typeof landmarksFileSchema>

/** Parse a landmarks JSON text; errors name the file and the first offending field. */
export function parseLandmarksFile(text: string, file: string): LandmarksFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new BadInputError(`landmarks file is not JSON: ${error instanceof Error ? error.message : String(error)}`, { file })
  }
  const parsed = landmarksFileSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const field = issue.path.join('.') || '(root)'
  throw new BadInputError(`invalid landmarks file: ${field}: ${issue.message}`, { file, field })
}
