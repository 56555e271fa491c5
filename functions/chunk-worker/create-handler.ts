// SQS batch -> one chunk per message -> answer the task token. A chunk that fails with bad
// input fails its task (no retry); an internal fault also answers the token so the state
// machine's Retry decides, instead of the message silently timing out.
import { errorMessage } from '../../src/pipeline/errors.js'
import { processChunk } from '../../src/pipeline/stages/process-chunk.js'
import type { StageContext } from '../../src/pipeline/stage-context.js'
import { chunkMessageSchema } from '../../src/pipeline/state.js'
import type { TaskCallbacks } from '../../src/pipeline/task-callbacks.js'
import { sqsEventSchema } from '../../src/aws/sqs-event.js'

export function createChunkWorkerHandler(context: StageContext, callbacks: TaskCallbacks) {
  return async (event: unknown) => {
    for (const record of sqsEventSchema.parse(event).Records) {
      const message = chunkMessageSchema.parse(JSON.parse(record.body))
      try {
        const result = await processChunk(message, context)
        await callbacks.succeed(message.taskToken, result)
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error'
        await callbacks.fail(message.taskToken, name, errorMessage(error).slice(0, 32_000))
      }
    }
  }
}
