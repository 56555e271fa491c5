import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { SendMessageCommand } from '@aws-sdk/client-sqs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createS3Client,
  createSqsClient,
  isLoopbackEndpoint,
  s3ClientConfig,
  sfnClientConfig,
  sqsClientConfig,
} from '../../src/aws/clients.js'

afterEach(() => vi.unstubAllEnvs())

describe('client factories', () => {
  it('S3 against a local endpoint: path style, WHEN_REQUIRED checksums, dummy credentials, us-east-1', () => {
    expect(s3ClientConfig({ endpoint: 'http://127.0.0.1:4568' }, {})).toEqual({
      endpoint: 'http://127.0.0.1:4568',
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  })

  it('S3 on AWS: nothing invented, only the checksum settings', () => {
    expect(s3ClientConfig({}, { AWS_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      forcePathStyle: false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  })

  it('endpoints from AWS_ENDPOINT_URL_<SERVICE> switch on the emulator settings, leaving the URL to the SDK', () => {
    const env = { AWS_ENDPOINT_URL_SQS: 'http://localhost:9324', AWS_ACCESS_KEY_ID: 'given' }
    expect(sqsClientConfig({}, env)).toEqual({ region: 'us-east-1', useQueueUrlAsEndpoint: false })
    expect(s3ClientConfig({}, env).forcePathStyle).toBe(false)
    expect(s3ClientConfig({}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }).forcePathStyle).toBe(true)
    expect(sfnClientConfig({ endpoint: 'http://127.0.0.1:8083' }, {})).toMatchObject({ region: 'us-east-1' })
  })

  it('never gives dummy credentials to a non-loopback endpoint', () => {
    expect(s3ClientConfig({ endpoint: 'https://s3.example.com' }, {}).credentials).toBeUndefined()
    expect(isLoopbackEndpoint('http://[::1]:9000')).toBe(true)
    expect(isLoopbackEndpoint('http://sqs.us-east-1.localhost:4566')).toBe(true)
    expect(isLoopbackEndpoint('http://10.0.0.2:4566')).toBe(false)
  })

  it('the SDK itself sends to AWS_ENDPOINT_URL_S3 / _SQS, path-style, ignoring the queue URL host', async () => {
    const seen: string[] = []
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`)
      res.statusCode = 404
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    vi.stubEnv('AWS_ENDPOINT_URL_S3', endpoint)
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', endpoint)
    vi.stubEnv('AWS_ACCESS_KEY_ID', '')
    const s3 = createS3Client()
    const sqs = createSqsClient()
    try {
      await expect(s3.send(new HeadObjectCommand({ Bucket: 'vf-input', Key: 'cases/c1/x.dcm' }))).rejects.toThrow()
      await expect(
        sqs.send(new SendMessageCommand({ QueueUrl: 'http://sqs.us-east-1.nowhere.invalid/000000000000/q', MessageBody: 'x' })),
      ).rejects.toThrow()
      expect(seen[0]).toBe('HEAD /vf-input/cases/c1/x.dcm')
      expect(seen.some((line) => line.startsWith('POST /'))).toBe(true)
    } finally {
      s3.destroy()
      sqs.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
