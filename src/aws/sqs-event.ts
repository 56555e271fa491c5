// The event Lambda's SQS event source mapping hands a handler, as a zod schema (types are
// inferred from it). sqs-queue.ts builds exactly this shape from received messages so the
// unchanged handlers can run against a local SQS.

import { z } from 'zod'

export const sqsMessageAttributeSchema = z.object({
  stringValue: z.string().optional(),
  /** base64 in the Lambda event */
  binaryValue: z.string().optional(),
  stringListValues: z.array(z.string()).optional(),
  binaryListValues: z.array(z.string()).optional(),
  dataType: z.string(),
})

export const sqsRecordSchema = z.object({
  messageId: z.string(),
  receiptHandle: z.string(),
  body: z.string(),
  attributes: z
    .object({
      ApproximateReceiveCount: z.string(),
      SentTimestamp: z.string(),
      SenderId: z.string(),
      ApproximateFirstReceiveTimestamp: z.string(),
      AWSTraceHeader: z.string().optional(),
      SequenceNumber: z.string().optional(),
      MessageGroupId: z.string().optional(),
      MessageDeduplicationId: z.string().optional(),
      DeadLetterQueueSourceArn: z.string().optional(),
    })
    .catchall(z.string()),
  messageAttributes: z.record(z.string(), sqsMessageAttributeSchema),
  md5OfMessageAttributes: z.string().nullable().optional(),
  md5OfBody: z.string(),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string(),
})

export const sqsEventSchema = z.object({ Records: z.array(sqsRecordSchema) })

/** What a handler with ReportBatchItemFailures answers: the records to retry. */
export const sqsBatchResponseSchema = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })),
})

export type SqsMessageAttribute = z.infer<typeof sqsMessageAttributeSchema>
export type SqsRecord = z.infer<typeof sqsRecordSchema>
export type SqsEvent = z.infer<typeof sqsEventSchema>
export type SqsBatchResponse = z.infer<typeof sqsBatchResponseSchema>
