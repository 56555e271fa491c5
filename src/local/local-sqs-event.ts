// The SQS event Lambda would receive for one message, built locally so the chunk-worker
// handler runs unchanged.
import { createHash, randomUUID } from 'node:crypto'
import type { SqsEvent } from '../aws/sqs-event.js'

export function localSqsEvent(body: string, queueArn = 'arn:aws:sqs:us-east-1:000000000000:voxelflow-chunks'): SqsEvent {
  const now = String(Date.now())
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'local', ApproximateFirstReceiveTimestamp: now },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: 'us-east-1',
      },
    ],
  }
}
