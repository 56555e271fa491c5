// The Lambda handler code of every stage, bound to one stage context, as the local state
// machine's task handlers. The chunk leg is given: a worker pool, or a real SQS queue.
import { createAnalyzeHandler } from '../../functions/analyze/create-handler.js'
import { createAssembleHandler } from '../../functions/assemble/create-handler.js'
import { createPrepareHandler } from '../../functions/prepare/create-handler.js'
import { createReportFailureHandler } from '../../functions/report-failure/create-handler.js'
import { createReportHandler } from '../../functions/report/create-handler.js'
import type { StageContext } from '../pipeline/stage-context.js'
import type { ChunkDispatch, LocalStageHandlers } from './local-state-machine.js'

export function localStageHandlers(context: StageContext, chunk: ChunkDispatch): LocalStageHandlers {
  return {
    prepare: createPrepareHandler(context),
    assemble: createAssembleHandler(context),
    analyze: createAnalyzeHandler(context),
    report: createReportHandler(context),
    reportFailure: createReportFailureHandler(context),
    chunk,
  }
}
