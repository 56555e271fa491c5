import { describe, expect, it } from 'vitest'
import {
  compareSequencers,
  decodeS3Key,
  encodeS3Key,
  parseS3NotificationBody,
  s3Event,
  s3EventSchema,
  s3PutEventRecord,
} from '../../src/aws/s3-event.js'

describe('S3 event notifications', () => {
  it('s3PutEventRecord has the notification shape S3 sends to SQS', () => {
    const time = new Date('2024-05-06T07:08:09.123Z')
    const record = s3PutEventRecord('vf-input', 'cases/c1/ct/0001.dcm', 525_312, '"9e107d9d372bb6826bd81d3542a419d6"', {
      eventTime: time,
      region: 'eu-central-1',
    })
    expect(record).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-central-1',
      eventTime: '2024-05-06T07:08:09.123Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: expect.any(String) },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: expect.any(String),
        bucket: { name: 'vf-input', ownerIdentity: { principalId: expect.any(String) }, arn: 'arn:aws:s3:::vf-input' },
        object: {
          key: 'cases/c1/ct/0001.dcm',
          size: 525_312,
          eTag: '9e107d9d372bb6826bd81d3542a419d6',
          sequencer: expect.stringMatching(/^[0-9A-F]{16,}$/),
        },
      },
    })
    expect(s3EventSchema.parse(s3Event(record))).toEqual({ Records: [record] })
  })

  it('keys are form-encoded in events and decode back to the stored key', () => {
    const key = 'pelvis/case 01/CT+SEG (v2)/ü=1&x~!.dcm'
    const encoded = encodeS3Key(key)
    expect(encoded).toBe('pelvis/case+01/CT%2BSEG+%28v2%29/%C3%BC%3D1%26x%7E%21.dcm')
    expect(decodeS3Key(encoded)).toBe(key)
    expect(s3PutEventRecord('b', key, 1, 'e').s3.object.key).toBe(encoded)
    expect(decodeS3Key('red+flower.jpg')).toBe('red flower.jpg')
  })

  it('successive records get increasing sequencers', () => {
    const t = new Date()
    const a = s3PutEventRecord('b', 'k', 1, 'e', { eventTime: t }).s3.object.sequencer!
    const b = s3PutEventRecord('b', 'k', 1, 'e', { eventTime: t }).s3.object.sequencer!
    expect(compareSequencers(a, b)).toBeLessThan(0)
    expect(compareSequencers('0A1B', '00000A1C')).toBeLessThan(0)
    expect(compareSequencers('FF', '0100')).toBeLessThan(0)
    expect(compareSequencers('0a', '0A')).toBe(0)
  })

  it('parses a delete event (no size or eTag) and newer event versions', () => {
    const body = JSON.stringify({
      Records: [
        {
          eventVersion: '2.5',
          eventSource: 'aws:s3',
          awsRegion: 'us-west-2',
          eventTime: '2025-01-01T00:00:00.000Z',
          eventName: 'ObjectRemoved:Delete',
          userIdentity: { principalId: 'AWS:EXAMPLE' },
          requestParameters: { sourceIPAddress: '198.51.100.1' },
          responseElements: { 'x-amz-request-id': 'R', 'x-amz-id-2': 'H' },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'cfg',
            bucket: { name: 'vf-input', ownerIdentity: { principalId: 'O' }, arn: 'arn:aws:s3:::vf-input' },
            object: { key: 'cases/c1/x.dcm', sequencer: '0065A1B2C3D4E5F601' },
          },
        },
      ],
    })
    const parsed = parseS3NotificationBody(body)
    expect(parsed.kind).toBe('records')
    if (parsed.kind === 'records') expect(parsed.event.Records[0].s3.object.size).toBeUndefined()
  })

  it("recognises S3's test message and rejects other bodies with a readable error", () => {
    const test = parseS3NotificationBody(
      JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2025-01-01T00:00:00.000Z', Bucket: 'vf-input', RequestId: 'R', HostId: 'H' }),
    )
    expect(test.kind).toBe('test')
    expect(() => parseS3NotificationBody('not json')).toThrow(/not JSON/)
    expect(() => parseS3NotificationBody('{"Records":[{"eventSource":"aws:sqs"}]}')).toThrow(/not an S3 event notification/)
  })
})
