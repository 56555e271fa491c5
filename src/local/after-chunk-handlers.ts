// The handlers of the stages that run after the chunks, in a module of their own so that the
// local runtime loads them while the chunks run (stage-handlers.ts) instead of before prepare.
import { createAnalyzeHandler } from '../../functions/analyze/create-handler.js'
import { createAssembleHandler } from '../../functions/assemble/create-handler.js'
import { createReportHandler } from '../../functions/report/create-handler.js'
import type { StageContext } from '../pipeline/stage-context.js'

export function afterChunkHandlers(context: StageContext) {
  return {
    assemble: createAssembleHandler(context),
    analyze: createAnalyzeHandler(context),
    report: createReportHandler(context),
  }
}
