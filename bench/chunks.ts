// Chunk benchmark (issue 7): the default pipeline whole (--no-chunks, 1 worker) vs chunked
// (default 64 MB chunks, 2 workers) on ../shared/data/ct-chest-141 and on a generated
// 512 x 512 x 600 CT (1 mm isotropic, so nothing is resampled), each run a child process
// (wall time, peak RSS including its worker threads). Then, as a chunk-worker Lambda would run
// them, prepare and a sample of chunks each in a process of its own (time on one core, peak RSS)
// feed a Lambda cost and latency model. Target (issue 7): speedup >= 1.7x on 2 cores; in the
// model a 512 x 512 x 600 case under 20 s wall and under $0.005.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeImage } from '../src/image/image.js'
import { writeNifti } from '../src/io/nifti.js'
import { makeRandom } from '../src/sample/random.js'
import { defaultDefinitionOptions } from '../infra/state-machine/definition.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const child = path.join(root, 'bench/chunks-child.ts')

/**
 * Prices, us-east-1, as published on the AWS pricing pages (Lambda arm64 first tier since the
 * Graviton2 launch, Sep 2021, unchanged as of 2025): Lambda arm64 $0.0000133334 per GB-s and
 * $0.20 per 1M requests; S3 Standard PUT $0.005 / 1000, GET $0.0004 / 1000 (S3 <-> Lambda in
 * one region: no transfer charge); SQS $0.40 per 1M requests; Step Functions Standard $0.025
 * per 1000 state transitions.
 */
const price = {
  asOf: '2025 (AWS pricing pages, us-east-1)',
  lambdaArm64PerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3TransferInRegion: 0,
  sqsPerRequest: 0.4 / 1e6,
  stepFunctionsPerTransition: 0.025 / 1000,
}
/** Lambda gives one full vCPU at 1769 MB: the measured one-core times need at least that. */
const oneVcpuMb = 1769

function spawnChild(...args: string[]) {
  const loadavgBefore = os.loadavg().map((x) => Number(x.toFixed(2)))
  const started = process.hrtime.bigint()
  const run = spawnSync(process.execPath, ['--import', 'tsx', child, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 })
  const wallMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6)
  if (run.status !== 0) throw new Error(`bench child ${args[0]} failed: ${run.stderr}`)
  return { wall_ms: wallMs, loadavg_before: loadavgBefore, ...JSON.parse(run.stdout.trim().split('\n').pop()!) }
}

/** A CT-like body: ellipse of soft tissue, a spine and ribs (bone crossing many slabs), noise. */
async function generatedCt(file: string) {
  const [nx, ny, nz] = [512, 512, 600]
  const data = new Int16Array(nx * ny * nz)
  const random = makeRandom('bench-chunks-ct', 1)
  for (let z = 0, p = 0; z < nz; z++) {
    const rib = z % 40 < 6
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, p++) {
        const ex = (x - 256) / 200, ey = (y - 256) / 150
        const r = ex * ex + ey * ey
        if (r > 1) { data[p] = -1024; continue }
        const spine = (x - 256) ** 2 + (y - 360) ** 2 < 400
        const bone = spine || (rib && r > 0.8)
        data[p] = Math.round((bone ? 700 : 40) + 20 * random.bell())
      }
    }
  }
  await writeNifti(makeImage({ size: [nx, ny, nz], spacing: [1, 1, 1], origin: [-256, -256, -300], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data), file)
}

function lambdaModel(input: string, scratch: string, chunkedStageMs: Record<string, number>) {
  const workDir = mkdtempSync(path.join(scratch, 'lambda-'))
  const prep = spawnChild('prepare', input, workDir)
  const n = prep.chunks as number
  const chunks = Array.from({ length: n }, (_, i) => spawnChild('chunk', workDir, String(i)))
  const asm = spawnChild('assemble', workDir)
  rmSync(workDir, { recursive: true, force: true })
  // Lambda durations estimated by CPU time (a dedicated vCPU; the measured walls on this shared
  // machine include waiting for other processes' work)
  const chunkCpu = chunks.map((c) => c.cpu_ms as number)
  const slowestChunkMs = Math.max(...chunkCpu)
  const mb = (rss: number) => Math.max(oneVcpuMb, Math.ceil((rss * 1.25) / 64) * 64)
  const memory = { prepare_mb: mb(prep.peak_rss_mb), chunk_mb: mb(Math.max(...chunks.map((c) => c.peak_rss_mb as number))), assemble_mb: mb(asm.peak_rss_mb) }
  const concurrency = Math.min(n, defaultDefinitionOptions.chunkConcurrency)
  const waves = Math.ceil(n / concurrency)
  const analyzeReportMs = chunkedStageMs.analyze + chunkedStageMs.report
  // ~50 ms per Step Functions transition and SQS hop (send, poll, SendTaskSuccess), no cold starts
  const orchestrationMs = 50 * (4 + 2 * waves)
  const latencyMs = prep.cpu_ms + waves * slowestChunkMs + asm.cpu_ms + analyzeReportMs + orchestrationMs
  const gbSeconds = (prep.cpu_ms / 1000) * (memory.prepare_mb / 1024)
    + chunkCpu.reduce((a, b) => a + b, 0) / 1000 * (memory.chunk_mb / 1024)
    + ((asm.cpu_ms + analyzeReportMs) / 1000) * (memory.assemble_mb / 1024)
  // per chunk: prepare PUTs the source; the worker GETs it, the manifest, the resample plan and
  // the facts, and PUTs image, labels, partials, shape partials and its two compressed output
  // parts; assemble GETs those six; plus ~10 per case (manifest, facts, outputs)
  const s3 = { puts: 7 * n + 10, gets: 10 * n + 10 }
  const cost = {
    lambda_compute: gbSeconds * price.lambdaArm64PerGbSecond,
    lambda_requests: (4 + n) * price.lambdaPerRequest,
    s3_requests: s3.puts * price.s3Put + s3.gets * price.s3Get,
    s3_transfer: price.s3TransferInRegion,
    sqs: 3 * n * price.sqsPerRequest,
    step_functions: (8 + 2 * n) * price.stepFunctionsPerTransition,
  }
  const total = Object.values(cost).reduce((a, b) => a + b, 0)
  return {
    formula: 'latency = prepare + ceil(chunks / concurrency) * slowest chunk + assemble + analyze + report + 50 ms per hop (stage times = CPU time of each stage run alone in its own process); cost = GB-s x price + requests',
    prices: price,
    prepare: prep,
    chunk_runs: chunks,
    assemble: asm,
    chunks: n,
    concurrency,
    memory,
    gb_seconds: Number(gbSeconds.toFixed(2)),
    latency_ms: Math.round(latencyMs),
    latency_target_ms: 20_000,
    cost_usd: Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, Number(v.toFixed(6))])),
    total_usd: Number(total.toFixed(6)),
    cost_target_usd: 0.005,
  }
}

function compare(name: string, input: string, scratch: string, withModel: boolean) {
  const run = (settings: object, workers: number) => {
    const out = mkdtempSync(path.join(scratch, 'out-'))
    try {
      return spawnChild('run', input, out, JSON.stringify(settings), String(workers))
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }
  const whole = run({ chunks: { enabled: false } }, 1)
  const chunked = run({}, 2)
  return {
    case: name,
    whole_1_worker: whole,
    chunked_2_workers: chunked,
    speedup: Number((whole.wall_ms / chunked.wall_ms).toFixed(2)),
    speedup_target: 1.7,
    // CPU time (user + system, all threads) is far less disturbed by other load than wall time:
    // chunked / whole = the price of chunking in work, whatever the machine's load
    cpu_ms: { whole: whole.cpu_ms, chunked: chunked.cpu_ms, chunked_over_whole: Number((chunked.cpu_ms / whole.cpu_ms).toFixed(2)) },
    ...(withModel ? { lambda_model: lambdaModel(input, scratch, chunked.stage_ms) } : {}),
  }
}

export function chunksBenchmark(shared: string) {
  const chest = path.join(shared, 'ct-chest-141')
  if (!existsSync(chest)) throw new Error(`${chest} is missing: the chunk benchmark needs ../shared/data`)
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'vf-bench-chunks-'))
  try {
    const generated = path.join(scratch, 'ct-512x512x600.nii.gz')
    const results = [compare('ct-chest-141', chest, scratch, false)]
    return generatedCt(generated).then(() => {
      results.push(compare('generated-512x512x600', generated, scratch, true))
      return {
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg_at_end: os.loadavg() },
        results,
      }
    }).finally(() => rmSync(scratch, { recursive: true, force: true }))
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true })
    throw error
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await chunksBenchmark(path.resolve(root, '../shared/data')), null, 2))
}
