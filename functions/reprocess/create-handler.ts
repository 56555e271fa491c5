// Reprocess a dataset prefix: on the schedule (the prefix configured with it) or invoked by
// hand with { "prefix": "pelvis/" }. The work is src/pipeline/reprocess.ts.
import { z } from 'zod'
import type { IngestDependencies } from '../../src/pipeline/ingest.js'
import { reprocessPrefix } from '../../src/pipeline/reprocess.js'
import { scheduledEventSchema } from '../../src/pipeline/scheduled-event.js'

export const manualReprocessEventSchema = z.strictObject({ prefix: z.string() })

export interface ReprocessHandlerDependencies {
  deps: IngestDependencies
  inputBucket: string
  /** The prefix a scheduled run reprocesses. */
  scheduledPrefix?: string
  maxStartsPerSecond?: number
}

export function createReprocessHandler(options: ReprocessHandlerDependencies) {
  return async (event: unknown) => {
    const scheduled = scheduledEventSchema.safeParse(event)
    const prefix = scheduled.success ? options.scheduledPrefix : manualReprocessEventSchema.parse(event).prefix
    if (prefix === undefined) throw new Error('a scheduled reprocess needs REPROCESS_PREFIX')
    const summary = await reprocessPrefix({
      inputBucket: options.inputBucket,
      prefix,
      deps: options.deps,
      maxStartsPerSecond: options.maxStartsPerSecond,
    })
    return {
      prefix,
      started: summary.started.length,
      skipped: summary.skipped.length,
      duplicate: summary.duplicate.length,
      waiting: summary.waiting.length,
    }
  }
}
