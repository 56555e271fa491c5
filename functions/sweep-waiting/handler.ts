// Lambda entry point of the waiting-for-manifest sweep (an EventBridge schedule).
import middy from '@middy/core'
import { stageObservability } from '../../src/observability/stage-observability.js'
import { cloudStageContext, requiredEnv } from '../../src/aws/cloud-context.js'
import { createSweepWaitingHandler } from './create-handler.js'

export const handler = middy()
  .use(stageObservability('sweep-waiting').middlewares)
  .handler(
    createSweepWaitingHandler({
      stores: cloudStageContext().stores,
      inputBucket: requiredEnv('INPUT_BUCKET'),
      workBucket: requiredEnv('WORK_BUCKET'),
      outputBucket: requiredEnv('OUTPUT_BUCKET'),
      prefix: '',
      quietPeriodSeconds: Number(requiredEnv('QUIET_PERIOD_SECONDS')),
    }),
  )
