// Lambda entry point of ingest: S3 upload notifications (through SQS) -> one execution per complete case.
import middy from '@middy/core'
import { stageObservability } from '../../src/observability/stage-observability.js'
import { cloudStageContext, deploymentConfig, requiredEnv, stepFunctionsStarter } from '../../src/aws/cloud-context.js'
import { createIngestHandler } from './create-handler.js'

const { logger, middlewares } = stageObservability('ingest')
const deps = {
  stores: cloudStageContext().stores,
  workBucket: requiredEnv('WORK_BUCKET'),
  outputBucket: requiredEnv('OUTPUT_BUCKET'),
  starter: stepFunctionsStarter(requiredEnv('STATE_MACHINE_ARN')),
  config: deploymentConfig(),
}

export const handler = middy()
  .use(middlewares)
  .handler(createIngestHandler(deps, (entry) => logger.info('ingest', entry)))
