// Worker threads for the heavy filters: the same kernel runs on the calling thread and on
// threads - 1 worker threads at once; the kernel pulls work items (slabs) from a shared counter
// until none is left, reading and writing SharedArrayBuffers, so no pixels are copied through
// messages. Source checkouts run TypeScript directly: on Node 20 a worker's entry module does
// not inherit the tsx loader, so the thread registers tsx itself (as src/local/chunk-pool.ts).
import os from 'node:os'
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
 * Run `kernel` on `threads` threads in total (the calling thread plus threads - 1 workers) and
 * resolve when all have returned. `local` is the kernel itself, run on the calling thread.
 */
export async function runOnThreads<A>(kernel: ThreadKernel<A>, threads: number, local: (args: A) => void): Promise<void> {
  const workers: Promise<void>[] = []
  for (let t = 1; t < threads; t++) workers.push(startWorker(kernel))
  // the calling thread works too; workers boot meanwhile and take what is left
  let localError: unknown
  try {
    local(kernel.args)
  } catch (error) {
    localError = error
  }
  const results = await Promise.allSettled(workers)
  if (localError) throw localError
  for (const r of results) if (r.status === 'rejected') throw r.reason
}

function startWorker<A>(kernel: ThreadKernel<A>): Promise<void> {
  const isTypeScript = import.meta.url.endsWith('.ts')
  const script = new URL(`./filter-thread-worker.${isTypeScript ? 'ts' : 'js'}`, import.meta.url)
  const worker = isTypeScript
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}) })`, { eval: true, workerData: kernel })
    : new Worker(script, { workerData: kernel })
  return new Promise<void>((resolve, reject) => {
    let failed = false
    worker.on('message', (m: { ok: boolean; error?: string }) => {
      if (!m.ok) {
        failed = true
        reject(new Error(`filter thread: ${m.error}`))
      }
    })
    worker.on('error', (error) => {
      failed = true
      reject(error)
    })
    worker.on('exit', (code) => {
      if (failed) return
      if (code === 0) resolve()
      else reject(new Error(`filter thread exited with code ${code}`))
    })
  })
}
