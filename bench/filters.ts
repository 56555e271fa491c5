// Filter benchmark (issue 4): each operation timed on a generated 512 x 512 x 200 int16 CT-like
// volume, spacing 0.7 x 0.7 x 2.5 mm, each in its own child process so that the peak memory
// (getrusage maxRSS) belongs to that operation alone. Targets: native multithreaded ITK 5.2 on
// the same 2-core machine; memory target: peak <= 3x the volume's float32 size.
// The operations run the built JavaScript (dist/, `node bin/build.js` runs first), as the
// voxelflow command does: filter threads then start without the TypeScript loader. `--dist DIR`
// times another build (e.g. an older commit's) in the same run, for before/after ratios.
// Usage: tsx bench/filters.ts [--dist DIR] [op ...]   (prints the JSON of filtersBenchmark())
//        (child) node bench/filters-child.js <dist> <op>: one operation, one JSON line
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Image } from '../src/image/image.js'

const SIZE = [512, 512, 200] as const
const SPACING = [0.7, 0.7, 2.5] as const
const FLOAT32_BYTES = SIZE[0] * SIZE[1] * SIZE[2] * 4

interface Operation {
  target: string
  targetMs: number
  run: (ct: Image, lib: Library) => Promise<unknown> | unknown
}

/** The library modules the operations use, imported from a build (dist/). */
async function loadLibrary(dist: string) {
  const load = (file: string) => import(pathToFileURL(path.join(dist, 'src', file)).href)
  const [image, resample, morphology, threshold, laplacian, n4, maurer, ahe, otsu, morphologyThreads] = await Promise.all([
    'image/image.js', 'filters/resample.js', 'filters/binary-morphology.js', 'filters/binary-threshold.js',
    'filters/laplacian-sharpening.js', 'filters/n4-bias-field-correction.js', 'filters/signed-maurer-distance.js',
    'filters/adaptive-histogram-equalization.js', 'filters/otsu-threshold.js',
    // absent from builds before issue 4h (a --dist baseline): its ops then report the missing function
    'filters/binary-morphology-threads.js',
  ].map((f) => (f.endsWith('-threads.js') ? load(f).catch(() => ({})) : load(f))))
  return {
    ...image, ...resample, ...morphology, ...threshold, ...laplacian, ...n4, ...maurer, ...ahe, ...otsu, ...morphologyThreads,
  } as typeof import('../src/image/image.js') & typeof import('../src/filters/resample.js')
    & typeof import('../src/filters/binary-morphology.js') & typeof import('../src/filters/binary-threshold.js')
    & typeof import('../src/filters/laplacian-sharpening.js') & typeof import('../src/filters/n4-bias-field-correction.js')
    & typeof import('../src/filters/signed-maurer-distance.js') & typeof import('../src/filters/adaptive-histogram-equalization.js')
    & typeof import('../src/filters/otsu-threshold.js') & typeof import('../src/filters/binary-morphology-threads.js')
}
type Library = Awaited<ReturnType<typeof loadLibrary>>

const boneMask = (ct: Image, lib: Library) => lib.makeImage(lib.gridOf(ct), lib.thresholdPixels(lib.pixelsOf(ct), 200))

const operations: Record<string, Operation> = {
  'resample-bspline-1mm': {
    target: 'ITK ResampleImageFilter + BSplineInterpolateImageFunction (order 3) to 1 mm: 8.6 s',
    targetMs: 8600,
    run: (ct, lib) => lib.resample(ct, lib.isotropicGrid(lib.gridOf(ct), 1), { interpolator: 'bspline', defaultValue: -1024 }),
  },
  'resample-bspline-1mm-f32': {
    target: 'ITK ResampleImageFilter + BSplineInterpolateImageFunction (order 3) to 1 mm: 8.6 s (float32 in-between volume: the default for float32 outputs since issue 4c)',
    targetMs: 8600,
    run: (ct, lib) => lib.resample(ct, lib.isotropicGrid(lib.gridOf(ct), 1), { interpolator: 'bspline', defaultValue: -1024, intermediate: 'float32' }),
  },
  'resample-bspline-1mm-f64': {
    target: 'ITK ResampleImageFilter + BSplineInterpolateImageFunction (order 3) to 1 mm: 8.6 s (float64 in-between volume: the default before issue 4c)',
    targetMs: 8600,
    run: (ct, lib) => lib.resample(ct, lib.isotropicGrid(lib.gridOf(ct), 1), { interpolator: 'bspline', defaultValue: -1024, intermediate: 'float64' }),
  },
  'resample-bspline-1mm-int16': {
    target: 'ITK ResampleImageFilter + BSplineInterpolateImageFunction (order 3) to 1 mm: 8.6 s (int16 output, as the pipeline writes CT: float64 in-between volume)',
    targetMs: 8600,
    run: (ct, lib) => lib.resample(ct, lib.isotropicGrid(lib.gridOf(ct), 1), { interpolator: 'bspline', defaultValue: -1024, outputType: 'int16' }),
  },
  'resample-bspline-1mm-threads': {
    target: 'ITK ResampleImageFilter + BSplineInterpolateImageFunction (order 3) to 1 mm: 8.6 s (resampleAsync: one thread per core)',
    targetMs: 8600,
    run: (ct, lib) => lib.resampleAsync(ct, lib.isotropicGrid(lib.gridOf(ct), 1), { interpolator: 'bspline', defaultValue: -1024 }),
  },
  'resample-linear-1mm': {
    target: 'ITK ResampleImageFilter, linear, to 1 mm: 0.5 s',
    targetMs: 500,
    run: (ct, lib) => lib.resample(ct, lib.isotropicGrid(lib.gridOf(ct), 1), { interpolator: 'linear', defaultValue: -1024 }),
  },
  'resample-linear-1mm-threads': {
    target: 'ITK ResampleImageFilter, linear, to 1 mm: 0.5 s (resampleAsync: one thread per core)',
    targetMs: 500,
    run: (ct, lib) => lib.resampleAsync(ct, lib.isotropicGrid(lib.gridOf(ct), 1), { interpolator: 'linear', defaultValue: -1024 }),
  },
  'closing-r3': {
    target: 'ITK BinaryMorphologicalClosingImageFilter, ball radius 3: 3.8 s (mask: HU >= 200)',
    targetMs: 3800,
    run: (ct, lib) => lib.closeMask(lib.thresholdPixels(lib.pixelsOf(ct), 200), ct.size, 3),
  },
  'closing-r3-threads': {
    target: 'ITK BinaryMorphologicalClosingImageFilter, ball radius 3: 3.8 s (mask: HU >= 200; closeMaskAsync: one thread per core)',
    targetMs: 3800,
    run: (ct, lib) => lib.closeMaskAsync(lib.thresholdPixels(lib.pixelsOf(ct), 200), ct.size, 3),
  },
  'laplacian-sharpening': {
    target: 'ITK LaplacianSharpeningImageFilter: 2.3 s',
    targetMs: 2300,
    run: (ct, lib) => lib.laplacianSharpening(ct),
  },
  'laplacian-sharpening-threads': {
    target: 'ITK LaplacianSharpeningImageFilter: 2.3 s (laplacianSharpeningAsync: one thread per core)',
    targetMs: 2300,
    run: (ct, lib) => lib.laplacianSharpeningAsync(ct),
  },
  'signed-maurer': {
    target: 'ITK SignedMaurerDistanceMapImageFilter: 1.0 s (mask: HU >= 200)',
    targetMs: 1000,
    run: (ct, lib) => lib.signedMaurerDistanceAsync(boneMask(ct, lib)),
  },
  'ahe-r3': {
    target: 'ITK AdaptiveHistogramEqualizationImageFilter radius 3: 7 s (ITK itself: 74 s)',
    targetMs: 7000,
    run: (ct, lib) => lib.adaptiveHistogramEqualization(ct, { alpha: 0.3, beta: 0.3, radius: 3 }),
  },
  'n4-shrink4': {
    target: 'ITK N4BiasFieldCorrectionImageFilter, shrink factor 4 (Otsu mask): 4.4 s',
    targetMs: 4400,
    run: (ct, lib) => lib.n4BiasFieldCorrection(ct, { shrinkFactor: 4 }),
  },
  'n4-shrink4-threads': {
    target: 'ITK N4BiasFieldCorrectionImageFilter, shrink factor 4 (Otsu mask): 4.4 s (n4BiasFieldCorrectionAsync: full-resolution field on one thread per core)',
    targetMs: 4400,
    run: (ct, lib) => lib.n4BiasFieldCorrectionAsync(ct, { shrinkFactor: 4 }),
  },
  'otsu-128': {
    target: 'ITK OtsuThresholdImageFilter, 128 bins (no ITK time given)',
    targetMs: NaN,
    run: (ct, lib) => lib.otsuThreshold(ct, { bins: 128 }),
  },
}

/**
 * A deterministic CT-like volume: air, an elliptic body (fat rim, soft tissue, two lungs),
 * a spine, ribs and a pelvis-like ring of bone (with marrow), Gaussian-like noise of ~15 HU.
 * Written straight into the int16 array (no temporaries).
 */
export function ctLikeVolume({ makeImage }: Pick<Library, 'makeImage'>): Image {
  const [nx, ny, nz] = SIZE
  const data = new Int16Array(nx * ny * nz)
  let s = 0x2545f491
  const noise = () => {
    // sum of 4 uniforms: roughly Gaussian, sd ~ 15 HU
    let t = 0
    for (let k = 0; k < 4; k++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5
      t += (s >>> 0) / 4294967296
    }
    return (t - 2) * 26
  }
  const cx = nx / 2, cy = ny / 2
  for (let z = 0; z < nz; z++) {
    const zf = z / nz
    const lungs = zf > 0.45 // upper part: thorax with lungs; lower part: abdomen/pelvis
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const ex = (x - cx) / 220, ey = (y - cy) / 160
        const r = ex * ex + ey * ey
        let hu = -1000
        if (r < 1) {
          hu = r > 0.85 ? -100 : 40
          if (lungs) {
            const l1 = ((x - cx + 95) / 70) ** 2 + ((y - cy + 10) / 95) ** 2
            const l2 = ((x - cx - 95) / 70) ** 2 + ((y - cy + 10) / 95) ** 2
            if (l1 < 1 || l2 < 1) hu = -850
            const ribR = ex * ex + ey * ey
            if (ribR > 0.7 && ribR < 0.76 && (Math.floor(z / 6) % 2 === 0)) hu = 700
          } else {
            const ring = (((x - cx) / 150) ** 2 + ((y - cy + 20) / 100) ** 2)
            if (ring > 0.8 && ring < 1) hu = ring > 0.86 && ring < 0.94 ? 250 : 900
          }
          const sp = ((x - cx) / 28) ** 2 + ((y - cy - 100) / 30) ** 2
          if (sp < 1) hu = sp < 0.5 ? 300 : 1100
        }
        data[(z * ny + y) * nx + x] = Math.round(hu + noise())
      }
    }
  }
  return makeImage({ size: [...SIZE], spacing: [...SPACING], origin: [-179.2, -179.2, -250], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data, 'ct-like')
}

/** Wall and CPU time (all threads of the process) of one call; the result is dropped. */
async function timeCall(op: Operation, ct: Image, lib: Library): Promise<{ ms: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage()
  const started = performance.now()
  await op.run(ct, lib)
  const ms = performance.now() - started
  const cpu = process.cpuUsage(cpu0)
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }
}

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {})

/**
 * One operation in this process: a first call (thread pool start and JIT included), then steady
 * calls on the warm process, as ITK's targets were measured (its threads start in microseconds;
 * ours load the TypeScript loader, ~0.6-1 s, once per process). Steady calls: 3, or 1 when the
 * first call took over 4 s of CPU (wall time would depend on the machine's load). The memory peak covers all calls (results are dropped in between).
 */
export async function runChild(dist: string, name: string): Promise<void> {
  const lib = await loadLibrary(dist)
  const op = operations[name]
  if (!op) throw new Error(`unknown operation ${name}; known: ${Object.keys(operations).join(', ')}`)
  const t0 = performance.now()
  const ct = ctLikeVolume(lib)
  const generateMs = performance.now() - t0
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20
  const first = await timeCall(op, ct, lib)
  const firstPeakMb = process.resourceUsage().maxRSS / 1024
  const steady: { ms: number; cpuMs: number }[] = []
  for (let n = first.cpuMs > 4000 ? 1 : 3; n > 0; n--) {
    collect()
    steady.push(await timeCall(op, ct, lib))
  }
  const best = steady.reduce((a, b) => (b.ms < a.ms ? b : a))
  const peakMb = process.resourceUsage().maxRSS / 1024
  console.log(JSON.stringify({
    op: name,
    ms: Math.round(best.ms),
    cpu_ms: Math.round(best.cpuMs),
    steady_ms: steady.map((r) => Math.round(r.ms)),
    first_call_ms: Math.round(first.ms),
    first_call_cpu_ms: Math.round(first.cpuMs),
    peak_rss_mb: Math.round(peakMb),
    // the first call alone: a pool thread keeps the previous call's shared buffers until it
    // collects garbage, so later calls can peak higher (see filter-thread-worker.ts)
    first_call_peak_rss_mb: Math.round(firstPeakMb),
    rss_before_op_mb: Math.round(rssBeforeMb),
    generate_ms: Math.round(generateMs),
    // other work on the machine: wall >> cpu for a one-thread operation means it waited for a core
    load_avg_1m: Number(os.loadavg()[0].toFixed(2)),
  }))
}

/** The commit a build came from: `git describe` of the checkout holding it, or its COMMIT file. */
function buildCommit(dist: string): string | null {
  const checkout = path.dirname(dist)
  const file = path.join(checkout, 'COMMIT')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  try {
    return execFileSync('git', ['-C', checkout, 'describe', '--always', '--dirty', '--abbrev=12'], { encoding: 'utf8' }).trim()
  } catch {
    return null
  }
}

/**
 * Every operation (or the named ones) in its own child process; the results as JSON. The
 * operations run the build in `dist` (default: this checkout's dist/, rebuilt first).
 */
export function filtersBenchmark(only: string[] = [], dist?: string): object {
  const root = fileURLToPath(new URL('..', import.meta.url))
  if (!dist) {
    execFileSync(process.execPath, [path.join(root, 'bin/build.js')], { stdio: 'inherit' })
    dist = path.join(root, 'dist')
  }
  const child = fileURLToPath(new URL('./filters-child.js', import.meta.url))
  const results = []
  for (const [name, op] of Object.entries(operations)) {
    if (only.length && !only.includes(name)) continue
    const run = spawnSync(process.execPath, ['--expose-gc', child, dist, name], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 })
    if (run.status !== 0) {
      results.push({ op: name, target: op.target, error: (run.stderr || run.stdout).trim().split('\n').slice(-5).join('\n') })
      continue
    }
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ms: number; peak_rss_mb: number }
    results.push({
      ...r,
      target: op.target,
      target_ms: Number.isNaN(op.targetMs) ? null : op.targetMs,
      meets_time_target: Number.isNaN(op.targetMs) ? null : r.ms <= op.targetMs,
      memory_target_mb: Math.round((3 * FLOAT32_BYTES) / 2 ** 20),
      meets_memory_target: r.peak_rss_mb * 2 ** 20 <= 3 * FLOAT32_BYTES,
    })
  }
  return {
    name: 'filters-512x512x200',
    volume: { size: SIZE, spacing_mm: SPACING, type: 'int16', float32_mb: Math.round(FLOAT32_BYTES / 2 ** 20) },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    build: { dist, commit: buildCommit(dist) },
    load_avg_1m_at_end: Number(os.loadavg()[0].toFixed(2)),
    note: 'each operation in its own process, running the built JavaScript (dist/); ms = best steady-state wall time of the operation (warm process and thread pool, volume generation excluded), compared with the target because ITK was timed warm too; first_call_ms = the first call (thread pool start, JIT); cpu_ms = CPU time of all its threads in that best call; peak_rss_mb = the process\'s peak RSS in MiB over all calls (includes the int16 input, Node and the pool threads); memory target = 3 x 200 MiB; load_avg_1m = the machine\'s load when the operation ended',
    results,
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const args = process.argv.slice(2)
  const at = args.indexOf('--dist')
  const dist = at >= 0 ? path.resolve(args.splice(at, 2)[1]) : undefined
  console.log(JSON.stringify(filtersBenchmark(args, dist), null, 2))
}
