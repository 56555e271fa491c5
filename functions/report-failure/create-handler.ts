import { reportFailure } from '../../src/pipeline/stages/report-failure.js'
import type { StageContext } from '../../src/pipeline/stage-context.js'
import { failedStateSchema } from '../../src/pipeline/state.js'

export function createReportFailureHandler(context: StageContext) {
  return async (event: unknown) => reportFailure(failedStateSchema.parse(event), context)
}
