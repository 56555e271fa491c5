// The local stand-in for "chunk queue + chunk-worker Lambdas": a pool of worker threads
// (or the main thread when workers = 0) fed chunk messages, answering by task token.
import os from 'node:os'
import { Worker } from 'node:worker_threads'
import { createChunkWorkerHandler } from '../../functions/chunk-worker/create-handler.js'
import type { BucketFolders } from './folder-stores.js'
import { folderStores } from './folder-stores.js'
import { localSqsEvent } from './local-sqs-event.js'
import { TaskTokenRegistry } from './task-token-registry.js'

interface Answer {
  taskToken: string
  ok: boolean
  output?: unknown
  error?: string
  cause?: string
}

export interface ChunkPoolOptions {
  buckets: BucketFolders
  /** Worker threads; 0 runs chunks on the main thread. Default: one per core. */
  workers?: number
  scratchRoot?: string
}

export class ChunkPool {
  private readonly tokens = new TaskTokenRegistry()
  private readonly idle: Worker[] = []
  private readonly all: Worker[] = []
  private readonly queue: string[] = []
  private readonly inline?: (body: string) => Promise<void>

  constructor(options: ChunkPoolOptions) {
    const count = options.workers ?? Math.max(1, os.availableParallelism())
    if (count === 0) {
      const handler = createChunkWorkerHandler({ stores: folderStores(options.buckets), scratchRoot: options.scratchRoot }, this.tokens.callbacks)
      this.inline = (body) => handler(localSqsEvent(body))
      return
    }
    const isTypeScript = import.meta.url.endsWith('.ts')
    const script = new URL(`./chunk-worker-thread.${isTypeScript ? 'ts' : 'js'}`, import.meta.url)
    for (let n = 0; n < count; n++) {
      const workerData = { buckets: options.buckets, scratchRoot: options.scratchRoot }
      // Source checkouts run TypeScript directly. On Node 20 a loader given by execArgv does not
      // apply to a worker's entry module, so the thread registers tsx itself before importing it.
      const worker = isTypeScript
        ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}) })`, { eval: true, workerData })
        : new Worker(script, { workerData })
      worker.on('message', (answer: Answer) => {
        if (answer.ok) void this.tokens.callbacks.succeed(answer.taskToken, answer.output)
        else void this.tokens.callbacks.fail(answer.taskToken, answer.error ?? 'Error', answer.cause ?? 'chunk failed')
        this.idle.push(worker)
        this.dispatch()
      })
      worker.on('error', (error) => this.tokens.failAll(error))
      this.all.push(worker)
      this.idle.push(worker)
    }
  }

  /** Process one chunk message (the body the state machine sends to the chunk queue). */
  run(message: Record<string, unknown> & { taskToken: string }): Promise<unknown> {
    const result = this.tokens.wait(message.taskToken)
    const body = JSON.stringify(message)
    if (this.inline) void this.inline(body)
    else {
      this.queue.push(body)
      this.dispatch()
    }
    return result
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()))
  }

  private dispatch() {
    while (this.idle.length && this.queue.length) this.idle.pop()!.postMessage(this.queue.shift())
  }
}
