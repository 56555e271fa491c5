// Lambda entry point of reprocess: the EventBridge schedule (or a manual invoke) -> executions.
import middy from '@middy/core'
import { cloudStageContext, deploymentConfig, requiredEnv, stepFunctionsStarter } from '../../src/aws/cloud-context.js'
import { createReprocessHandler } from './create-handler.js'

export const handler = middy().handler(
  createReprocessHandler({
    deps: {
      stores: cloudStageContext().stores,
      workBucket: requiredEnv('WORK_BUCKET'),
      outputBucket: requiredEnv('OUTPUT_BUCKET'),
      starter: stepFunctionsStarter(requiredEnv('STATE_MACHINE_ARN')),
      config: deploymentConfig(),
    },
    inputBucket: requiredEnv('INPUT_BUCKET'),
    scheduledPrefix: process.env.REPROCESS_PREFIX,
    maxStartsPerSecond: process.env.REPROCESS_MAX_STARTS_PER_SECOND ? Number(process.env.REPROCESS_MAX_STARTS_PER_SECOND) : undefined,
  }),
)
