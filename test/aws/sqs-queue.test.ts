import { createHash } from 'node:crypto'
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqsClient } from '../../src/aws/clients.js'
import { decodeS3Key, parseS3NotificationBody, s3Event, s3PutEventRecord } from '../../src/aws/s3-event.js'
import { sqsEventSchema, type SqsEvent } from '../../src/aws/sqs-event.js'
import { createQueueWithDlq, pollQueue, receiveSqsEvent, sendJson } from '../../src/aws/sqs-queue.js'
import { startLocalSqs, type LocalSqs } from '../support/local-sqs.js'

let sqs: LocalSqs
let client: SQSClient
let counter = 0
const freshName = (base: string) => `${base}-${Date.now().toString(36)}-${counter++}`

beforeAll(async () => {
  sqs = await startLocalSqs()
  client = createSqsClient({ endpoint: sqs.endpoint })
})

afterAll(async () => {
  client?.destroy()
  await sqs?.stop()
})

async function depth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
  }
}

describe('SQS helpers against fauxqs', () => {
  it('endpoint is loopback with a random port', () => {
    expect(sqs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sqs.endpoint).not.toMatch(/:4566$/)
  })

  it('creates a queue with a redrive policy to its DLQ', async () => {
    const name = freshName('ingest')
    const q = await createQueueWithDlq(client, name, { maxReceiveCount: 4, visibilityTimeoutSeconds: 45 })
    expect(q.queueArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${name}`)
    expect(q.dlqArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${name}-dlq`)
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl: q.queueUrl, AttributeNames: ['All'] }))
    expect(attrs.Attributes?.VisibilityTimeout).toBe('45')
    expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: q.dlqArn,
      maxReceiveCount: '4',
    })
  })

  it('sends JSON and receives it as a Lambda-shaped SQS event', async () => {
    const q = await createQueueWithDlq(client, freshName('shape'))
    const body = { bucket: 'in', key: 'cases/c1/.complete', n: 3 }
    const messageId = await sendJson(client, q.queueUrl, body, { attributes: { caseId: 'c1' } })

    const event = await receiveSqsEvent(client, q.queueUrl)
    expect(sqsEventSchema.parse(event)).toEqual(event)
    expect(event.Records).toHaveLength(1)
    const [record] = event.Records
    const text = JSON.stringify(body)
    expect(record).toMatchObject({
      messageId,
      body: text,
      md5OfBody: createHash('md5').update(text).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: q.queueArn,
      awsRegion: 'us-east-1',
      messageAttributes: {
        caseId: { stringValue: 'c1', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
    })
    expect(record.receiptHandle).toEqual(expect.any(String))
    expect(record.attributes.ApproximateReceiveCount).toBe('1')
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000)
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record.attributes.SentTimestamp),
    )
  })

  it('pollQueue deletes what the handler accepted', async () => {
    const q = await createQueueWithDlq(client, freshName('ok'))
    for (let i = 0; i < 13; i++) await sendJson(client, q.queueUrl, { i })
    const seen: number[] = []
    const stats = await pollQueue(
      client,
      q.queueUrl,
      (event) => {
        for (const r of event.Records) seen.push(JSON.parse(r.body).i)
      },
      { stopWhenEmpty: true },
    )
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 13 }, (_, i) => i))
    expect(stats).toMatchObject({ received: 13, deleted: 13, failed: 0 })
    expect(stats.batches).toBeGreaterThanOrEqual(2) // at most 10 per batch
    expect(await depth(q.queueUrl)).toEqual({ visible: 0, inFlight: 0 })
  })

  it('a throwing handler leaves the message on the queue', async () => {
    const q = await createQueueWithDlq(client, freshName('fail'), { visibilityTimeoutSeconds: 30 })
    await sendJson(client, q.queueUrl, { case: 'bad' })
    const stats = await pollQueue(
      client,
      q.queueUrl,
      () => {
        throw new Error('series has gaps')
      },
      { maxBatches: 1 },
    )
    expect(stats).toMatchObject({ batches: 1, received: 1, deleted: 0, failed: 1 })
    expect((stats.errors[0] as Error).message).toBe('series has gaps')
    // Still there, invisible until the visibility timeout ends.
    expect(await depth(q.queueUrl)).toEqual({ visible: 0, inFlight: 1 })
    expect((await receiveSqsEvent(client, q.queueUrl)).Records).toHaveLength(0)
  })

  it('batchItemFailures keeps only the failed records', async () => {
    const q = await createQueueWithDlq(client, freshName('partial'))
    await sendJson(client, q.queueUrl, { ok: true })
    await sendJson(client, q.queueUrl, { ok: false })
    let retried: SqsEvent | undefined
    const stats = await pollQueue(
      client,
      q.queueUrl,
      (event) => {
        if (event.Records.some((r) => r.attributes.ApproximateReceiveCount === '2')) {
          retried = event
          return
        }
        return {
          batchItemFailures: event.Records.filter((r) => !JSON.parse(r.body).ok).map((r) => ({
            itemIdentifier: r.messageId,
          })),
        }
      },
      { stopWhenEmpty: true, retryDelaySeconds: 0, maxMessages: 10 },
    )
    expect(stats.received).toBe(3) // 2 + the retried one
    expect(stats.deleted).toBe(2) // the ok one at once, the failed one on its retry
    expect(retried?.Records.map((r) => JSON.parse(r.body))).toEqual([{ ok: false }])
    expect(await depth(q.queueUrl)).toEqual({ visible: 0, inFlight: 0 })
  })

  it('after maxReceiveCount failures the message lands in the DLQ (fauxqs redrives natively)', async () => {
    const q = await createQueueWithDlq(client, freshName('redrive'), { maxReceiveCount: 2 })
    const messageId = await sendJson(client, q.queueUrl, { case: 'poison' })
    const counts: string[] = []
    const stats = await pollQueue(
      client,
      q.queueUrl,
      (event) => {
        counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount))
        throw new Error('always fails')
      },
      { stopWhenEmpty: true, retryDelaySeconds: 0 },
    )
    expect(counts).toEqual(['1', '2'])
    expect(stats).toMatchObject({ received: 2, failed: 2, deleted: 0 })
    expect(await depth(q.queueUrl)).toEqual({ visible: 0, inFlight: 0 })

    const dead = await receiveSqsEvent(client, q.dlqUrl)
    expect(dead.Records).toHaveLength(1)
    expect(dead.Records[0].messageId).toBe(messageId)
    expect(JSON.parse(dead.Records[0].body)).toEqual({ case: 'poison' })
    expect(dead.Records[0].eventSourceARN).toBe(q.dlqArn)
  })

  it('an S3 event notification published to the queue reaches the handler intact', async () => {
    const q = await createQueueWithDlq(client, freshName('s3events'))
    const key = 'pelvis/case 01/CT+SEG (v2).dcm'
    await sendJson(client, q.queueUrl, s3Event(s3PutEventRecord('vf-input', key, 5_242_880, 'd41d8cd98f00b204e9800998ecf8427e')))
    const keys: string[] = []
    await pollQueue(
      client,
      q.queueUrl,
      (event) => {
        for (const r of event.Records) {
          const n = parseS3NotificationBody(r.body)
          if (n.kind === 'records') keys.push(...n.event.Records.map((x) => `${x.s3.bucket.name}/${decodeS3Key(x.s3.object.key)}`))
        }
      },
      { stopWhenEmpty: true },
    )
    expect(keys).toEqual([`vf-input/${key}`])
  })

  it('runs as a long-polling worker until its signal aborts, even mid-poll', async () => {
    const q = await createQueueWithDlq(client, freshName('worker'))
    const stop = new AbortController()
    const got: unknown[] = []
    const worker = pollQueue(client, q.queueUrl, (event) => {
      got.push(...event.Records.map((r) => JSON.parse(r.body)))
    }, { waitTimeSeconds: 5, signal: stop.signal })
    await sendJson(client, q.queueUrl, { n: 1 })
    await sendJson(client, q.queueUrl, { n: 2 })
    while (got.length < 2) await new Promise((resolve) => setTimeout(resolve, 20))
    const stopping = Date.now()
    stop.abort() // the worker is now inside a 5 s long poll
    const stats = await worker
    expect(Date.now() - stopping).toBeLessThan(1000)
    expect(stats.deleted).toBe(2)
    expect(got).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]))
  })

  it('long polling returns when a message arrives', async () => {
    const q = await createQueueWithDlq(client, freshName('longpoll'))
    const started = Date.now()
    setTimeout(() => void sendJson(client, q.queueUrl, { late: true }), 300)
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: q.queueUrl, WaitTimeSeconds: 5 }))
    expect(out.Messages).toHaveLength(1)
    expect(Date.now() - started).toBeLessThan(4000)
  })
})
