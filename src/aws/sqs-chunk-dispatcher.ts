// The chunk task's SQS leg for runs against an SQS-compatible server: send the message the
// state machine's sqs:sendMessage.waitForTaskToken task sends, and wait for its token.
import type { SQSClient } from '@aws-sdk/client-sqs'
import type { TaskTokenRegistry } from '../local/task-token-registry.js'
import { sendJson } from './sqs-queue.js'

export function sqsChunkDispatcher(client: SQSClient, queueUrl: string, tokens: TaskTokenRegistry) {
  return async (message: Record<string, unknown> & { taskToken: string }): Promise<unknown> => {
    const answered = tokens.wait(message.taskToken)
    await sendJson(client, queueUrl, message)
    return answered
  }
}
