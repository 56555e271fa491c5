// Benchmark of src/metrics on the pair sizes: two 512 x 512 x 200 masks, spacing
// 0.7 x 0.7 x 2.5 mm. A bone-like shape (femoral shafts with a marrow cavity, condyles,
// femoral heads and necks, trochanters, acetabular shells, iliac wings, pubic rami, sacrum,
// two lumbar bodies; about 5 % of the volume, its bounding box ~ 390 x 230 x 200 voxels) against
// (a) a copy shifted by 2 voxels along i and (b) a copy dilated by 1 voxel (ITK ball, 19
// neighbours). Times every metric of one pair (compareLabelImages: census, crop, surfaces,
// distances both ways, Hausdorff 100 / 95, ASD, overlaps and surface Dice at 1 and 2 mm, Dice,
// Jaccard, sensitivity, precision, volumes, RAVD, CHAOS ASSD / MSSD). Target: <= 0.7 s per
// pair, peak memory <= 1 GB. Debian's `plastimatch dice --all` is timed on the same pairs
// when installed (it reads NIfTI, written here uncompressed).
//
// metricsBenchmark() runs the measurement in a child process (`node --import tsx
// bench/metrics.ts --child`) so its peak RSS is the benchmark's own.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { dilateMask } from '../src/filters/binary-morphology.js'
import { makeImage } from '../src/image/image.js'
import { compareLabelImages } from '../src/metrics/compare-labels.js'

const SIZE = [512, 512, 200] as const
const SPACING = [0.7, 0.7, 2.5] as const
const here = fileURLToPath(import.meta.url)
const root = path.resolve(path.dirname(here), '..')

export function metricsBenchmark(): object {
  const child = spawnSync(process.execPath, ['--import', 'tsx', here, '--child'], {
    encoding: 'utf8', cwd: root, maxBuffer: 1 << 24, timeout: 600_000,
  })
  if (child.status !== 0) throw new Error(`metrics benchmark failed: ${child.stderr}`)
  const measured = JSON.parse(child.stdout.trim().split('\n').pop()!)
  return {
    name: 'metrics-512x512x200',
    target: 'all metrics of one pair <= 0.7 s, peak memory <= 1 GB (reference library: 6.5-8.8 s for surface distances + HD95; plastimatch dice --all ~3.1 s)',
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    ...measured,
  }
}

/** Child: build the masks, time the pairs, report JSON on the last stdout line. */
function runChild(): void {
  const started = performance.now()
  const bone = boneLikeMask()
  const shifted = shiftMask(bone, 2)
  const dilated = dilateMask(bone, SIZE, 1)
  const setupMs = performance.now() - started
  const grid = { size: [...SIZE], spacing: [...SPACING], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
  const reference = makeImage(grid, bone, 'bone')
  const pairs: Record<string, object> = {}
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vf-metrics-bench-'))
  const plastimatch = which('plastimatch')
  try {
    if (plastimatch) writeNiftiU8(path.join(tmp, 'bone.nii'), bone)
    for (const [name, mask] of [['shifted-2-voxels', shifted], ['dilated-1-voxel', dilated]] as const) {
      const prediction = makeImage(grid, mask, name)
      const runs: number[] = []
      let report
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now()
        report = compareLabelImages(reference, prediction, { tolerancesMm: [1, 2], percentile: 95 })
        runs.push(Math.round(performance.now() - t0))
      }
      const l = report!.labels[0]
      const result: Record<string, unknown> = {
        runs_ms: runs,
        best_ms: Math.min(...runs),
        voxels: l.voxel_count,
        surfels: l.surface.surfel_count,
        dice: l.volumetric_dice,
        asd_mm: l.surface.average_surface_distance_mm,
        hd100_mm: l.surface.hausdorff_100_mm,
        hd95_mm: l.surface.hausdorff_percentile_mm,
        surface_dice_1mm: l.surface.surface_dice[0].value,
        mssd_mm: l.chaos.mssd_mm,
      }
      if (plastimatch) {
        const file = path.join(tmp, `${name}.nii`)
        writeNiftiU8(file, mask)
        const t0 = performance.now()
        const run = spawnSync(plastimatch, ['dice', '--all', path.join(tmp, 'bone.nii'), file], { encoding: 'utf8' })
        const ms = Math.round(performance.now() - t0)
        result.plastimatch = run.status === 0 ? { wall_ms: ms, output: summarizePlastimatch(run.stdout) } : { error: run.stderr.slice(0, 500) }
      }
      pairs[name] = result
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  const out = {
    note: 'runs_ms[0] is the first call in a fresh process (JIT compilation included); each run is one compareLabelImages call',
    size: SIZE, spacing_mm: SPACING,
    foreground_voxels: count(bone),
    setup_ms: Math.round(setupMs),
    pairs,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    plastimatch: plastimatch ?? 'not installed',
  }
  console.log(JSON.stringify(out))
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null
}

function summarizePlastimatch(stdout: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const m = /^\s*([A-Za-z0-9 ()%_.-]+?)\s*[:=]\s*(\S.*)$/.exec(line)
    if (m) out[m[1].trim()] = m[2].trim()
  }
  return out
}

function count(mask: Uint8Array): number {
  let n = 0
  for (let t = 0; t < mask.length; t++) n += mask[t]
  return n
}

/** Shift by `dx` voxels along i (zero fill). */
export function shiftMask(mask: Uint8Array, dx: number): Uint8Array {
  const [n0] = SIZE
  const out = new Uint8Array(mask.length)
  for (let row = 0; row < mask.length; row += n0) out.set(mask.subarray(row, row + n0 - dx), row + dx)
  return out
}

// ---- the bone-like shape: primitives painted over their own bounding boxes (mm, x/y/z) ----

type Inside = (x: number, y: number, z: number) => boolean
interface Primitive { lo: [number, number, number]; hi: [number, number, number]; inside: Inside }

export function boneLikeMask(): Uint8Array {
  const [n0, n1, n2] = SIZE
  const [s0, s1, s2] = SPACING
  const mask = new Uint8Array(n0 * n1 * n2)
  const cx = (n0 - 1) / 2, cy = (n1 - 1) / 2
  for (const p of primitives()) {
    const i0 = Math.max(0, Math.floor(p.lo[0] / s0 + cx)), i1 = Math.min(n0 - 1, Math.ceil(p.hi[0] / s0 + cx))
    const j0 = Math.max(0, Math.floor(p.lo[1] / s1 + cy)), j1 = Math.min(n1 - 1, Math.ceil(p.hi[1] / s1 + cy))
    const k0 = Math.max(0, Math.floor(p.lo[2] / s2)), k1 = Math.min(n2 - 1, Math.ceil(p.hi[2] / s2))
    for (let k = k0; k <= k1; k++) {
      const z = k * s2
      for (let j = j0; j <= j1; j++) {
        const y = (j - cy) * s1
        const row = n0 * (j + n1 * k)
        for (let i = i0; i <= i1; i++) if (p.inside((i - cx) * s0, y, z)) mask[row + i] = 1
      }
    }
  }
  return mask
}

const sphere = (c: [number, number, number], r: number): Primitive => ({
  lo: [c[0] - r, c[1] - r, c[2] - r], hi: [c[0] + r, c[1] + r, c[2] + r],
  inside: (x, y, z) => (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= r * r,
})

/** Segment a-b with radius r (a capsule). */
const capsule = (a: [number, number, number], b: [number, number, number], r: number): Primitive => {
  const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
  const len2 = d[0] ** 2 + d[1] ** 2 + d[2] ** 2
  return {
    lo: [Math.min(a[0], b[0]) - r, Math.min(a[1], b[1]) - r, Math.min(a[2], b[2]) - r],
    hi: [Math.max(a[0], b[0]) + r, Math.max(a[1], b[1]) + r, Math.max(a[2], b[2]) + r],
    inside: (x, y, z) => {
      const t = Math.max(0, Math.min(1, ((x - a[0]) * d[0] + (y - a[1]) * d[1] + (z - a[2]) * d[2]) / len2))
      return (x - a[0] - t * d[0]) ** 2 + (y - a[1] - t * d[1]) ** 2 + (z - a[2] - t * d[2]) ** 2 <= r * r
    },
  }
}

function primitives(): Primitive[] {
  const out: Primitive[] = []
  for (const s of [1, -1]) {
    // femoral shaft, z 0..300 mm: a tube with a marrow cavity, condyles at the knee end
    const axis = (z: number): [number, number] => [s * (60 + 0.1 * z), 15 + 5 * Math.sin(z / 80)]
    out.push({
      lo: [s > 0 ? 40 : -120, -30, 0], hi: [s > 0 ? 120 : -40, 60, 300],
      inside: (x, y, z) => {
        const [ax, ay] = axis(z)
        const rOut = 13 + 12 * Math.max(0, 1 - z / 45) + 4 * Math.max(0, (z - 260) / 40)
        const r2 = (x - ax) ** 2 + ((y - ay) * 1.1) ** 2
        if (r2 > rOut * rOut) return false
        if (z < 60 || z > 260) return true
        const rIn = 0.55 * rOut
        return r2 >= rIn * rIn
      },
    })
    out.push(capsule([s * 40, 10, 15], [s * 85, 10, 15], 14)) // condyles
    out.push(sphere([s * 78, 10, 335], 23)) // femoral head
    out.push(capsule([s * 90, 15, 300], [s * 80, 10, 333], 14)) // neck
    out.push(sphere([s * 102, 22, 305], 17)) // greater trochanter
    // acetabular shell around the head, open downwards-laterally
    out.push({
      lo: [s > 0 ? 40 : -118, -30, 300], hi: [s > 0 ? 118 : -40, 50, 375],
      inside: (x, y, z) => {
        const r = Math.hypot(x - s * 78, y - 10, z - 335)
        return r >= 27 && r <= 35 && z - 335 > -8 && s * (x - s * 78) < 18
      },
    })
    out.push(capsule([s * 62, -12, 318], [s * 4, -48, 332], 9)) // superior pubic ramus
    out.push(capsule([s * 70, -5, 300], [s * 8, -46, 318], 7)) // inferior ramus
  }
  // iliac wings: a curved plate (7 mm thick) on an ellipse that widens upwards, z 330..460 mm
  out.push({
    lo: [-150, -20, 330], hi: [150, 120, 460],
    inside: (x, y, z) => {
      const a = 100 + 0.3 * (z - 330), b = 75
      const rho = Math.hypot(x / a, (y - 30) / b)
      return Math.abs(rho - 1) * b < 3.5 && y > -5 + 0.1 * (460 - z) && Math.abs(x) > 35
    },
  })
  // sacrum: a tilted ellipsoid
  const tilt = (25 * Math.PI) / 180
  out.push({
    lo: [-50, 30, 320], hi: [50, 120, 450],
    inside: (x, y, z) => {
      const yy = y - 75, zz = z - 385
      const u = yy * Math.cos(tilt) - zz * Math.sin(tilt)
      const v = yy * Math.sin(tilt) + zz * Math.cos(tilt)
      return (x / 46) ** 2 + (u / 24) ** 2 + (v / 62) ** 2 <= 1
    },
  })
  // two lumbar bodies with discs between
  for (const [z0, z1] of [[452, 476], [484, 498]]) {
    out.push({ lo: [-25, 20, z0], hi: [25, 70, z1], inside: (x, y) => (x / 24) ** 2 + ((y - 45) / 19) ** 2 <= 1 })
  }
  return out
}

/** Minimal uncompressed NIfTI-1 (uint8, RAS affine = diag(-s0, -s1, s2) as ITK writes LPS identity). */
function writeNiftiU8(file: string, mask: Uint8Array): void {
  const header = Buffer.alloc(352)
  header.writeInt32LE(348, 0)
  const dims = [3, SIZE[0], SIZE[1], SIZE[2], 1, 1, 1, 1]
  dims.forEach((d, t) => header.writeInt16LE(d, 40 + 2 * t))
  header.writeInt16LE(2, 70) // DT_UNSIGNED_CHAR
  header.writeInt16LE(8, 72)
  const pixdim = [1, SPACING[0], SPACING[1], SPACING[2], 1, 1, 1, 1]
  pixdim.forEach((p, t) => header.writeFloatLE(p, 76 + 4 * t))
  header.writeFloatLE(352, 108)
  header.writeFloatLE(1, 112) // scl_slope
  header.writeUInt8(10, 123) // mm + s
  header.writeInt16LE(1, 252) // qform_code
  header.writeInt16LE(1, 254) // sform_code
  header.writeFloatLE(1, 256 + 0) // quatern_b..d = 0,0,1 -> 180 deg about z: diag(-1,-1,1)
  header.writeFloatLE(0, 260)
  header.writeFloatLE(0, 264)
  header.writeFloatLE(0, 268)
  header.writeFloatLE(0, 272)
  header.writeFloatLE(0, 276)
  const srow = [[-SPACING[0], 0, 0, 0], [0, -SPACING[1], 0, 0], [0, 0, SPACING[2], 0]]
  srow.forEach((r, t) => r.forEach((v, c) => header.writeFloatLE(v, 280 + 16 * t + 4 * c)))
  header.write('n+1\0', 344, 'latin1')
  writeFileSync(file, Buffer.concat([header, Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength)]))
}

if (process.argv.includes('--child')) runChild()
else if (process.argv[1] === here) console.log(JSON.stringify(metricsBenchmark(), null, 2))
