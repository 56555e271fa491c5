// Child process of bench/chunks.ts: one measurement per process so that getrusage's peak RSS
// belongs to it alone (worker threads included). Prints one JSON line.
//   run <input> <out> <settings.json text> <workers>   the whole local pipeline (voxelflow run)
//   prepare <input> <workDir> [settings] [parallelism]  prepare alone, as its Lambda would run it
//   chunk <workDir> <index>                             one chunk alone, as a chunk-worker Lambda
//   assemble <workDir>                                  assemble alone, after every chunk ran
// cpu_ms (user + system, all threads) is what a dedicated vCPU would spend: on a shared machine
// it is far less disturbed by other processes than wall time.
// Each mode imports only what it runs (as `voxelflow run` does), so start-up time is the product's.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { ExecutionInput, Prepared } from '../src/pipeline/state.js'

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024)
const cpuMs = () => {
  const usage = process.resourceUsage()
  return Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000)
}
const [mode, ...args] = process.argv.slice(2)

if (mode === 'run') {
  const [input, out, settings, workers] = args
  const [{ runLocal }, { parseConfig }] = await Promise.all([import('../src/local/run-local.js'), import('../src/pipeline/config.js')])
  const summary = await runLocal({ input, out, config: parseConfig(JSON.parse(settings)), workers: Number(workers) })
  const report = summary.cases[0].report
  // chunkTimeline: absent when the child runs an older tree (bench/chunks.ts BENCH_BASELINE)
  const timeline = (summary as { chunkTimeline?: unknown }).chunkTimeline
  console.log(JSON.stringify({ ms_in_process: summary.ms, cpu_ms: cpuMs(), peak_rss_mb: peakRssMb(), status: report.status, chunks: report.chunks, stage_ms: report.timings_ms, output_size: report.output_grid?.size_voxels, chunk_timeline: timeline }))
} else if (mode === 'prepare') {
  const [input, workDir, settings, parallelism] = args
  const [{ discoverCases }, { folderStores }, { parseConfig }, { planRun }, { prepare }] = await Promise.all([
    import('../src/local/discover-cases.js'), import('../src/local/folder-stores.js'), import('../src/pipeline/config.js'), import('../src/pipeline/plan-run.js'), import('../src/pipeline/stages/prepare.js'),
  ])
  const [c] = await discoverCases(input)
  const buckets = { input: c.root, work: path.join(workDir, 'work'), output: path.join(workDir, 'output') }
  const stores = folderStores(buckets)
  const objects = await Promise.all(c.keys.map(async (key) => {
    const info = (await stores('input').head(key))!
    return { bucket: 'input', key, size: info.size, etag: info.etag, role: 'auto' as const }
  }))
  const planned = await planRun({ dataset: '', caseId: c.caseId, objects, config: parseConfig(JSON.parse(settings ?? '{}')), work: stores('work'), outputBucket: 'output', outputRoot: '' })
  const started = Date.now()
  const cpuBefore = cpuMs()
  const prepared = await prepare(planned.input, { stores, chunkParallelism: parallelism ? Number(parallelism) : undefined })
  await fs.writeFile(path.join(workDir, 'state.json'), JSON.stringify({ buckets, input: planned.input, prepared }))
  console.log(JSON.stringify({ ms: Date.now() - started, cpu_ms: cpuMs() - cpuBefore, peak_rss_mb: peakRssMb(), chunks: prepared.chunks.length }))
} else if (mode === 'chunk') {
  const [workDir, index] = args
  const [{ folderStores }, { processChunk }] = await Promise.all([import('../src/local/folder-stores.js'), import('../src/pipeline/stages/process-chunk.js')])
  const state = JSON.parse(await fs.readFile(path.join(workDir, 'state.json'), 'utf8')) as { buckets: Record<string, string>; input: ExecutionInput; prepared: Prepared }
  const chunk = state.prepared.chunks[Number(index)]
  const started = Date.now()
  const cpuBefore = cpuMs()
  const result = await processChunk({ chunk, case: state.input.case, run: state.input.run }, { stores: folderStores(state.buckets) })
  await fs.writeFile(path.join(workDir, `result-${index}.json`), JSON.stringify(result))
  console.log(JSON.stringify({ ms: Date.now() - started, cpu_ms: cpuMs() - cpuBefore, peak_rss_mb: peakRssMb(), slices: chunk.k1 - chunk.k0, halo: chunk.haloBefore + chunk.haloAfter }))
} else if (mode === 'assemble') {
  const [workDir] = args
  const [{ folderStores }, { assemble }] = await Promise.all([import('../src/local/folder-stores.js'), import('../src/pipeline/stages/assemble.js')])
  const state = JSON.parse(await fs.readFile(path.join(workDir, 'state.json'), 'utf8')) as { buckets: Record<string, string>; input: ExecutionInput; prepared: Prepared }
  const chunkResults = await Promise.all(state.prepared.chunks.map(async (_, i) => JSON.parse(await fs.readFile(path.join(workDir, `result-${i}.json`), 'utf8'))))
  const started = Date.now()
  const cpuBefore = cpuMs()
  await assemble({ case: state.input.case, run: state.input.run, prepared: state.prepared, chunkResults }, { stores: folderStores(state.buckets) })
  console.log(JSON.stringify({ ms: Date.now() - started, cpu_ms: cpuMs() - cpuBefore, peak_rss_mb: peakRssMb() }))
} else {
  throw new Error(`unknown mode ${mode}`)
}
