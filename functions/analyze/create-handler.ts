import { analyze } from '../../src/pipeline/stages/analyze.js'
import type { StageContext } from '../../src/pipeline/stage-context.js'
import { afterAssembleSchema } from '../../src/pipeline/state.js'

export function createAnalyzeHandler(context: StageContext) {
  return async (event: unknown) => analyze(afterAssembleSchema.parse(event), context)
}
