// Lambda entry point of reprocess: the EventBridge schedule (or a manual invoke) -> executions.
import middy from '@middy/core'
import { stageObservability } from '../../src/observability/stage-observability.js'
import { cloudIngestDependencies, requiredEnv } from '../../src/aws/cloud-context.js'
import { createReprocessHandler } from './create-handler.js'

export const handler = middy()
  .use(stageObservability('reprocess').middlewares)
  .handler(
    createReprocessHandler({
      deps: cloudIngestDependencies(),
      inputBucket: requiredEnv('INPUT_BUCKET'),
      scheduledPrefix: process.env.REPROCESS_PREFIX,
      maxStartsPerSecond: Number(process.env.REPROCESS_MAX_STARTS_PER_SECOND) || undefined,
    }),
  )
