// S3 event notifications: the JSON S3 puts in the SQS message body when a bucket notifies a
// queue directly. s3rver sends no notifications, so tests build this shape with
// s3PutEventRecord and send it to the queue themselves.
//
// Facts the parser is written around:
// - Body is { "Records": [ ... ] }, normally one record per message. eventVersion is "2.1"
//   for ObjectCreated in older docs, "2.2"/"2.3" for some event kinds, and "2.4"+ once S3
//   unified versions: accept any "2.x".
// - s3.object.key is URL-encoded in form style: a space arrives as "+", "/" stays "/",
//   other reserved characters as %XX. Always decode with decodeS3Key before using it.
// - s3.object.size and eTag are present for ObjectCreated:*, absent for ObjectRemoved:*.
//   eTag has no quotes. versionId only on versioned buckets. sequencer is hex of varying
//   length: compare with compareSequencers, never as plain strings.
// - When a notification is first configured S3 sends a test message with no Records:
//   { "Service": "Amazon S3", "Event": "s3:TestEvent", "Time", "Bucket", "RequestId", "HostId" }.
//   Consumers must accept and drop it (parseS3NotificationBody answers kind 'test').
// - Delivery is at least once and unordered; the same object may be reported twice.
// - Via SNS the S3 JSON is a string in the SNS envelope's "Message"; via EventBridge the
//   shape is entirely different (detail-type "Object Created"). Neither is handled here.

import { randomBytes } from 'node:crypto'
import { z } from 'zod'

export const s3EventRecordSchema = z.object({
  eventVersion: z.string().regex(/^2\.\d+$/),
  eventSource: z.literal('aws:s3'),
  awsRegion: z.string(),
  eventTime: z.string(),
  eventName: z.string(),
  userIdentity: z.object({ principalId: z.string() }).optional(),
  requestParameters: z.object({ sourceIPAddress: z.string() }).optional(),
  responseElements: z.record(z.string(), z.string()).optional(),
  s3: z.object({
    s3SchemaVersion: z.string(),
    configurationId: z.string().optional(),
    bucket: z.object({
      name: z.string().min(1),
      ownerIdentity: z.object({ principalId: z.string() }).optional(),
      arn: z.string(),
    }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
})

export const s3EventSchema = z.object({ Records: z.array(s3EventRecordSchema) })

export const s3TestEventSchema = z.object({
  Service: z.literal('Amazon S3'),
  Event: z.literal('s3:TestEvent'),
  Time: z.string().optional(),
  Bucket: z.string().optional(),
  RequestId: z.string().optional(),
  HostId: z.string().optional(),
})

export type S3EventRecord = z.infer<typeof s3EventRecordSchema>
export type S3Event = z.infer<typeof s3EventSchema>
export type S3TestEvent = z.infer<typeof s3TestEventSchema>

export type S3Notification = { kind: 'records'; event: S3Event } | { kind: 'test'; event: S3TestEvent }

/**
 * Parse an SQS message body that S3 sent. Throws an Error naming the problem when the body
 * is neither an S3 event nor S3's test message.
 */
export function parseS3NotificationBody(body: string): S3Notification {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (error) {
    throw new Error(`S3 notification body is not JSON: ${body.slice(0, 120)}`, { cause: error })
  }
  const test = s3TestEventSchema.safeParse(json)
  if (test.success) return { kind: 'test', event: test.data }
  const parsed = s3EventSchema.safeParse(json)
  if (!parsed.success) {
    throw new Error(`not an S3 event notification: ${z.prettifyError(parsed.error)}`, { cause: parsed.error })
  }
  return { kind: 'records', event: parsed.data }
}

/** Object key as stored, from the form-encoded key in an event ("a+b%2Bc" -> "a b+c"). */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '))
}

/** The form encoding S3 uses for keys in events: "/" kept, space -> "+", reserved -> %XX. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** Order of two sequencers for the same key: negative if a came first. */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length)
  const pa = a.toUpperCase().padStart(width, '0')
  const pb = b.toUpperCase().padStart(width, '0')
  return pa < pb ? -1 : pa > pb ? 1 : 0
}

export interface S3PutEventOptions {
  region?: string
  eventTime?: Date
  eventName?: string
  sequencer?: string
  versionId?: string
  configurationId?: string
  sourceIPAddress?: string
}

let sequence = 0

/**
 * One record of the notification S3 sends for a PutObject, exactly as AWS spells it.
 * `key` is the real key; it is encoded here as S3 encodes it. `etag` without quotes.
 */
export function s3PutEventRecord(
  bucket: string,
  key: string,
  size: number,
  etag: string,
  options: S3PutEventOptions = {},
): S3EventRecord {
  const time = options.eventTime ?? new Date()
  sequence = (sequence + 1) % 0x10000
  const sequencer =
    options.sequencer ??
    (time.getTime().toString(16) + sequence.toString(16).padStart(4, '0')).toUpperCase().padStart(18, '0')
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: options.region ?? 'us-east-1',
    eventTime: time.toISOString(),
    eventName: options.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAVOXELFLOWLOCAL' },
    requestParameters: { sourceIPAddress: options.sourceIPAddress ?? '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: options.configurationId ?? 'voxelflow-input',
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'A3VOXELFLOWLOCAL' },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: {
        key: encodeS3Key(key),
        size,
        eTag: etag.replace(/^"(.*)"$/, '$1'),
        ...(options.versionId !== undefined ? { versionId: options.versionId } : {}),
        sequencer,
      },
    },
  }
}

/** The whole notification body for one or more records. */
export function s3Event(...records: S3EventRecord[]): S3Event {
  return { Records: records }
}
