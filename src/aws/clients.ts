// Factories for the three AWS clients voxelflow uses. On AWS nothing needs configuring: the
// SDK reads region and credentials from the Lambda environment. Against local emulators
// (s3rver, fauxqs) pass `endpoint`, or set AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_SQS /
// AWS_ENDPOINT_URL_SFN (or AWS_ENDPOINT_URL for all), which the SDK itself honours; these
// factories read the same variables only to decide the emulator-friendly settings below.
//
// Settings, and why:
// - S3 requestChecksumCalculation / responseChecksumValidation 'WHEN_REQUIRED' (always):
//   the SDK's default ('WHEN_SUPPORTED') sends streamed bodies with aws-chunked framing and
//   CRC32 trailers, which s3rver stores verbatim (the object then contains the framing).
//   With 'WHEN_REQUIRED' the same requests go to AWS and to the emulator, so what the tests
//   exercise is what runs in the cloud. Transport integrity on AWS is TLS's job.
// - S3 forcePathStyle when a custom endpoint is in effect: s3rver and friends cannot serve
//   virtual-hosted buckets (bucket.127.0.0.1 does not resolve).
// - SQS useQueueUrlAsEndpoint false when a custom endpoint is in effect: otherwise the SDK
//   sends each request to the host named in the queue URL, which an emulator may spell as a
//   name that does not resolve (sqs.us-east-1.localhost).
// - Region defaults to us-east-1 and credentials to dummy ones, but only when the endpoint
//   is on this machine (loopback) and the environment gives none, so real AWS never gets
//   made-up credentials. The dummy pair is S3RVER/S3RVER: s3rver accepts only that access
//   key id; fauxqs accepts any.

import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn'
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs'

export interface ClientOptions {
  /** Service endpoint, e.g. http://127.0.0.1:4568. Omit on AWS. */
  endpoint?: string
  region?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
}

export const LOCAL_REGION = 'us-east-1'
export const DUMMY_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

type Env = Record<string, string | undefined>

/** The endpoint in effect for a service: the option, else the SDK's own env variables. */
export function configuredEndpoint(
  service: 'S3' | 'SQS' | 'SFN',
  options: ClientOptions = {},
  env: Env = process.env,
): string | undefined {
  return options.endpoint ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL ?? undefined
}

/** True for http(s)://127.x.x.x, localhost, *.localhost and [::1]. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  let host: string
  try {
    host = new URL(endpoint).hostname
  } catch {
    return false
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '[::1]' ||
    host === '::1'
  )
}

function common(
  service: 'S3' | 'SQS' | 'SFN',
  options: ClientOptions,
  env: Env,
): { endpoint?: string; region?: string; credentials?: ClientOptions['credentials']; custom: boolean } {
  const endpoint = configuredEndpoint(service, options, env)
  const local = endpoint !== undefined && isLoopbackEndpoint(endpoint)
  const region =
    options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? LOCAL_REGION : undefined)
  const credentials =
    options.credentials ?? (local && !env.AWS_ACCESS_KEY_ID ? { ...DUMMY_CREDENTIALS } : undefined)
  return {
    // Only pass the endpoint explicitly when given as an option; env endpoints are resolved
    // by the SDK (same result, and the SDK keeps its own precedence rules).
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    custom: endpoint !== undefined,
  }
}

export function s3ClientConfig(options: ClientOptions = {}, env: Env = process.env): S3ClientConfig {
  const { custom, ...base } = common('S3', options, env)
  return {
    ...base,
    forcePathStyle: custom,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }
}

export function sqsClientConfig(options: ClientOptions = {}, env: Env = process.env): SQSClientConfig {
  const { custom, ...base } = common('SQS', options, env)
  return custom ? { ...base, useQueueUrlAsEndpoint: false } : base
}

export function sfnClientConfig(options: ClientOptions = {}, env: Env = process.env): SFNClientConfig {
  const { custom: _custom, ...base } = common('SFN', options, env)
  return base
}

export function createS3Client(options: ClientOptions = {}): S3Client {
  return new S3Client(s3ClientConfig(options))
}

export function createSqsClient(options: ClientOptions = {}): SQSClient {
  return new SQSClient(sqsClientConfig(options))
}

export function createSfnClient(options: ClientOptions = {}): SFNClient {
  return new SFNClient(sfnClientConfig(options))
}
