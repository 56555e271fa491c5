// The scheduled sweep: loose DICOM folders quiet for QUIET_PERIOD_SECONDS get a "waiting for
// manifest" report. The work is src/pipeline/sweep-waiting-cases.ts.
import { scheduledEventSchema } from '../../src/pipeline/scheduled-event.js'
import { type SweepOptions, sweepWaitingCases } from '../../src/pipeline/sweep-waiting-cases.js'

export function createSweepWaitingHandler(options: Omit<SweepOptions, 'now'>) {
  return async (event: unknown) => {
    const scheduled = scheduledEventSchema.parse(event)
    const summary = await sweepWaitingCases({ ...options, now: new Date(scheduled.time) })
    return { reported: summary.reported.length, quiet: summary.quiet.length }
  }
}
