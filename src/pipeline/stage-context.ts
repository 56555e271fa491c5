// What every stage receives besides its event: where buckets are and a scratch folder.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { StoreResolver } from '../store/object-store.js'
import type { ChunkMessage } from './state.js'

export interface StageContext {
  stores: StoreResolver
  /** Parent of per-invocation scratch folders (Lambda: /tmp). */
  scratchRoot?: string
  /** Chunks the runtime runs at once (the local worker pool's size): prepare plans whole waves. */
  chunkParallelism?: number
  /**
   * A runtime that can start a chunk before the state machine's Map sends it (the local worker
   * pool): prepare hands it each chunk's message (without task token) as soon as everything the
   * chunk reads is in the work bucket, and the Map's message for that chunk then takes that
   * run's answer. Absent in the cloud: the Map starts every chunk.
   */
  startChunkEarly?: (message: Omit<ChunkMessage, 'taskToken'>) => void
}

/** Run `work` with a fresh scratch folder that is removed afterwards, whatever happens. */
export async function withScratch<T>(context: StageContext, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(context.scratchRoot ?? os.tmpdir(), 'voxelflow-'))
  try {
    return await work(dir)
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}
