// The cloud's three buckets as three folders under one root (<root>/input, /work, /output), the
// deployed state machine run locally, a worker pool for the chunk queue and events.jsonl for
// EventBridge. What `voxelflow reprocess --local` and `voxelflow invoke` run against.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { StageContext } from '../pipeline/stage-context.js'
import { ChunkPool } from './chunk-pool.js'
import { type BucketFolders, folderStores } from './folder-stores.js'
import { jsonlEventSink } from './local-event-sink.js'
import { LocalStateMachine } from './local-state-machine.js'
import { localStageHandlers } from './stage-handlers.js'

export const localBuckets = { input: 'input', work: 'work', output: 'output' } as const

export interface LocalCloud {
  root: string
  buckets: BucketFolders
  context: StageContext
  machine: LocalStateMachine
  /** Where "Case Processed" / "Case Failed" land, one JSON event per line. */
  eventsFile: string
  close(): Promise<void>
}

export async function openLocalCloud(root: string, options: { workers?: number } = {}): Promise<LocalCloud> {
  const absolute = path.resolve(root)
  const buckets: BucketFolders = {}
  for (const name of Object.values(localBuckets)) {
    buckets[name] = path.join(absolute, name)
    await fs.mkdir(buckets[name], { recursive: true })
  }
  const context: StageContext = { stores: folderStores(buckets) }
  const pool = new ChunkPool({ buckets, workers: options.workers })
  const eventsFile = path.join(absolute, 'events.jsonl')
  const handlers = { ...localStageHandlers(context, (body) => pool.run(body)), publishEvents: jsonlEventSink(eventsFile) }
  return {
    root: absolute,
    buckets,
    context,
    machine: new LocalStateMachine(handlers),
    eventsFile,
    close: () => pool.close(),
  }
}
