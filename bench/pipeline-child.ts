// Runs the default pipeline once in this process and prints its own measurements as JSON,
// so the parent can time the whole process and read peak memory (which includes worker threads).
import { runLocal } from '../src/local/run-local.js'

const [input, out] = process.argv.slice(2)
const summary = await runLocal({ input, out })
const report = summary.cases[0]?.report
console.log(
  JSON.stringify({
    ms_in_process: summary.ms,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    status: report?.status,
    stage_ms: report?.timings_ms,
    input_size: report?.input?.size_voxels,
    output_size: report?.output_grid?.size_voxels,
  }),
)
