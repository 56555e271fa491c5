// Entry of a filter pool thread (see filter-threads.ts): announce readiness, then run each
// posted task (import the kernel's module, once per module thanks to the import cache; call the
// kernel on the shared buffers) and answer with its id. The thread stays up between tasks.
// After each task the thread collects its garbage: the task's arguments reference the caller's
// SharedArrayBuffers (volumes of hundreds of MB), and an idle thread's heap would otherwise not
// be collected for a long time, keeping them alive after the caller dropped them.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort } from 'node:worker_threads'

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

interface Task {
  id: number
  module: string
  name: string
  args: unknown
}

const port = parentPort
if (!port) throw new Error('filter-thread-worker.ts must run as a worker thread')

port.on('message', async (task: Task) => {
  try {
    const mod = (await import(task.module)) as Record<string, unknown>
    const kernel = mod[task.name]
    if (typeof kernel !== 'function') throw new Error(`${task.module} does not export a kernel named ${task.name}`)
    ;(kernel as (a: unknown) => void)(task.args)
    port.postMessage({ id: task.id, ok: true })
  } catch (error) {
    port.postMessage({ id: task.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) })
  }
  collectGarbage()
})
port.postMessage({ ready: true })
