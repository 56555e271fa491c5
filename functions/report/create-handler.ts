import { writeReport } from '../../src/pipeline/stages/report.js'
import type { StageContext } from '../../src/pipeline/stage-context.js'
import { afterAnalyzeSchema } from '../../src/pipeline/state.js'

export function createReportHandler(context: StageContext) {
  return async (event: unknown) => writeReport(afterAnalyzeSchema.parse(event), context)
}
