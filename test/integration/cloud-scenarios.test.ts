// The cloud path under production conditions, with an S3-compatible server (s3rver) and an
// SQS-compatible server (fauxqs) on 127.0.0.1 driving the unchanged handlers and the deployed
// state-machine definition: a bulk upload, duplicated S3 events, a chunk worker killed
// mid-chunk, a poison chunk. Cases are tiny generated cubes with analytically known volumes;
// in every scenario the input objects are compared (keys, sizes, ETags) before and after.
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import type { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChunkDeadLetterHandler } from '../../functions/chunk-dead-letter/create-handler.js'
import { createChunkWorkerHandler } from '../../functions/chunk-worker/create-handler.js'
import { createIngestHandler } from '../../functions/ingest/create-handler.js'
import { createS3Client, createSqsClient } from '../../src/aws/clients.js'
import { s3StoreResolver } from '../../src/aws/cloud-context.js'
import { s3Event, s3PutEventRecord } from '../../src/aws/s3-event.js'
import { sqsChunkDispatcher } from '../../src/aws/sqs-chunk-dispatcher.js'
import { createQueueWithDlq, pollQueue, receiveSqsEvent, sendJson, type QueueWithDlq } from '../../src/aws/sqs-queue.js'
import { jsonlEventSink } from '../../src/local/local-event-sink.js'
import { LocalStateMachine } from '../../src/local/local-state-machine.js'
import { localStageHandlers } from '../../src/local/stage-handlers.js'
import { TaskTokenRegistry } from '../../src/local/task-token-registry.js'
import { caseEventDetailSchema } from '../../src/pipeline/case-events.js'
import { getJson } from '../../src/pipeline/object-io.js'
import { type Report, reportSchema } from '../../src/pipeline/report-schema.js'
import type { StageContext } from '../../src/pipeline/stage-context.js'
import type { ObjectStore } from '../../src/store/object-store.js'
import { type LocalS3, startLocalS3 } from '../support/local-s3.js'
import { type LocalSqs, startLocalSqs } from '../support/local-sqs.js'
import { writeCubePhantom } from '../support/cube-phantom.js'

let s3: LocalS3
let sqs: LocalSqs
let s3Client: S3Client
let sqsClient: SQSClient
let scratch: string

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ['input', 'work', 'output'] })
  sqs = await startLocalSqs()
  s3Client = createS3Client({ endpoint: s3.endpoint })
  sqsClient = createSqsClient({ endpoint: sqs.endpoint })
  scratch = mkdtempSync(path.join(os.tmpdir(), 'vf-scenarios-'))
})

afterAll(async () => {
  s3Client?.destroy()
  sqsClient?.destroy()
  await sqs?.stop()
  await s3?.stop()
})

interface Harness {
  uploads: QueueWithDlq
  chunks: QueueWithDlq
  context: StageContext
  input: ObjectStore
  output: ObjectStore
  tokens: TaskTokenRegistry
  machine: LocalStateMachine
  ingest: ReturnType<typeof createIngestHandler>
  events: () => { type: string; detail: ReturnType<typeof caseEventDetailSchema.parse> }[]
}

async function harness(name: string, options: { chunkVisibilitySeconds?: number; maxReceiveCount?: number; chunkSlices?: number } = {}): Promise<Harness> {
  const uploads = await createQueueWithDlq(sqsClient, `${name}-uploads`, { maxReceiveCount: 3 })
  const chunks = await createQueueWithDlq(sqsClient, `${name}-chunks`, {
    maxReceiveCount: options.maxReceiveCount ?? 3,
    visibilityTimeoutSeconds: options.chunkVisibilitySeconds ?? 60,
  })
  const stores = s3StoreResolver(s3Client)
  const context = { stores, scratchRoot: os.tmpdir() }
  const tokens = new TaskTokenRegistry()
  const eventsFile = path.join(scratch, `${name}-events.jsonl`)
  const machine = new LocalStateMachine({
    ...localStageHandlers(context, sqsChunkDispatcher(sqsClient, chunks.queueUrl, tokens)),
    publishEvents: jsonlEventSink(eventsFile),
  })
  const config = options.chunkSlices ? { chunks: { slices: options.chunkSlices } } : {}
  const ingest = createIngestHandler({ stores, workBucket: 'work', outputBucket: 'output', starter: machine, config }, () => {})
  const events = () => {
    let text = ''
    try {
      text = readFileSync(eventsFile, 'utf8')
    } catch {
      return []
    }
    return text.trim().split('\n').map((line) => JSON.parse(line)).map((e) => ({ type: e['detail-type'] as string, detail: caseEventDetailSchema.parse(e.detail) }))
  }
  return { uploads, chunks, context, input: stores('input'), output: stores('output'), tokens, machine, ingest, events }
}

/** What S3 sends to the upload queue for a new object. */
async function notify(h: Harness, key: string) {
  const info = (await h.input.head(key))!
  await sendJson(sqsClient, h.uploads.queueUrl, s3Event(s3PutEventRecord('input', key, info.size, info.etag)))
}

async function uploadCube(h: Harness, key: string, edge: number, offset = 0) {
  const file = path.join(scratch, key.replace(/\//g, '_'))
  const cube = await writeCubePhantom(file, 16, edge, offset)
  await h.input.upload(key, file)
  return cube
}

/** Chunk workers as Lambda's event source mapping runs them, until `done` settles. */
async function runWorkers<T>(h: Harness, done: Promise<T>, workers = 2): Promise<T> {
  const stop = new AbortController()
  const handler = createChunkWorkerHandler(h.context, h.tokens.callbacks)
  const polling = Array.from({ length: workers }, () => pollQueue(sqsClient, h.chunks.queueUrl, handler, { maxMessages: 1, waitTimeSeconds: 1, signal: stop.signal }))
  try {
    return await done
  } finally {
    stop.abort()
    const stats = await Promise.all(polling)
    expect(stats.flatMap((s) => s.errors)).toEqual([])
  }
}

async function report(h: Harness, key: string): Promise<Report> {
  return reportSchema.parse(await getJson(h.output, key))
}

const boneVolume = (r: Report) => r.labels.find((l) => l.value === 1)?.volume_ml

describe('production scenarios on s3rver + fauxqs', () => {
  it('(1) a bulk upload of 30 cases (15 with manifests, 15 lone NIfTIs) gives exactly 30 executions and 30 reports', async () => {
    const h = await harness('bulk')
    const expected = new Map<string, number>() // report key -> mL
    let received = 0
    const ingestNow = async () => {
      const stats = await pollQueue(sqsClient, h.uploads.queueUrl, h.ingest, { stopWhenEmpty: true })
      expect(stats.failed).toBe(0)
      received += stats.received
    }
    // As `aws s3 sync` + `aws s3 cp case.json` do it: each object's event arrives as it lands,
    // and ingest sees a case's image before its manifest exists.
    for (let i = 0; i < 15; i++) {
      const id = `m-${String(i).padStart(2, '0')}`
      const cube = await uploadCube(h, `bulk/${id}/ct.nii.gz`, 3 + (i % 5))
      await notify(h, `bulk/${id}/ct.nii.gz`)
      await ingestNow()
      await h.input.put(`bulk/${id}/case.json`, '{}', 'application/json')
      await notify(h, `bulk/${id}/case.json`)
      expected.set(`bulk/${id}/report.json`, cube.volumeMl)
    }
    for (let i = 0; i < 15; i++) {
      const id = `n-${String(i).padStart(2, '0')}`
      const cube = await uploadCube(h, `bulk/${id}.nii.gz`, 4 + (i % 4))
      await notify(h, `bulk/${id}.nii.gz`)
      expected.set(`bulk/${id}/report.json`, cube.volumeMl)
    }
    const before = await h.input.list('bulk/')
    expect(before).toHaveLength(45)
    await ingestNow()
    expect(received).toBe(45)
    expect(h.machine.executionNames).toHaveLength(30)
    await runWorkers(h, Promise.all(h.machine.executionNames.map((n) => h.machine.wait(n))))

    const reports = (await h.output.list('bulk/')).filter((o) => o.key.endsWith('report.json'))
    expect(reports.map((o) => o.key).sort()).toEqual([...expected.keys()].sort())
    for (const [key, volumeMl] of expected) {
      const r = await report(h, key)
      expect(r.status, key).toBe('processed')
      expect(boneVolume(r), key).toBeCloseTo(volumeMl, 9)
    }
    const events = h.events()
    expect(events).toHaveLength(30)
    expect(new Set(events.map((e) => e.detail.report.key))).toEqual(new Set(expected.keys()))
    expect(events.every((e) => e.type === 'Case Processed')).toBe(true)
    expect(await h.input.list('bulk/')).toEqual(before)
  })

  it('(2) every S3 event delivered twice still gives one execution and one set of outputs', async () => {
    const h = await harness('dup')
    await uploadCube(h, 'dup/a/ct.nii.gz', 5)
    await h.input.put('dup/a/case.json', '{}', 'application/json')
    await uploadCube(h, 'dup/b.nii.gz', 6)
    const before = await h.input.list('dup/')
    for (const o of before) {
      await notify(h, o.key)
      await notify(h, o.key)
    }
    await pollQueue(sqsClient, h.uploads.queueUrl, h.ingest, { stopWhenEmpty: true })
    expect(h.machine.executionNames).toHaveLength(2)
    await runWorkers(h, Promise.all(h.machine.executionNames.map((n) => h.machine.wait(n))))
    const outputs = await h.output.list('dup/')
    expect(outputs.map((o) => o.key)).toEqual(
      ['dup/a/', 'dup/b/'].flatMap((p) => ['image.nii.gz', 'labels.nii.gz', 'qc.png', 'report.json'].map((f) => p + f)),
    )

    // The duplicates that arrive after the case is done start nothing and rewrite nothing.
    for (const o of before) await notify(h, o.key)
    await pollQueue(sqsClient, h.uploads.queueUrl, h.ingest, { stopWhenEmpty: true })
    expect(h.machine.executionNames).toHaveLength(2)
    expect(await h.output.list('dup/')).toEqual(outputs)
    expect(h.events()).toHaveLength(2)
    expect(await h.input.list('dup/')).toEqual(before)
  })

  it('(3) a chunk worker killed mid-chunk: the chunk is redelivered and the outputs equal an undisturbed run', async () => {
    const h = await harness('killed', { chunkVisibilitySeconds: 2, chunkSlices: 4 })
    await uploadCube(h, 'calm/k.nii.gz', 6, 2)
    await uploadCube(h, 'killed/k.nii.gz', 6, 2)
    const before = await h.input.list('')

    await notify(h, 'calm/k.nii.gz')
    await pollQueue(sqsClient, h.uploads.queueUrl, h.ingest, { stopWhenEmpty: true })
    await runWorkers(h, h.machine.wait(h.machine.executionNames[0]))

    await notify(h, 'killed/k.nii.gz')
    await pollQueue(sqsClient, h.uploads.queueUrl, h.ingest, { stopWhenEmpty: true })
    const killedRun = h.machine.wait(h.machine.executionNames[1])
    // The doomed worker takes one chunk, reads its input, and dies writing its output: no
    // answer to the task token, no delete. The message comes back after the visibility timeout.
    let taken = 0
    while (taken === 0) {
      const event = await receiveSqsEvent(sqsClient, h.chunks.queueUrl, { maxMessages: 1, waitTimeSeconds: 1 })
      taken = event.Records.length
      if (!taken) continue
      const dying: StageContext = {
        ...h.context,
        stores: (bucket) => {
          const store = h.context.stores(bucket)
          const die = async () => {
            throw new Error('worker killed')
          }
          return bucket === 'work' ? Object.assign(Object.create(store), { put: die, upload: die }) : store
        },
      }
      const silent = { succeed: async () => {}, fail: async () => {} } // a dead process sends nothing
      await createChunkWorkerHandler(dying, silent)(event)
    }
    await runWorkers(h, killedRun)

    for (const name of ['image.nii.gz', 'labels.nii.gz']) {
      const calm = await h.output.get(`calm/k/${name}`)
      const killed = await h.output.get(`killed/k/${name}`)
      expect(Buffer.compare(Buffer.from(calm), Buffer.from(killed)), name).toBe(0)
    }
    const [calm, killed] = [await report(h, 'calm/k/report.json'), await report(h, 'killed/k/report.json')]
    expect(killed.status).toBe('processed')
    expect(killed.labels).toEqual(calm.labels)
    expect(boneVolume(killed)).toBeCloseTo(0.216, 9)
    expect(await h.input.list('')).toEqual(before)
  })

  it('(4) a poison chunk ends in the dead-letter queue, and its case gets a failure report and a Case Failed event', async () => {
    const h = await harness('poison', { chunkVisibilitySeconds: 1, maxReceiveCount: 2 })
    await uploadCube(h, 'poison/p.nii.gz', 4)
    const before = await h.input.list('poison/')
    await notify(h, 'poison/p.nii.gz')
    await pollQueue(sqsClient, h.uploads.queueUrl, h.ingest, { stopWhenEmpty: true })
    const outcome = h.machine.wait(h.machine.executionNames[0]).then(
      () => 'succeeded',
      (error: Error) => error.name,
    )

    // Every worker that takes this chunk dies (no answer, no delete); after two receives the
    // queue moves it to its dead-letter queue, whose handler fails the task token.
    const stop = new AbortController()
    const crashing = pollQueue(sqsClient, h.chunks.queueUrl, async () => { throw new Error('worker crashed') }, { maxMessages: 1, waitTimeSeconds: 1, signal: stop.signal })
    const deadLetters = pollQueue(sqsClient, h.chunks.dlqUrl, createChunkDeadLetterHandler(h.tokens.callbacks), { waitTimeSeconds: 1, signal: stop.signal })
    const result = await outcome
    stop.abort()
    const [crashStats, dlqStats] = await Promise.all([crashing, deadLetters])
    expect(result).not.toBe('succeeded') // the execution ends in its Fail state
    expect(crashStats.received).toBe(2)
    expect(dlqStats.received).toBe(1)

    const r = await report(h, 'poison/p/report.json')
    expect(r.status).toBe('failed')
    expect(r.error?.kind).toBe('internal')
    expect(r.error?.message).toMatch(/dead-lettered/)
    expect(h.events()).toEqual([
      { type: 'Case Failed', detail: expect.objectContaining({ status: 'failed', case_id: 'p', error: 'ChunkDeadLettered', report: { bucket: 'output', key: 'poison/p/report.json' } }) },
    ])
    expect(await h.input.list('poison/')).toEqual(before)
  })
})
