// A real S3-compatible server (s3rver) on 127.0.0.1 with a random port, storing objects in a
// fresh temp folder that stop() removes. Point clients at it with
// createS3Client({ endpoint }) (src/aws/clients.ts): path-style, dummy credentials and
// WHEN_REQUIRED checksums are what s3rver needs.
//
// s3rver's facts, as found on Node 20 / s3rver 3.7.1:
// - It accepts only the access key id S3RVER (createS3Client's loopback default).
// - It makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 refuses unless
//   node runs with --openssl-legacy-provider: every listing past 1000 keys fails with
//   InternalError. The token is opaque to clients, so startLocalS3 replaces DES, for this
//   process and only when DES is unavailable, with an identity cipher (token = iv + plain
//   text). Nothing else in the process uses DES.
// - A multipart object's ETag is a plain MD5, not AWS's "<md5>-<parts>".

import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'

export interface LocalS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string
  /** Where s3rver keeps the objects (its own layout, not one file per key). */
  directory: string
  stop(): Promise<void>
}

export async function startLocalS3(options: { buckets?: string[] } = {}): Promise<LocalS3> {
  allowS3rverContinuationTokens()
  const directory = await mkdtemp(join(tmpdir(), 'voxelflow-s3rver-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  })
  const { port } = await server.run()
  let stopped = false
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    async stop() {
      if (stopped) return
      stopped = true
      // close() waits for idle keep-alive sockets otherwise; clients may still hold some.
      server.httpServer?.closeAllConnections()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

type CipherFactory = (algorithm: string, key: unknown, iv: unknown, options?: unknown) => unknown

let desShimInstalled = false

/** See the note at the top: identity "DES" so s3rver can paginate on OpenSSL 3. */
function allowS3rverContinuationTokens(): void {
  if (desShimInstalled) return
  // The CommonJS crypto object s3rver calls through (an ESM namespace is read-only).
  const crypto = createRequire(import.meta.url)('node:crypto') as Record<string, CipherFactory>
  try {
    ;(crypto.createCipheriv as CipherFactory)('des', Buffer.alloc(8), Buffer.alloc(8))
    return // DES works (legacy provider loaded): leave crypto alone
  } catch {
    // fall through
  }
  const identity = () => ({
    update: (data: string | Uint8Array, encoding?: BufferEncoding) =>
      typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : Buffer.from(data),
    final: () => Buffer.alloc(0),
  })
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = crypto[name]
    crypto[name] = (algorithm, key, iv, opts) =>
      algorithm === 'des' ? identity() : original(algorithm, key, iv, opts)
  }
  desShimInstalled = true
}
