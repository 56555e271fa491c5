// ObjectStore over one S3 bucket. Create the client with createS3Client (src/aws/clients.ts):
// the checksum settings there are what keeps uploads byte-exact on S3-compatible emulators.
//
// - ETags are returned without the surrounding quotes, as S3 event notifications spell them.
//   A single-part upload's ETag is the content MD5; a multipart one's is "<md5 of md5s>-<n>".
// - Missing objects: get/download throw an Error whose name is 'NoSuchKey' and whose message
//   names s3://bucket/key; head answers undefined (S3 answers 403 instead of 404 when the
//   caller lacks s3:ListBucket, so grant it).
// - upload reads at most `partSize` bytes per request into memory: a file up to partSize is
//   one PutObject, a larger one a multipart upload of partSize parts, `concurrency` at a time.
//   Buffers rather than streams keep every request retryable by the SDK.

import { createWriteStream } from 'node:fs'
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { randomBytes } from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3'
import type { ObjectInfo, ObjectStore } from '../store/object-store.js'

export interface S3ObjectStoreOptions {
  /** Bytes per multipart part and the single-PUT limit. Default 16 MiB; S3's minimum is 5 MiB. */
  partSize?: number
  /** Parts uploaded at once. Default 4. */
  concurrency?: number
}

const MiB = 1024 * 1024
const MAX_PARTS = 10_000

export class S3ObjectStore implements ObjectStore {
  readonly partSize: number
  readonly concurrency: number

  constructor(
    readonly bucket: string,
    private readonly client: S3Client,
    options: S3ObjectStoreOptions = {},
  ) {
    this.partSize = options.partSize ?? 16 * MiB
    this.concurrency = Math.max(1, options.concurrency ?? 4)
    if (this.partSize < 5 * MiB) throw new Error(`S3ObjectStore: partSize ${this.partSize} is below S3's 5 MiB minimum`)
  }

  url(key: string): string {
    return `s3://${this.bucket}/${key}`
  }

  async get(key: string): Promise<Uint8Array> {
    const body = await this.getBody(key)
    return body.transformToByteArray()
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: contentType ?? guessContentType(key, typeof body === 'string'),
      }),
    )
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))
      return { key, size: out.ContentLength ?? 0, etag: unquote(out.ETag) }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = []
    const pages = paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })
    for await (const page of pages) {
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue
        found.push({ key: item.Key, size: item.Size ?? 0, etag: unquote(item.ETag) })
      }
    }
    // S3 already lists in UTF-8 byte order; emulators are not all so careful.
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
  }

  async download(key: string, file: string): Promise<void> {
    const body = (await this.getBody(key)) as unknown as Readable
    await mkdir(dirname(file), { recursive: true })
    const tmp = `${file}.${randomBytes(6).toString('hex')}.part`
    try {
      await pipeline(body, createWriteStream(tmp))
      await rename(tmp, file)
    } catch (error) {
      await unlink(tmp).catch(() => {})
      throw new Error(`downloading ${this.url(key)} to ${file} failed: ${messageOf(error)}`, { cause: error })
    }
  }

  async upload(key: string, file: string, contentType?: string): Promise<void> {
    const { size } = await stat(file)
    const type = contentType ?? guessContentType(key, false)
    if (size <= this.partSize) {
      const bytes = await readFile(file)
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength, ContentType: type }),
      )
      return
    }
    await this.multipartUpload(key, file, size, type)
  }

  private async multipartUpload(key: string, file: string, size: number, contentType: string): Promise<void> {
    const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS))
    const partCount = Math.ceil(size / partSize)
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    )
    const uploadId = created.UploadId
    if (!uploadId) throw new Error(`${this.url(key)}: CreateMultipartUpload returned no UploadId`)
    const handle = await open(file, 'r')
    try {
      const parts: CompletedPart[] = new Array(partCount)
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < partCount) {
          const index = next++
          const start = index * partSize
          const length = Math.min(partSize, size - start)
          const buffer = Buffer.allocUnsafe(length)
          let filled = 0
          while (filled < length) {
            const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled)
            if (bytesRead === 0) throw new Error(`${file} shrank while uploading (expected ${size} bytes)`)
            filled += bytesRead
          }
          const out = await this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: index + 1,
              Body: buffer,
              ContentLength: length,
            }),
          )
          parts[index] = { PartNumber: index + 1, ETag: out.ETag }
        }
      }
      await Promise.all(Array.from({ length: Math.min(this.concurrency, partCount) }, worker))
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      )
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch(() => {})
      throw new Error(`uploading ${file} to ${this.url(key)} failed: ${messageOf(error)}`, { cause: error })
    } finally {
      await handle.close()
    }
  }

  private async getBody(key: string) {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))
      if (!out.Body) throw new Error(`${this.url(key)}: GetObject returned no body`)
      return out.Body
    } catch (error) {
      if (isNotFound(error)) throw noSuchKey(this.url(key), error)
      throw error
    }
  }
}

/** The error get/download throw for a missing object (same name as the SDK's). */
export function noSuchKey(url: string, cause?: unknown): Error {
  const error = new Error(`${url}: no such object`, { cause })
  error.name = 'NoSuchKey'
  return error
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"(.*)"$/, '$1')
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.png': 'image/png',
  '.csv': 'text/csv',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.gz': 'application/gzip',
  '.nii': 'application/octet-stream',
  '.dcm': 'application/dicom',
}

/** A Content-Type from the key's extension; strings default to UTF-8 text. */
export function guessContentType(key: string, isText: boolean): string {
  const dot = key.lastIndexOf('.')
  const ext = dot >= 0 && dot > key.lastIndexOf('/') ? key.slice(dot).toLowerCase() : ''
  return CONTENT_TYPES[ext] ?? (isText ? 'text/plain; charset=utf-8' : 'application/octet-stream')
}
