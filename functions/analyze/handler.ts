// Lambda entry point of the "analyze" stage: thin wiring, the work is in src/pipeline/stages.
import middy from '@middy/core'
import { stageObservability } from '../../src/observability/stage-observability.js'
import { cloudStageContext } from '../../src/aws/cloud-context.js'
import { createAnalyzeHandler } from './create-handler.js'

export const handler = middy().use(stageObservability('analyze').middlewares).handler(createAnalyzeHandler(cloudStageContext()))
