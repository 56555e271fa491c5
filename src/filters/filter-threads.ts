// Worker threads for the heavy filters: the same kernel runs on the calling thread and on
// threads - 1 worker threads at once; the kernel pulls work items (slabs, lines) from a shared
// counter until none is left, reading and writing SharedArrayBuffers, so no pixels are copied
// through messages. The workers are a persistent pool: started on first use (or by
// warmFilterThreads), kept between calls and unref'd while idle, so a process pays the thread
// start (0.6-1 s under tsx: each thread loads the TypeScript loader) once, not per filter call.
// Source checkouts run TypeScript directly: on Node 20 a worker's entry module does not inherit
// the tsx loader, so the thread registers tsx itself (as src/local/chunk-pool.ts).
import os from 'node:os'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

export interface ThreadKernel<A> {
  /** URL of the module exporting the kernel (import.meta.url of the filter's module). */
  module: string
  /** Name of the exported kernel function, called as kernel(args). */
  name: string
  /** Structured-cloneable arguments; SharedArrayBuffers are shared, not copied. */
  args: A
}

/** Threads worth using: the available cores, at most `cap`. */
export function defaultThreadCount(cap = 8): number {
  return Math.max(1, Math.min(cap, os.availableParallelism()))
}

/** A counter shared by all threads of one run: Atomics.add(counter, 0, 1) hands out work items. */
export function sharedCounter(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4))
}

/**
 * `a` itself when it already lives in a SharedArrayBuffer (e.g. the output of an earlier threaded
 * filter), else a shared copy: worker threads can read it without a copy per thread.
 */
export function asShared<T extends ArrayBufferView & { length: number; set(a: ArrayLike<number>): void }>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a
  const ctor = a.constructor as new (b: SharedArrayBuffer) => T
  const shared = new ctor(new SharedArrayBuffer(a.byteLength))
  shared.set(a as unknown as ArrayLike<number>)
  return shared
}

/**
 * Run `kernel` on `threads` threads in total (the calling thread plus threads - 1 pool workers)
 * and resolve when all have returned. `local` is the kernel itself, run on the calling thread.
 * A worker still busy with an earlier call takes its share late or finds nothing left: kernels
 * pull work from shared counters, so the result does not depend on who ran what. With
 * `localAfter`, the calling thread joins once that settles (a rejection is thrown after the workers finish).
 */
export async function runOnThreads<A>(kernel: ThreadKernel<A>, threads: number, local: (args: A) => void, localAfter?: Promise<unknown>): Promise<void> {
  const workers = pool.take(threads - 1)
  // post first: workers start on their share while the calling thread runs its own
  const done = workers.map((w) => w.run(kernel))
  let localError: unknown
  try {
    // the calling thread's other work first (`localAfter`): the workers take more of the items meanwhile
    if (localAfter) await localAfter
    local(kernel.args)
  } catch (error) {
    localError = error
  }
  const results = await Promise.allSettled(done)
  if (localError) throw localError
  for (const r of results) if (r.status === 'rejected') throw r.reason
}

/**
 * Start an (async) kernel on one pool thread while the calling thread goes on with other work.
 * Undefined when there is no second core or no pool (inside a bundle): the caller then does the
 * work itself.
 */
export function runInBackgroundThread<A>(kernel: ThreadKernel<A>): Promise<void> | undefined {
  if (defaultThreadCount() < 2) return undefined
  return pool.take(1)[0]?.run(kernel)
}

/** Start the pool's workers now (at least `workers` of them) and resolve once all are ready. */
export async function warmFilterThreads(workers = defaultThreadCount() - 1): Promise<void> {
  await Promise.all(pool.take(workers).map((w) => w.ready))
}

/** Stop every pool worker (tests, or a process that wants to exit without waiting for unref). */
export async function closeFilterThreads(): Promise<void> {
  await pool.close()
}

/** Workers started by this process so far (a warm pool does not start more). */
export function filterThreadsStarted(): number {
  return pool.started
}

interface TaskAnswer {
  id: number
  ok: boolean
  error?: string
}

/** One worker thread of the pool, running the tasks posted to it in order. */
class PoolWorker {
  readonly ready: Promise<void>
  private readonly worker: Worker
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  private nextId = 0
  dead = false

  constructor(onExit: (w: PoolWorker) => void) {
    const isTypeScript = import.meta.url.endsWith('.ts')
    const script = new URL(`./filter-thread-worker.${isTypeScript ? 'ts' : 'js'}`, import.meta.url)
    this.worker = isTypeScript
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}) })`, { eval: true })
      : new Worker(script)
    let markReady: () => void = () => {}
    this.ready = new Promise<void>((resolve) => (markReady = resolve))
    this.worker.on('message', (m: TaskAnswer | { ready: true }) => {
      if ('ready' in m) {
        // referenced while booting (so warmFilterThreads can wait for it), idle from now on
        if (this.pending.size === 0) this.worker.unref()
        return markReady()
      }
      const task = this.pending.get(m.id)
      if (!task) return
      this.pending.delete(m.id)
      if (this.pending.size === 0) this.worker.unref()
      // a second message lets the thread drop the task's buffers (see filter-thread-worker.ts)
      this.worker.postMessage({ collect: true })
      if (m.ok) task.resolve()
      else task.reject(new Error(`filter thread: ${m.error}`))
    })
    const fail = (error: Error) => {
      this.dead = true
      markReady()
      for (const task of this.pending.values()) task.reject(error)
      this.pending.clear()
      onExit(this)
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new Error(`filter thread exited with code ${code}`)))
  }

  get busy(): number {
    return this.pending.size
  }

  run<A>(kernel: ThreadKernel<A>): Promise<void> {
    const id = this.nextId++
    // referenced while it has work, so an awaiting process does not exit under it
    this.worker.ref()
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ id, module: kernel.module, name: kernel.name, args: kernel.args })
    })
  }

  terminate(): Promise<number> {
    return this.worker.terminate()
  }
}

class FilterThreadPool {
  private readonly workers: PoolWorker[] = []
  started = 0

  /**
   * `n` distinct workers, the least busy first; starts workers the pool lacks. None inside a
   * bundle (a Lambda's index.mjs): there the worker script and the kernels' own modules do not
   * exist as files, so callers run every work item on the calling thread (same results).
   */
  take(n: number): PoolWorker[] {
    if (!workerScriptAvailable) return []
    while (this.workers.length < n) {
      this.workers.push(new PoolWorker((w) => this.forget(w)))
      this.started++
    }
    return [...this.workers].sort((a, b) => a.busy - b.busy).slice(0, Math.max(0, n))
  }

  async close(): Promise<void> {
    const all = this.workers.splice(0)
    await Promise.all(all.map((w) => w.terminate()))
  }

  private forget(w: PoolWorker): void {
    const i = this.workers.indexOf(w)
    if (i >= 0) this.workers.splice(i, 1)
  }
}

const workerScriptAvailable = /\/filter-threads\.(ts|js)$/.test(import.meta.url) &&
  existsSync(fileURLToPath(new URL(`./filter-thread-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)))

const pool = new FilterThreadPool()
