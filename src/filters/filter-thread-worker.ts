// Entry of a filter pool thread (see filter-threads.ts): announce readiness, then run each
// posted task (import the kernel's module once, call the kernel on the shared buffers) and
// answer with its id. The thread stays up between tasks.
// After each task the thread collects its garbage: the task's arguments reference the caller's
// SharedArrayBuffers (volumes of hundreds of MB), and an idle thread's heap would otherwise not
// be collected for a long time, keeping them alive after the caller dropped them.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort } from 'node:worker_threads'

interface Task {
  id: number
  module: string
  name: string
  args: unknown
}

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

const port = parentPort
if (!port) throw new Error('filter-thread-worker.ts must run as a worker thread')
const modules = new Map<string, Record<string, unknown>>()

/** Runs the kernel; answers when it returns or, for a kernel returning a promise, when that settles. */
function run(task: Task, mod: Record<string, unknown>): void {
  const kernel = mod[task.name]
  if (typeof kernel !== 'function') throw new Error(`${task.module} does not export a kernel named ${task.name}`)
  const result = (kernel as (a: unknown) => unknown)(task.args)
  if (result instanceof Promise) result.then(() => answer(task.id), (error: unknown) => answer(task.id, error))
  else answer(task.id)
}

function answer(id: number, error?: unknown): void {
  if (error === undefined) port!.postMessage({ id, ok: true })
  else port!.postMessage({ id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) })
}

port.on('message', (task: Task | { collect: true }) => {
  if ('collect' in task) {
    collectGarbage()
    setTimeout(collectGarbage, 20)
    return
  }
  const id = task.id
  const loaded = modules.get(task.module)
  if (loaded) {
    try {
      run(task, loaded)
    } catch (error) {
      answer(id, error)
    }
    return
  }
  import(task.module).then(
    (mod: Record<string, unknown>) => {
      modules.set(task.module, mod)
      run(task, mod)
    },
  ).catch((error: unknown) => answer(id, error))
})
port.postMessage({ ready: true })
