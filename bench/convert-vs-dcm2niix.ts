// Benchmark (issue 3): `voxelflow convert` against Debian's dcm2niix on ct-chest-141 (141
// uncompressed 512 x 512 slices), both as whole processes, alternating, in one run; the ratio
// of the best wall times goes into bench/results, with a check that both NIfTIs hold the same
// voxels (after scl_slope/inter) and the same affine (sform, within 1e-4 mm). Target: voxelflow
// within 1.5x of dcm2niix. Skips with a note when dcm2niix is not installed
// (apt-get install dcm2niix).
// voxelflow runs as users run it, `node bin/voxelflow.js` on the built JavaScript; the bench runs
// `node bin/build.js` first so its numbers never come from stale sources (bin/voxelflow.js would
// then fall back to tsx). The machine is shared: runs alternate, best of 7 each, and the load
// average before and after goes with the numbers.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const target = 'voxelflow convert within 1.5x of dcm2niix (whole processes, uncompressed NIfTI), identical voxels and affine (issue 3)'

interface RawNifti {
  dims: number[]
  datatype: number
  values: Float64Array
  sform: number[][]
}

/** NIfTI-1 header fields and scaled voxel values, read directly from the file. */
function readRawNifti(file: string): RawNifti {
  const bytes = readFileSync(file)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const rank = view.getInt16(40, true)
  const dims = Array.from({ length: rank }, (_, i) => view.getInt16(42 + 2 * i, true))
  const datatype = view.getInt16(70, true)
  const offset = view.getFloat32(108, true)
  const slope = view.getFloat32(112, true) || 1
  const inter = view.getFloat32(116, true)
  const count = dims.reduce((a, b) => a * b, 1)
  const read: Record<number, [number, (o: number) => number]> = {
    2: [1, (o) => view.getUint8(o)],
    4: [2, (o) => view.getInt16(o, true)],
    8: [4, (o) => view.getInt32(o, true)],
    16: [4, (o) => view.getFloat32(o, true)],
    512: [2, (o) => view.getUint16(o, true)],
  }
  const [size, get] = read[datatype] ?? (() => { throw new Error(`${file}: NIfTI datatype ${datatype} not handled`) })()
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) values[i] = get(offset + i * size) * slope + inter
  const sform = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => view.getFloat32(280 + 16 * r + 4 * c, true)))
  return { dims, datatype, values, sform }
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint()
  const child = spawnSync(command, args, { encoding: 'utf8', cwd: root, env })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${child.status}): ${child.stderr || child.error}`)
  return ms
}

export function convertVsDcm2niix(shared: string): Record<string, unknown> {
  const version = spawnSync('dcm2niix', ['-v'], { encoding: 'utf8' })
  if (version.error) {
    return { name: 'convert-vs-dcm2niix', target, skipped: true, note: 'dcm2niix is not installed (Debian: apt-get install dcm2niix); nothing measured' }
  }
  const input = path.join(shared, 'ct-chest-141')
  const out = mkdtempSync(path.join(os.tmpdir(), 'vf-bench-dcm2niix-'))
  try {
    const build = spawnSync(process.execPath, [path.join(root, 'bin/build.js')], { encoding: 'utf8', cwd: root })
    if (build.status !== 0) throw new Error(`node bin/build.js failed: ${build.stderr}`)
    // NODE_EXTRA_CA_CERTS (set on some machines, e.g. to the whole system bundle) makes every
    // Node process parse those certificates at start (~0.08 s here); dcm2niix pays nothing like
    // it. Both tools are timed in the environment as it is and, when it is set, without it.
    const environments: Record<string, NodeJS.ProcessEnv> = { as_is: process.env }
    if (process.env.NODE_EXTRA_CA_CERTS) {
      const { NODE_EXTRA_CA_CERTS: _, ...rest } = process.env
      environments.without_node_extra_ca_certs = rest
    }
    const times = Object.fromEntries(Object.keys(environments).map((name) => [name, { voxelflow: [] as number[], dcm2niix: [] as number[] }]))
    const loadBefore = os.loadavg().map((v) => +v.toFixed(2))
    for (let n = 0; n < 7; n++) {
      for (const [name, env] of Object.entries(environments)) {
        // Both start without their previous output (untimed): overwriting a 74 MB file means
        // truncating it first, which dcm2niix, writing into an emptied folder, never pays.
        rmSync(path.join(out, 'voxelflow.nii'), { force: true })
        times[name].voxelflow.push(timed(process.execPath, [path.join(root, 'bin/voxelflow.js'), 'convert', input, path.join(out, 'voxelflow.nii')], env))
        rmSync(path.join(out, 'dcm2niix'), { recursive: true, force: true })
        spawnSync('mkdir', ['-p', path.join(out, 'dcm2niix')])
        times[name].dcm2niix.push(timed('dcm2niix', ['-b', 'y', '-z', 'n', '-f', 'chest', '-o', path.join(out, 'dcm2niix'), input], env))
      }
    }
    const ours = readRawNifti(path.join(out, 'voxelflow.nii'))
    const theirsFile = readdirSync(path.join(out, 'dcm2niix')).find((f) => f.endsWith('.nii'))
    if (!theirsFile) throw new Error('dcm2niix wrote no .nii')
    const theirs = readRawNifti(path.join(out, 'dcm2niix', theirsFile))
    let differing = 0
    for (let i = 0; i < Math.min(ours.values.length, theirs.values.length); i++) if (ours.values[i] !== theirs.values[i]) differing++
    let affineMaxDiff = 0
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) affineMaxDiff = Math.max(affineMaxDiff, Math.abs(ours.sform[r][c] - theirs.sform[r][c]))
    const best = (xs: number[]) => Math.round(Math.min(...xs))
    const byEnvironment = Object.fromEntries(Object.entries(times).map(([name, t]) => {
      const ratio = best(t.voxelflow) / best(t.dcm2niix)
      return [name, {
        voxelflow_ms: t.voxelflow.map(Math.round),
        dcm2niix_ms: t.dcm2niix.map(Math.round),
        best_voxelflow_ms: best(t.voxelflow),
        best_dcm2niix_ms: best(t.dcm2niix),
        ratio: +ratio.toFixed(2),
        within_target: ratio <= 1.5,
      }]
    }))
    return {
      name: 'convert-vs-dcm2niix',
      target,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, load_average_before: loadBefore, load_average: os.loadavg().map((v) => +v.toFixed(2)) },
      voxelflow_command: 'node bin/voxelflow.js convert (built dist/, after node bin/build.js)',
      dcm2niix_version: (version.stdout || version.stderr).trim().split('\n').pop(),
      environments: byEnvironment,
      identical: {
        dims: JSON.stringify(ours.dims) === JSON.stringify(theirs.dims),
        datatypes: [ours.datatype, theirs.datatype],
        differing_voxels: differing,
        affine_max_abs_diff_mm: +affineMaxDiff.toExponential(3),
        affine_within_1e4: affineMaxDiff <= 1e-4,
      },
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
