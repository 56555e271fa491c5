// The real-shaped events in events/ drive the unchanged handlers: an S3 upload notification
// delivered through SQS starts exactly one execution of the local state machine, which
// processes the case in folders standing in for the buckets named in the event.
import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createIngestHandler } from '../../functions/ingest/create-handler.js'
import { sqsEventSchema } from '../../src/aws/sqs-event.js'
import { ChunkPool } from '../../src/local/chunk-pool.js'
import { folderStores } from '../../src/local/folder-stores.js'
import { LocalStateMachine } from '../../src/local/local-state-machine.js'
import { localStageHandlers } from '../../src/local/stage-handlers.js'
import { getJson } from '../../src/pipeline/object-io.js'
import { type Report } from '../../src/pipeline/report-schema.js'
import { chunkMessageSchema, executionInputSchema } from '../../src/pipeline/state.js'
import { writeSample } from '../../src/sample/index.js'
import { repoRoot } from '../support/paths.js'

const event = (name: string) => JSON.parse(readFileSync(path.join(repoRoot, 'events', name), 'utf8')) as unknown

describe('events/', () => {
  it('parse with the schemas the handlers use', () => {
    const chunk = sqsEventSchema.parse(event('chunk-task-through-sqs.json'))
    expect(chunkMessageSchema.parse(JSON.parse(chunk.Records[0].body)).chunk.index).toBe(1)
    expect(executionInputSchema.parse(event('execution-input.json')).case.caseId).toBe('pelvis-001')
  })

  it('s3-put-through-sqs.json: the manifest upload starts one execution that writes the outputs', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vf-events-'))
    const buckets = {
      'voxelflow-input-123456789012': path.join(root, 'input'),
      'voxelflow-work-123456789012': path.join(root, 'work'),
      'voxelflow-output-123456789012': path.join(root, 'output'),
    }
    await writeSample(path.join(root, 'input', 'pelvis'), { cases: 1, seed: 1 })
    const stores = folderStores(buckets)
    await stores('voxelflow-input-123456789012').put('pelvis/pelvis-001/case.json', '{}')
    const context = { stores }
    const pool = new ChunkPool({ buckets, workers: 0 })
    const machine = new LocalStateMachine(localStageHandlers(context, (body) => pool.run(body)))
    const ingest = createIngestHandler(
      { stores, workBucket: 'voxelflow-work-123456789012', outputBucket: 'voxelflow-output-123456789012', starter: machine, config: {} },
      () => {},
    )
    const answer = await ingest(event('s3-put-through-sqs.json'))
    expect(answer.batchItemFailures).toEqual([])
    expect(answer.outcomes).toMatchObject([{ action: 'started', caseId: 'pelvis-001' }])
    await machine.wait(machine.executionNames[0])
    await pool.close()

    const report = await getJson<Report>(stores('voxelflow-output-123456789012'), 'pelvis/pelvis-001/report.json')
    expect(report.status).toBe('processed')
    expect(report.dataset).toBe('pelvis')
    expect(report.inputs.length).toBeGreaterThan(80)

    // The same notification again (at-least-once delivery) starts nothing.
    const again = await ingest(event('s3-put-through-sqs.json'))
    expect(again.outcomes).toMatchObject([{ action: 'duplicate' }])
    expect(machine.executionNames).toHaveLength(1)
  })
})
