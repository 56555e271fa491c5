// "Case Processed" / "Case Failed": what downstream consumers receive on EventBridge once a
// case's report (the commit point) is written. Pointers only, no patient data.
import { z } from 'zod'

export const caseEventSource = 'voxelflow'

export const caseEventDetailTypes = { processed: 'Case Processed', failed: 'Case Failed' } as const

export const caseEventDetailSchema = z.strictObject({
  status: z.enum(['processed', 'failed']),
  dataset: z.string(),
  case_id: z.string(),
  run_id: z.string(),
  config_hash: z.string(),
  /** Where report.json is. */
  report: z.strictObject({ bucket: z.string(), key: z.string() }),
  /** The error name of a failed case (its report has the message). */
  error: z.string().optional(),
})

export type CaseEventDetail = z.infer<typeof caseEventDetailSchema>

/** An EventBridge PutEvents entry, as the state machine's putEvents task sends it. */
export const caseEventEntrySchema = z.object({
  Source: z.literal(caseEventSource),
  DetailType: z.enum([caseEventDetailTypes.processed, caseEventDetailTypes.failed]),
  EventBusName: z.string(),
  Detail: caseEventDetailSchema,
})

export type CaseEventEntry = z.infer<typeof caseEventEntrySchema>
