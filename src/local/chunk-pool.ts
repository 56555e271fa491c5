// The local stand-in for "chunk queue + chunk-worker Lambdas": a pool of worker threads
// (or the main thread when workers = 0) fed chunk messages, answering by task token.
// A worker thread that dies mid-chunk (a crash, an out-of-memory kill) fails that chunk's
// token with ChunkWorkerInterrupted, as a killed Lambda would surface, so the state machine's
// Retry runs the chunk again on a fresh worker; the other chunks go on.
// A chunk can also start before its message comes (startEarly: prepare hands it over once its
// inputs are written); the message then takes that run's answer.
import { randomUUID } from 'node:crypto'
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

/** Task tokens of chunks started before their message came (startEarly). */
const earlyTokenPrefix = 'early-'

/** The error name the state machine's chunk Retry matches (infra/state-machine/definition.ts). */
export const chunkWorkerInterrupted = 'ChunkWorkerInterrupted'

export type ChunkMessageBody = Record<string, unknown> & { taskToken: string }

/** When a worker ran a chunk (Date.now() ms), to see whether every worker was kept busy. */
export interface ChunkSpan {
  worker: number
  chunk: number
  startMs: number
  endMs: number
}

export interface ChunkPoolOptions {
  buckets: BucketFolders
  /** Worker threads; 0 runs chunks on the main thread. Default: one per core. */
  workers?: number
  scratchRoot?: string
  /**
   * Fault injection for tests: when it returns true for a message, the worker that took it is
   * terminated before it can answer (on the main thread: the chunk is not run), as if killed.
   */
  interrupt?: (message: ChunkMessageBody) => boolean
}

export class ChunkPool {
  private readonly tokens = new TaskTokenRegistry()
  private readonly idle: Worker[] = []
  private readonly all = new Set<Worker>()
  /** The message each busy worker is running. */
  private readonly running = new Map<Worker, ChunkMessageBody>()
  private readonly workerIds = new Map<Worker, number>()
  private readonly startedAt = new Map<Worker, number>()
  /** Every chunk run on a worker thread, in the order they finished. */
  readonly timeline: ChunkSpan[] = []
  private readonly queue: ChunkMessageBody[] = []
  /** Answers of chunks started before their message came (startEarly), by messageKey. */
  private readonly early = new Map<string, Promise<unknown>>()
  private readonly inline?: (body: string) => Promise<void>
  private closing = false
  /** Chunks run at once: the worker threads, or 1 on the main thread. */
  readonly parallelism: number

  constructor(private readonly options: ChunkPoolOptions) {
    const count = options.workers ?? Math.max(1, os.availableParallelism())
    this.parallelism = Math.max(1, count)
    if (count === 0) {
      const handler = createChunkWorkerHandler({ stores: folderStores(options.buckets), scratchRoot: options.scratchRoot }, this.tokens.callbacks)
      this.inline = (body) => handler(localSqsEvent(body))
      return
    }
    for (let n = 0; n < count; n++) this.idle.push(this.startWorker())
  }

  /**
   * Start a chunk before the state machine sends its message: its answer goes to that message
   * when it comes (run). Worker threads only (on the main thread it would hold up prepare
   * itself), and not under fault injection, which must see every message the state machine sends.
   */
  startEarly(message: Omit<ChunkMessageBody, 'taskToken'>): void {
    if (this.inline || this.closing || this.options.interrupt) return
    const key = messageKey(message)
    if (this.early.has(key)) return
    const taskToken = `${earlyTokenPrefix}${randomUUID()}`
    const answer = this.tokens.wait(taskToken)
    answer.catch(() => {}) // the message's task sees the failure
    this.early.set(key, answer)
    this.queue.push({ ...message, taskToken })
    this.dispatch()
  }

  /** Forget chunks started early whose message never came (their case ended): those not yet running do not run. */
  dropEarly(): void {
    this.early.clear()
    for (let n = this.queue.length - 1; n >= 0; n--) if (this.queue[n].taskToken.startsWith(earlyTokenPrefix)) this.queue.splice(n, 1)
  }

  /** Process one chunk message (the body the state machine sends to the chunk queue). */
  run(message: ChunkMessageBody): Promise<unknown> {
    const key = messageKey(message)
    const started = this.early.get(key)
    if (started) {
      // once only: a retry of this message runs the chunk afresh
      this.early.delete(key)
      return started
    }
    const result = this.tokens.wait(message.taskToken)
    if (this.inline) {
      if (this.options.interrupt?.(message)) void this.interrupted(message, 'the chunk was interrupted before it ran')
      else void this.inline(JSON.stringify(message))
    } else {
      this.queue.push(message)
      this.dispatch()
    }
    return result
  }

  async close(): Promise<void> {
    this.closing = true
    await Promise.all([...this.all].map((w) => w.terminate()))
  }

  private startWorker(): Worker {
    const isTypeScript = import.meta.url.endsWith('.ts')
    const script = new URL(`./chunk-worker-thread.${isTypeScript ? 'ts' : 'js'}`, import.meta.url)
    const workerData = { buckets: this.options.buckets, scratchRoot: this.options.scratchRoot }
    // Source checkouts run TypeScript directly. On Node 20 a loader given by execArgv does not
    // apply to a worker's entry module, so the thread registers tsx itself before importing it.
    const worker = isTypeScript
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}) })`, { eval: true, workerData })
      : new Worker(script, { workerData })
    this.workerIds.set(worker, this.workerIds.size)
    worker.on('message', (answer: Answer) => {
      this.recordSpan(worker)
      if (answer.ok) void this.tokens.callbacks.succeed(answer.taskToken, answer.output)
      else void this.tokens.callbacks.fail(answer.taskToken, answer.error ?? 'Error', answer.cause ?? 'chunk failed')
      this.running.delete(worker)
      this.idle.push(worker)
      this.dispatch()
    })
    worker.on('error', (error) => this.lost(worker, `worker thread failed: ${error.message}`))
    worker.on('exit', (code) => this.lost(worker, `worker thread exited with code ${code}`))
    this.all.add(worker)
    return worker
  }

  /** A worker is gone: fail the chunk it held so Retry can run it again, and replace the worker. */
  private lost(worker: Worker, why: string) {
    if (this.closing || !this.all.has(worker)) return
    this.all.delete(worker)
    const index = this.idle.indexOf(worker)
    if (index >= 0) this.idle.splice(index, 1)
    const message = this.running.get(worker)
    this.running.delete(worker)
    if (message) void this.interrupted(message, why)
    this.idle.push(this.startWorker())
    this.dispatch()
  }

  private interrupted(message: ChunkMessageBody, why: string) {
    const chunk = (message.chunk as { index?: number } | undefined)?.index
    return this.tokens.callbacks.fail(message.taskToken, chunkWorkerInterrupted, `chunk ${chunk ?? '?'}: ${why}`)
  }

  private recordSpan(worker: Worker) {
    const chunk = (this.running.get(worker)?.chunk as { index?: number } | undefined)?.index
    const startMs = this.startedAt.get(worker)
    if (chunk !== undefined && startMs !== undefined) this.timeline.push({ worker: this.workerIds.get(worker)!, chunk, startMs, endMs: Date.now() })
  }

  private dispatch() {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!
      const message = this.queue.shift()!
      this.running.set(worker, message)
      this.startedAt.set(worker, Date.now())
      worker.postMessage(JSON.stringify(message))
      if (this.options.interrupt?.(message)) void worker.terminate()
    }
  }
}

/** A chunk message without its task token, the same text for the same content (keys sorted). */
function messageKey(message: Record<string, unknown>): string {
  const { taskToken: _, ...content } = message
  return JSON.stringify(content, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value)
}
