// Small SQS helpers: send JSON, create a queue with a dead-letter queue, and drive a
// Lambda-shaped SQS handler from a real queue (local integration and tests).
//
// pollQueue behaves like Lambda's SQS event source mapping:
// - each receive becomes one SqsEvent (records exactly as Lambda builds them);
// - handler returns normally            -> every record is deleted;
// - handler returns { batchItemFailures } -> those records stay, the rest are deleted;
// - handler throws                       -> every record stays.
// A record that stays becomes visible again after the visibility timeout (or after
// `retryDelaySeconds` if given, via ChangeMessageVisibility), and the queue's own
// RedrivePolicy moves it to the dead-letter queue once received more than maxReceiveCount
// times. Both AWS SQS and fauxqs do that move themselves, on the receive that would exceed
// the count, so the poller has no redrive logic of its own.

import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { SqsBatchResponse, SqsEvent, SqsMessageAttribute, SqsRecord } from './sqs-event.js'

export type { SqsBatchResponse, SqsEvent, SqsRecord } from './sqs-event.js'

export interface SendJsonOptions {
  /** String message attributes. */
  attributes?: Record<string, string>
  delaySeconds?: number
  /** FIFO queues only. */
  groupId?: string
  deduplicationId?: string
}

/** Send `body` as JSON; answers the message id. */
export async function sendJson(
  client: SQSClient,
  queueUrl: string,
  body: unknown,
  options: SendJsonOptions = {},
): Promise<string> {
  const attributes = options.attributes
    ? Object.fromEntries(
        Object.entries(options.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      )
    : undefined
  const out = await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(body),
      MessageAttributes: attributes,
      DelaySeconds: options.delaySeconds,
      MessageGroupId: options.groupId,
      MessageDeduplicationId: options.deduplicationId,
    }),
  )
  if (!out.MessageId) throw new Error(`SendMessage to ${queueUrl} returned no MessageId`)
  return out.MessageId
}

export interface QueueWithDlq {
  queueUrl: string
  queueArn: string
  dlqUrl: string
  dlqArn: string
}

export interface CreateQueueOptions {
  /** Receives before a message moves to the DLQ. Default 3. */
  maxReceiveCount?: number
  /** Seconds a received message stays invisible. Default 30. */
  visibilityTimeoutSeconds?: number
  /** Default `${name}-dlq`. */
  dlqName?: string
}

/** Create (or find: CreateQueue is idempotent for equal attributes) a queue and its DLQ. */
export async function createQueueWithDlq(
  client: SQSClient,
  name: string,
  options: CreateQueueOptions = {},
): Promise<QueueWithDlq> {
  const dlqName = options.dlqName ?? `${name}-dlq`
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: dlqName, Attributes: { MessageRetentionPeriod: '1209600' } }),
  )
  if (!dlq.QueueUrl) throw new Error(`CreateQueue ${dlqName} returned no QueueUrl`)
  const dlqArn = await getQueueArn(client, dlq.QueueUrl)
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: String(options.maxReceiveCount ?? 3),
        }),
      },
    }),
  )
  if (!queue.QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`)
  return { queueUrl: queue.QueueUrl, queueArn: await getQueueArn(client, queue.QueueUrl), dlqUrl: dlq.QueueUrl, dlqArn }
}

export async function getQueueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  const arn = out.Attributes?.QueueArn
  if (!arn) throw new Error(`GetQueueAttributes ${queueUrl} returned no QueueArn`)
  return arn
}

/** The Lambda SQS event record for a received message. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SqsRecord {
  const a = message.Attributes ?? {}
  const now = String(Date.now())
  const record: SqsRecord = {
    messageId: required(message.MessageId, 'MessageId'),
    receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
    body: message.Body ?? '',
    attributes: {
      ...a,
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? now,
      SenderId: a.SenderId ?? 'unknown',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? a.SentTimestamp ?? now,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, toLambdaAttribute(value)]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  }
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes
  return record
}

export interface ReceiveOptions {
  /** 1..10, default 10 (Lambda's default batch size). */
  maxMessages?: number
  /** Long-poll seconds 0..20, default 0. */
  waitTimeSeconds?: number
  /** Override the queue's visibility timeout for these messages. */
  visibilityTimeoutSeconds?: number
}

/** One ReceiveMessage as an SqsEvent (Records may be empty). */
export async function receiveSqsEvent(
  client: SQSClient,
  queueUrl: string,
  options: ReceiveOptions & { queueArn?: string; signal?: AbortSignal } = {},
): Promise<SqsEvent> {
  const queueArn = options.queueArn ?? (await getQueueArn(client, queueUrl))
  const region = await client.config.region()
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.maxMessages ?? 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 0,
      VisibilityTimeout: options.visibilityTimeoutSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
    { abortSignal: options.signal },
  )
  return { Records: (out.Messages ?? []).map((m) => toSqsRecord(m, queueArn, region)) }
}

export type SqsHandler = (event: SqsEvent) => Promise<SqsBatchResponse | void> | SqsBatchResponse | void

export interface PollOptions extends ReceiveOptions {
  /** Stop after the first receive that returns no message. Default false. */
  stopWhenEmpty?: boolean
  /** Stop after this many non-empty batches. */
  maxBatches?: number
  signal?: AbortSignal
  /** Make failed records visible again after this many seconds instead of the queue's timeout. */
  retryDelaySeconds?: number
  /** Called when the handler throws; the batch stays on the queue either way. */
  onError?: (error: unknown, event: SqsEvent) => void
}

export interface PollStats {
  batches: number
  received: number
  deleted: number
  failed: number
  errors: unknown[]
}

/** Receive, hand each batch to `handler`, delete what succeeded; see the top of this file. */
export async function pollQueue(
  client: SQSClient,
  queueUrl: string,
  handler: SqsHandler,
  options: PollOptions = {},
): Promise<PollStats> {
  const stats: PollStats = { batches: 0, received: 0, deleted: 0, failed: 0, errors: [] }
  const queueArn = await getQueueArn(client, queueUrl)
  while (!options.signal?.aborted) {
    if (options.maxBatches !== undefined && stats.batches >= options.maxBatches) break
    let event: SqsEvent
    try {
      event = await receiveSqsEvent(client, queueUrl, { ...options, queueArn })
    } catch (error) {
      if (options.signal?.aborted) break // a long poll cut short by stop
      throw error
    }
    if (event.Records.length === 0) {
      if (options.stopWhenEmpty) break
      if (!options.waitTimeSeconds) await sleep(200, options.signal)
      continue
    }
    stats.batches++
    stats.received += event.Records.length

    let failedIds: Set<string>
    try {
      const answer = await handler(event)
      failedIds = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier))
    } catch (error) {
      stats.errors.push(error)
      options.onError?.(error, event)
      failedIds = new Set(event.Records.map((r) => r.messageId))
    }

    for (const record of event.Records) {
      if (failedIds.has(record.messageId)) {
        stats.failed++
        if (options.retryDelaySeconds !== undefined) {
          await client.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: options.retryDelaySeconds,
            }),
          )
        }
      } else {
        await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }))
        stats.deleted++
      }
    }
  }
  return stats
}

function toLambdaAttribute(value: MessageAttributeValue): SqsMessageAttribute {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
  const attribute: SqsMessageAttribute = {
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
    dataType: value.DataType ?? 'String',
  }
  if (value.StringValue !== undefined) attribute.stringValue = value.StringValue
  if (value.BinaryValue !== undefined) attribute.binaryValue = base64(value.BinaryValue)
  return attribute
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`received SQS message without ${name}`)
  return value
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
