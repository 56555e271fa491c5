import { assemble } from '../../src/pipeline/stages/assemble.js'
import type { StageContext } from '../../src/pipeline/stage-context.js'
import { afterChunksSchema } from '../../src/pipeline/state.js'

export function createAssembleHandler(context: StageContext) {
  return async (event: unknown) => assemble(afterChunksSchema.parse(event), context)
}
