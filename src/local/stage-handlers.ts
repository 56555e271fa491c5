// The Lambda handler code of every stage, bound to one stage context, as the local state
// machine's task handlers. The chunk leg is given: a worker pool, or a real SQS queue.
// The stages after the chunks (assemble, analyze, report: PNG encoding, statistics, metrics)
// are imported when the first chunk is dispatched: the main thread only waits for the workers
// then, instead of loading them at start-up before prepare (serial time of every run).
import { createPrepareHandler } from '../../functions/prepare/create-handler.js'
import { createReportFailureHandler } from '../../functions/report-failure/create-handler.js'
import type { StageContext } from '../pipeline/stage-context.js'
import type { ChunkDispatch, LocalStageHandlers } from './local-state-machine.js'

export function localStageHandlers(context: StageContext, chunk: ChunkDispatch): LocalStageHandlers {
  let later: Promise<ReturnType<typeof import('./after-chunk-handlers.js').afterChunkHandlers>> | undefined
  const afterChunks = () => (later ??= import('./after-chunk-handlers.js').then((m) => m.afterChunkHandlers(context)))
  return {
    prepare: createPrepareHandler(context),
    assemble: async (event) => (await afterChunks()).assemble(event),
    analyze: async (event) => (await afterChunks()).analyze(event),
    report: async (event) => (await afterChunks()).report(event),
    reportFailure: createReportFailureHandler(context),
    chunk: (body) => {
      afterChunks().catch(() => {}) // loaded while the chunks run; a failure shows when assemble awaits it
      return chunk(body)
    },
  }
}
