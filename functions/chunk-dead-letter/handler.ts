// Lambda entry point of the chunk dead-letter queue: fail the task tokens of dead-lettered chunks.
import middy from '@middy/core'
import { stageObservability } from '../../src/observability/stage-observability.js'
import { stepFunctionsTaskCallbacks } from '../../src/aws/cloud-context.js'
import { createChunkDeadLetterHandler } from './create-handler.js'

export const handler = middy().use(stageObservability('chunk-dead-letter').middlewares).handler(createChunkDeadLetterHandler(stepFunctionsTaskCallbacks()))
