// The cloud path with real protocol peers on 127.0.0.1: an S3-compatible server (s3rver) and an
// SQS-compatible server (fauxqs). The unchanged handlers run against them; the synthesized
// state-machine definition runs in aws-local-stepfunctions, its chunk task sending real SQS
// messages with task tokens that the chunk-worker handler answers.
import { mkdtempSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import type { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChunkWorkerHandler } from '../../functions/chunk-worker/create-handler.js'
import { createIngestHandler } from '../../functions/ingest/create-handler.js'
import { createS3Client, createSqsClient } from '../../src/aws/clients.js'
import { s3StoreResolver } from '../../src/aws/cloud-context.js'
import { s3Event, s3PutEventRecord } from '../../src/aws/s3-event.js'
import { sqsChunkDispatcher } from '../../src/aws/sqs-chunk-dispatcher.js'
import { createQueueWithDlq, pollQueue, sendJson } from '../../src/aws/sqs-queue.js'
import { LocalStateMachine } from '../../src/local/local-state-machine.js'
import { localStageHandlers } from '../../src/local/stage-handlers.js'
import { TaskTokenRegistry } from '../../src/local/task-token-registry.js'
import { getImage, getJson } from '../../src/pipeline/object-io.js'
import { clipIntensity, zScore } from '../../src/filters/intensity-normalization.js'
import { pixelsOf } from '../../src/image/image.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { sampleTruth, writeSample } from '../../src/sample/index.js'
import type { ObjectStore } from '../../src/store/object-store.js'
import { type LocalS3, startLocalS3 } from '../support/local-s3.js'
import { type LocalSqs, startLocalSqs } from '../support/local-sqs.js'

let s3: LocalS3
let sqs: LocalSqs
let s3Client: S3Client
let sqsClient: SQSClient

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ['input', 'work', 'output'] })
  sqs = await startLocalSqs()
  s3Client = createS3Client({ endpoint: s3.endpoint })
  sqsClient = createSqsClient({ endpoint: sqs.endpoint })
})

afterAll(async () => {
  s3Client?.destroy()
  sqsClient?.destroy()
  await sqs?.stop()
  await s3?.stop()
})

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort()
}

/** What S3 would deliver to the upload queue for each new object. */
async function notify(queueUrl: string, input: ObjectStore, key: string) {
  const info = (await input.head(key))!
  await sendJson(sqsClient, queueUrl, s3Event(s3PutEventRecord(input.bucket, key, info.size, info.etag)))
}

describe('upload -> S3 event -> SQS -> ingest -> state machine -> outputs', () => {
  it('one uploaded case gives one execution, and its outputs land in the output bucket', async () => {
    const uploads = await createQueueWithDlq(sqsClient, 'uploads', { maxReceiveCount: 3 })
    const chunkQueue = await createQueueWithDlq(sqsClient, 'chunks', { maxReceiveCount: 3, visibilityTimeoutSeconds: 120 })
    const stores = s3StoreResolver(s3Client)
    const context = { stores, scratchRoot: os.tmpdir() }
    const tokens = new TaskTokenRegistry()
    const machine = new LocalStateMachine(localStageHandlers(context, sqsChunkDispatcher(sqsClient, chunkQueue.queueUrl, tokens)))
    const ingest = createIngestHandler(
      { stores, workBucket: 'work', outputBucket: 'output', starter: machine,
        config: {
          chunks: { slices: 30 },
          // the intensity stages run in the same handlers: a derived image (two-phase) and one augmented copy
          derived_images: [{ name: 'model_input', steps: [{ op: 'clip', lower: -1000, upper: 1000 }, { op: 'normalize', method: 'z-score' }] }],
          augmentation: { copies: 1, seed: 1 },
        },
      },
      () => {},
    )

    // The user's upload: the case's files, then the manifest that completes it.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-cloud-'))
    const truth = sampleTruth(0, 3)
    await writeSample(dir, { cases: 1, seed: 3 })
    const caseDir = path.join(dir, truth.caseId)
    const input = stores('input')
    const prefix = `pelvis/${truth.caseId}/`
    for (const file of filesUnder(caseDir)) {
      const key = prefix + path.relative(caseDir, file).split(path.sep).join('/')
      await input.upload(key, file)
      await notify(uploads.queueUrl, input, key)
    }
    await input.put(`${prefix}case.json`, '{}', 'application/json')
    await notify(uploads.queueUrl, input, `${prefix}case.json`)
    const before = await input.list('')

    const ingestStats = await pollQueue(sqsClient, uploads.queueUrl, ingest, { stopWhenEmpty: true })
    expect(ingestStats.failed).toBe(0)
    expect(machine.executionNames).toHaveLength(1)

    const stopWorkers = new AbortController()
    const workers = pollQueue(sqsClient, chunkQueue.queueUrl, createChunkWorkerHandler(context, tokens.callbacks), { waitTimeSeconds: 1, signal: stopWorkers.signal })
    try {
      await machine.wait(machine.executionNames[0])
    } finally {
      stopWorkers.abort()
    }
    const workerStats = await workers
    // 143 output slices in slabs of 30: five chunks went through the queue.
    expect(workerStats.received).toBe(5)
    expect(workerStats.errors).toEqual([])

    const output = stores('output')
    const keys = (await output.list(prefix)).map((o) => o.key)
    expect(keys).toEqual(['augmented/0/image.nii.gz', 'augmented/0/labels.nii.gz', 'image.nii.gz', 'labels.nii.gz', 'model_input.nii.gz', 'qc.png', 'report.json'].map((name) => prefix + name))
    const report = reportSchema.parse(await getJson(output, `${prefix}report.json`))
    expect(report.status).toBe('processed')
    expect(report.dataset).toBe('pelvis')
    expect(report.case_id).toBe(truth.caseId)
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'vf-cloud-out-'))
    const derived = pixelsOf(await getImage(output, `${prefix}model_input.nii.gz`, scratch))
    const expected = pixelsOf(zScore(clipIntensity(await getImage(output, `${prefix}image.nii.gz`, scratch), -1000, 1000)))
    // same arithmetic with the same whole-image statistics, chunk by chunk: equal within float32 rounding
    expect(derived.every((v, i) => Math.abs(v - expected[i]) <= 1e-6)).toBe(true)
    expect(report.derived_images?.map((d) => d.output.key)).toEqual([`${prefix}model_input.nii.gz`])
    expect(report.augmentation?.copies.map((c) => c.image.key)).toEqual([`${prefix}augmented/0/image.nii.gz`])
    for (const bone of truth.bones) {
      const row = report.labels.find((l) => l.value === bone.value)!
      expect(Math.abs(row.volume_ml / bone.volumeMl - 1)).toBeLessThan(0.02)
    }
    // Nothing in the input bucket was modified or deleted.
    expect(await input.list('')).toEqual(before)

    // S3 delivers at least once: the same manifest event again starts nothing new.
    await notify(uploads.queueUrl, input, `${prefix}case.json`)
    await pollQueue(sqsClient, uploads.queueUrl, ingest, { stopWhenEmpty: true })
    expect(machine.executionNames).toHaveLength(1)
  })
})
