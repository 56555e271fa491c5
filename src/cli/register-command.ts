// `voxelflow register <fixed> <moving> <out>`: rigid registration of two NIfTI volumes
// (src/register/rigid-registration.ts). Writes the moving image resampled onto the fixed grid,
// optionally the transform as JSON, a moving-space label map carried onto the fixed grid
// (nearest neighbour) and moving-space landmarks carried into fixed space.
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { isNiftiPath, writeNifti } from '../io/nifti.js'
import { readVolume } from './read-volume.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { labelsOnFixedGrid, registerRigid, type CentredInitializer, type RigidRegistrationResult } from '../register/rigid-registration.js'
import { landmarksToFixed, type Landmark } from '../register/transform-landmarks.js'

export interface RegisterFlags {
  transformOut?: string
  movingLabels?: string
  labelsOut?: string
  landmarks?: string
  json?: boolean
  initializer?: CentredInitializer
  resolutions?: number
  iterations?: number
  seed?: number
}

export interface RegisterSummary {
  fixed: string
  moving: string
  output: string
  /** Maps fixed-image LPS points to moving-image LPS points (elastix's convention). */
  transform: RigidRegistrationResult['transform'] & { kind: 'Euler3D'; direction: 'fixed-to-moving' }
  fixed_to_moving: RigidRegistrationResult['fixedToMoving']
  moving_to_fixed: RigidRegistrationResult['movingToFixed']
  metric: RigidRegistrationResult['metric']
  labels_output?: string
  landmarks?: Landmark[]
  seconds: number
}

export async function runRegisterCommand(
  fixedFile: string, movingFile: string, outFile: string, flags: RegisterFlags = {},
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<RegisterSummary> {
  if ((flags.movingLabels === undefined) !== (flags.labelsOut === undefined)) {
    throw new BadInputError('--moving-labels and --labels-out go together', { field: flags.movingLabels ? 'labels-out' : 'moving-labels' })
  }
  for (const f of [outFile, flags.labelsOut].filter((x): x is string => !!x)) {
    if (!isNiftiPath(f)) throw new BadInputError('output must be a .nii or .nii.gz file', { file: f })
  }
  const fixed = await readVolume(fixedFile)
  const moving = await readVolume(movingFile)
  const movingLabels = flags.movingLabels ? await readVolume(flags.movingLabels) : undefined
  const landmarks = flags.landmarks ? await readLandmarks(flags.landmarks) : undefined
  const result = await registerRigid(fixed, moving, {
    initializer: flags.initializer, resolutions: flags.resolutions, iterations: flags.iterations, seed: flags.seed,
    fixedName: fixedFile, movingName: movingFile,
  })
  await writeNifti(result.resampled, outFile)
  if (movingLabels && flags.labelsOut) await writeNifti(labelsOnFixedGrid(movingLabels, fixed, result.fixedToMoving), flags.labelsOut)
  const summary: RegisterSummary = {
    fixed: fixedFile,
    moving: movingFile,
    output: outFile,
    transform: { kind: 'Euler3D', direction: 'fixed-to-moving', ...result.transform },
    fixed_to_moving: result.fixedToMoving,
    moving_to_fixed: result.movingToFixed,
    metric: result.metric,
    ...(flags.labelsOut ? { labels_output: flags.labelsOut } : {}),
    ...(landmarks ? { landmarks: landmarksToFixed(landmarks, result.movingToFixed) } : {}),
    seconds: result.elapsed_ms / 1000,
  }
  if (flags.transformOut) {
    await fs.mkdir(path.dirname(path.resolve(flags.transformOut)), { recursive: true })
    await fs.writeFile(flags.transformOut, JSON.stringify(summary, null, 2) + '\n')
  }
  write(flags.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary))
  return summary
}

export function registerRegisterCommand(program: Command): Command {
  const integer = (name: string) => (v: string): number => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new BadInputError(`${name} must be a positive integer, got '${v}'`, { field: name })
    return n
  }
  program
    .command('register')
    .description('rigid registration (Euler 3-D, Mattes mutual information, elastix): resample <moving> onto the grid of <fixed>')
    .argument('<fixed>', 'fixed image (.nii / .nii.gz)')
    .argument('<moving>', 'moving image (.nii / .nii.gz)')
    .argument('<out>', 'the moving image on the fixed grid (.nii / .nii.gz, float32)')
    .option('--transform-out <t.json>', 'write the transform (fixed -> moving, LPS mm), its inverse and the metric as JSON')
    .option('--moving-labels <labels.nii.gz>', 'a label map in moving space to carry onto the fixed grid (nearest neighbour)')
    .option('--labels-out <out.nii.gz>', 'where to write the carried label map')
    .option('--landmarks <points.json>', 'moving-space landmarks, [{"label": "...", "point": [x, y, z]}] in LPS mm, to carry into fixed space')
    .option('--initializer <kind>', 'centred initializer: geometric (default) or moments', (v: string) => {
      if (v !== 'geometric' && v !== 'moments') throw new BadInputError(`--initializer must be geometric or moments, got '${v}'`, { field: 'initializer' })
      return v
    })
    .option('--resolutions <n>', 'pyramid levels (default 3)', integer('resolutions'))
    .option('--iterations <n>', 'optimizer iterations per level (default 250)', integer('iterations'))
    .option('--seed <n>', 'seed of the random sampler (default fixed: runs are repeatable)', integer('seed'))
    .option('--json', 'print the result as JSON')
    .action(async (fixed: string, moving: string, out: string, flags: RegisterFlags) => {
      await runRegisterCommand(fixed, moving, out, flags)
    })
  return program
}


async function readLandmarks(file: string): Promise<Landmark[]> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'))
  } catch (error) {
    throw new BadInputError(`cannot read landmarks JSON: ${errorMessage(error)}`, { file })
  }
  const ok = Array.isArray(parsed) && parsed.every((l) => l && Array.isArray(l.point) && l.point.length === 3 && l.point.every(Number.isFinite))
  if (!ok) throw new BadInputError('landmarks must be a JSON array of {"label"?: string, "point": [x, y, z]} (LPS mm)', { file, field: 'point' })
  return parsed as Landmark[]
}

function formatSummary(s: RegisterSummary): string {
  const f = (v: number[], d = 3): string => v.map((x) => x.toFixed(d)).join(', ')
  const lines = [
    `registered ${s.moving} onto ${s.fixed} in ${s.seconds.toFixed(1)} s -> ${s.output}`,
    `  rotation (deg, x y z, ${s.transform.order}): ${f(s.transform.angles_deg)}`,
    `  translation (mm, LPS): ${f(s.transform.translation_mm)} about centre ${f(s.transform.centre_mm, 1)}`,
    `  Mattes MI metric: ${s.metric.initial.toFixed(4)} -> ${s.metric.final.toFixed(4)}`,
  ]
  if (s.labels_output) lines.push(`  labels -> ${s.labels_output}`)
  for (const l of s.landmarks ?? []) lines.push(`  landmark ${l.label ?? ''}: ${f(l.point, 2)} (fixed space)`)
  return lines.join('\n') + '\n'
}
