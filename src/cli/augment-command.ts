// `voxelflow augment <in> <out> --seed N`: one seeded random augmentation of a NIfTI volume
// (src/augment): flips, rotation, scaling, shift, gamma, Gaussian noise; a label map on the
// same grid follows the spatial part with nearest neighbour. The drawn parameters are printed
// (and written with --parameters-out) so a draw can be traced; the same seed and options give
// the same bytes.
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import { isNiftiPath, writeNifti } from '../io/nifti.js'
import { readVolume } from './read-volume.js'
import { BadInputError } from '../pipeline/errors.js'
import { augmentImage } from '../augment/augment-image.js'
import { drawAugmentParameters, type AugmentParameters, type AugmentRanges } from '../augment/augment-parameters.js'
import { patientAxes, type PatientAxis } from '../augment/flip.js'
import type { Interpolator } from '../filters/resample.js'

export interface AugmentFlags {
  seed: number
  labels?: string
  labelsOut?: string
  rotateDeg?: number
  translateMm?: number
  scale?: [number, number]
  flip?: PatientAxis[]
  flipProbability?: number
  gamma?: [number, number]
  noiseSd?: [number, number]
  interpolator?: Interpolator
  parametersOut?: string
  json?: boolean
}

export interface AugmentSummary {
  input: string
  output: string
  labels_output?: string
  seed: number
  parameters: AugmentParameters
}

export async function runAugmentCommand(input: string, output: string, flags: AugmentFlags, write: (t: string) => void = (t) => process.stdout.write(t)): Promise<AugmentSummary> {
  if ((flags.labels === undefined) !== (flags.labelsOut === undefined)) {
    throw new BadInputError('--labels and --labels-out go together', { field: flags.labels ? 'labels-out' : 'labels' })
  }
  if (!Number.isInteger(flags.seed) || flags.seed < 0) throw new BadInputError('--seed must be a non-negative integer', { field: 'seed' })
  for (const f of [output, flags.labelsOut].filter((x): x is string => !!x)) {
    if (!isNiftiPath(f)) throw new BadInputError('output must be a .nii or .nii.gz file', { file: f })
  }
  const image = await readVolume(input)
  const labels = flags.labels ? await readVolume(flags.labels) : undefined
  if (labels && labels.size.some((n, d) => n !== image.size[d])) {
    throw new BadInputError(`the label map (${labels.size.join('x')}) is not on the image grid (${image.size.join('x')})`, { file: flags.labels })
  }
  const ranges: AugmentRanges = {
    rotate_deg: flags.rotateDeg, translate_mm: flags.translateMm, scale: flags.scale, flip_axes: flags.flip,
    flip_probability: flags.flipProbability, gamma: flags.gamma, noise_sd: flags.noiseSd,
  }
  let parameters: AugmentParameters
  try {
    parameters = drawAugmentParameters(flags.seed, ranges)
  } catch (error) {
    throw new BadInputError((error as Error).message, { field: 'augment options' })
  }
  const result = augmentImage(image, labels, parameters, { interpolator: flags.interpolator })
  await writeNifti(result.image, output)
  if (result.labels && flags.labelsOut) await writeNifti(result.labels, flags.labelsOut)
  const summary: AugmentSummary = { input, output, ...(flags.labelsOut ? { labels_output: flags.labelsOut } : {}), seed: flags.seed, parameters }
  if (flags.parametersOut) await fs.writeFile(flags.parametersOut, JSON.stringify(summary, null, 2) + '\n')
  write(flags.json ? JSON.stringify(summary, null, 2) + '\n' : `augmented ${input} -> ${output} (seed ${flags.seed}): ${JSON.stringify(parameters)}\n`)
  return summary
}

export function registerAugmentCommand(program: Command): Command {
  const number = (name: string, min = 0) => (v: string): number => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < min) throw new BadInputError(`--${name} must be a number >= ${min}, got '${v}'`, { field: name })
    return n
  }
  const range = (name: string) => (v: string): [number, number] => {
    const parts = v.split(',').map(Number)
    if (parts.length === 1) parts.push(parts[0])
    if (parts.length !== 2 || !parts.every(Number.isFinite)) throw new BadInputError(`--${name} must be lo,hi (or one value), got '${v}'`, { field: name })
    return [parts[0], parts[1]]
  }
  program
    .command('augment')
    .description('one seeded random augmentation (flips, rotation, scaling, shift, gamma, noise) of a NIfTI volume and its labels')
    .argument('<in>', 'image (.nii / .nii.gz)')
    .argument('<out>', 'augmented image (.nii / .nii.gz, float32 unless only flipped)')
    .requiredOption('--seed <n>', 'random seed (same seed and options: same output)', number('seed'))
    .option('--labels <labels.nii.gz>', 'label map on the image grid (follows with nearest neighbour)')
    .option('--labels-out <out.nii.gz>', 'where to write the augmented label map')
    .option('--rotate-deg <deg>', 'largest rotation about each LPS axis (default 10)', number('rotate-deg'))
    .option('--translate-mm <mm>', 'largest shift along each LPS axis (default 5)', number('translate-mm'))
    .option('--scale <lo,hi>', 'isotropic scale range (default 0.9,1.1)', range('scale'))
    .option('--flip <axes>', 'patient axes that may be mirrored: LR,AP,SI', (v: string) => {
      const axes = v.split(',').map((a) => a.trim().toUpperCase())
      for (const a of axes) if (!patientAxes.includes(a as PatientAxis)) throw new BadInputError(`--flip: unknown axis '${a}' (LR, AP, SI)`, { field: 'flip' })
      return axes as PatientAxis[]
    })
    .option('--flip-probability <p>', 'probability of each allowed mirror (default 0.5)', number('flip-probability'))
    .option('--gamma <lo,hi>', 'gamma range, drawn log-uniformly (default 1: none)', range('gamma'))
    .option('--noise-sd <lo,hi>', 'Gaussian noise SD range in image units (default 0: none)', range('noise-sd'))
    .option('--interpolator <kind>', 'image interpolation: linear (default), bspline or nearest', (v: string) => {
      if (v !== 'linear' && v !== 'bspline' && v !== 'nearest') throw new BadInputError(`--interpolator must be linear, bspline or nearest, got '${v}'`, { field: 'interpolator' })
      return v as Interpolator
    })
    .option('--parameters-out <file.json>', 'write the drawn parameters as JSON')
    .option('--json', 'print the drawn parameters as JSON')
    .action(async (input: string, output: string, flags: AugmentFlags) => {
      await runAugmentCommand(input, output, flags)
    })
  return program
}
