// Chunk dead-letter queue -> fail the chunk's task token. A chunk message that killed its worker
// on every receive (out of memory, timeout, a crash) lands here; without an answer the Map would
// wait for the chunk task's timeout and its retries. Failing the token at once sends the case
// down Catch -> ReportFailure (a failure report and a "Case Failed" event) within seconds.
import { sqsEventSchema } from '../../src/aws/sqs-event.js'
import { chunkMessageSchema } from '../../src/pipeline/state.js'
import type { TaskCallbacks } from '../../src/pipeline/task-callbacks.js'

export const chunkDeadLetteredError = 'ChunkDeadLettered'

export function createChunkDeadLetterHandler(callbacks: TaskCallbacks) {
  return async (event: unknown) => {
    const failed: string[] = []
    for (const record of sqsEventSchema.parse(event).Records) {
      const parsed = chunkMessageSchema.safeParse(JSON.parse(record.body))
      // Not a chunk message: nothing to answer; it stays visible in the DLQ (and its alarm).
      if (!parsed.success) {
        failed.push(record.messageId)
        continue
      }
      const { taskToken, chunk, case: caseRef } = parsed.data
      const receives = record.attributes.ApproximateReceiveCount
      await callbacks.fail(
        taskToken,
        chunkDeadLetteredError,
        `chunk ${chunk.index} of case ${caseRef.caseId} failed every delivery (${receives} receive(s) in the dead-letter queue) and was dead-lettered; its worker never answered`,
      )
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) }
  }
}
