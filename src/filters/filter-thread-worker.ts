// Entry of a filter worker thread (see filter-threads.ts): import the kernel's module, run
// the kernel once on the shared buffers, report, exit.
import { parentPort, workerData } from 'node:worker_threads'

const { module, name, args } = workerData as { module: string; name: string; args: unknown }

try {
  const mod = (await import(module)) as Record<string, unknown>
  const kernel = mod[name]
  if (typeof kernel !== 'function') throw new Error(`${module} does not export a kernel named ${name}`)
  ;(kernel as (a: unknown) => void)(args)
  parentPort?.postMessage({ ok: true })
} catch (error) {
  parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) })
}
