import { prepare } from '../../src/pipeline/stages/prepare.js'
import type { StageContext } from '../../src/pipeline/stage-context.js'
import { executionInputSchema } from '../../src/pipeline/state.js'

export function createPrepareHandler(context: StageContext) {
  return async (event: unknown) => prepare(executionInputSchema.parse(event), context)
}
