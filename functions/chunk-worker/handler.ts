// Lambda entry point of the chunk worker: chunk queue messages carrying Step Functions task tokens.
import middy from '@middy/core'
import { stageObservability } from '../../src/observability/stage-observability.js'
import { cloudStageContext, stepFunctionsTaskCallbacks } from '../../src/aws/cloud-context.js'
import { createChunkWorkerHandler } from './create-handler.js'

export const handler = middy().use(stageObservability('chunk-worker').middlewares).handler(createChunkWorkerHandler(cloudStageContext(), stepFunctionsTaskCallbacks()))
