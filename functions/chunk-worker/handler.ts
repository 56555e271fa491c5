// Lambda entry point of the chunk worker: chunk queue messages carrying Step Functions task tokens.
import middy from '@middy/core'
import { cloudStageContext, stepFunctionsTaskCallbacks } from '../../src/aws/cloud-context.js'
import { createChunkWorkerHandler } from './create-handler.js'

export const handler = middy().handler(createChunkWorkerHandler(cloudStageContext(), stepFunctionsTaskCallbacks()))
