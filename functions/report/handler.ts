// Lambda entry point of the "report" stage: thin wiring, the work is in src/pipeline/stages.
import middy from '@middy/core'
import { cloudStageContext } from '../../src/aws/cloud-context.js'
import { createReportHandler } from './create-handler.js'

export const handler = middy().handler(createReportHandler(cloudStageContext()))
