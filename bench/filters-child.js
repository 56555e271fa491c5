// Child process of bench/filters.ts: one operation, one JSON line. tsx is registered here for
// the benchmark's own TypeScript only: not through `--import tsx`, which worker threads would
// inherit, so the filters and their pool threads run the built JavaScript as users run it.
import { register } from 'tsx/esm/api'

register()
const { runChild } = await import('./filters.ts')
const [dist, op] = process.argv.slice(2)
await runChild(dist, op)
