// What the optional intensity stages cost: `voxelflow run` on ct-chest-141 (512 x 512 x 289
// output) plain and with the README's two derived images (lung window + min-max, HU clip +
// z-score), alternated so that both see the same machine load, best of `rounds`; each run is a
// whole process through bin/voxelflow.js. Records wall time, the report's stage timings and the
// load average (the machine is shared: compare the ratio, not absolute times).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

export const derivedImagesBenchConfig = {
  derived_images: [
    { name: 'lung', steps: [{ op: 'window', preset: 'lung' }, { op: 'normalize', method: 'min-max' }] },
    { name: 'model_input', steps: [{ op: 'clip', lower: -1000, upper: 1000 }, { op: 'normalize', method: 'z-score' }] },
  ],
}

interface RunRecord { wall_ms: number; timings_ms: Record<string, number>; load_average: number[] }

export function derivedImagesBenchmark(shared: string, rounds = 2) {
  const input = path.join(shared, 'ct-chest-141')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-bench-derived-'))
  const configs = { plain: {}, derived: derivedImagesBenchConfig }
  const runs: Record<string, RunRecord[]> = { plain: [], derived: [] }
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [name, config] of Object.entries(configs)) {
        const file = path.join(dir, `${name}.json`)
        writeFileSync(file, JSON.stringify(config))
        const out = path.join(dir, `out-${name}-${round}`)
        const started = process.hrtime.bigint()
        const child = spawnSync(process.execPath, [path.join(root, 'bin/voxelflow.js'), 'run', input, '--out', out, '--config', file, '--json', '--no-progress'], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 26 })
        const wall_ms = Math.round(Number(process.hrtime.bigint() - started) / 1e6)
        if (child.status !== 0) throw new Error(`voxelflow run (${name}) failed: ${child.stderr}`)
        const [report] = JSON.parse(child.stdout) as { timings_ms: Record<string, number> }[]
        runs[name].push({ wall_ms, timings_ms: report.timings_ms, load_average: os.loadavg().map((l) => Math.round(l * 100) / 100) })
        rmSync(out, { recursive: true, force: true })
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const best = (name: string) => Math.min(...runs[name].map((r) => r.wall_ms))
  return { config: derivedImagesBenchConfig, runs, best_wall_ms: { plain: best('plain'), derived: best('derived') }, ratio: best('derived') / best('plain') }
}
