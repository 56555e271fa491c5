#!/usr/bin/env node
// The voxelflow command.
import { createRequire } from 'node:module'
import type * as Commander from 'commander'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { errorMessage } from '../pipeline/errors.js'
import { exitCodeFor, exitCodes } from './exit-codes.js'
import { formatSummary } from './summary.js'

// commander is CommonJS: required directly, without Node's ESM wrapper around CommonJS (its
// export detection showed at every start of the command).
const { Command, InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander
type Command = Commander.Command

type RegisterCommand = (program: Command) => unknown

/**
 * Every command defined in its own module, in help order. Only the module of the command being
 * run is loaded (all of them for help or an unknown command): each drags in its own libraries
 * (itk-wasm, dcmjs, zod, the AWS SDK...), and loading them all cost every command ~0.5 s.
 */
const commandModules: Array<[name: string, load: () => Promise<RegisterCommand>]> = [
  ['convert', async () => (await import('./convert-command.js')).registerConvertCommand],
  ['metrics', async () => (await import('./metrics-command.js')).registerMetricsCommand],
  ['filter', async () => (await import('./filter-command.js')).registerFilterCommand],
  ['stats', async () => (await import('./stats-command.js')).registerStatsCommand],
  ['reports', async () => (await import('./reports-command.js')).registerReportsCommand],
  ['reprocess', async () => (await import('./reprocess-command.js')).registerReprocessCommand],
  ['invoke', async () => (await import('./invoke-command.js')).registerInvokeCommand],
  ['register', async () => (await import('./register-command.js')).registerRegisterCommand],
  ['augment', async () => (await import('./augment-command.js')).registerAugmentCommand],
  ['seg2nii', async () => (await import('./seg2nii-command.js')).registerSeg2NiiCommand],
  ['sr2json', async () => (await import('./sr2json-command.js')).registerSr2JsonCommand],
]
/** Commands defined in this file. */
const inlineCommands = new Set(['run', 'sample', 'demo'])

const integer = (name: string) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`)
  return n
}

const positiveNumber = (name: string) => (value: string) => {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`)
  return n
}

interface RunFlags {
  out: string
  config?: string
  reference?: string
  prediction?: string
  referenceLandmarks?: string
  predictionLandmarks?: string
  moving?: string
  movingLabels?: string
  json?: boolean
  workers?: number
  chunkSlices?: number
  chunkMb?: number
  /** false with --no-chunks. */
  chunks?: boolean
  keepWork?: boolean
  progress?: boolean
  series?: string
}

async function run(input: string, flags: RunFlags): Promise<number> {
  const { loadConfigFile: loadConfig } = await import('./load-config.js')
  const { terminalProgress } = await import('./progress.js')
  let config = await loadConfig(flags.config)
  if (flags.chunkSlices) config = { ...config, chunks: { ...config.chunks, slices: flags.chunkSlices } }
  if (flags.series) config = { ...config, dicom: { ...config.dicom, series_instance_uid: flags.series } }
  if (flags.chunkMb) config = { ...config, chunks: { ...config.chunks, slices: null, max_mb: flags.chunkMb } }
  if (flags.chunks === false) config = { ...config, chunks: { ...config.chunks, enabled: false } }
  const progress = flags.json || flags.progress === false ? { onProgress: undefined, stop: () => {} } : terminalProgress()
  try {
    // Loaded on demand: the local runtime (state machine, worker pool) is the heaviest import,
    // and commands such as convert should not pay for it at start-up.
    const { runLocal } = await import('../local/run-local.js')
    const summary = await runLocal({ input, out: flags.out, config, reference: flags.reference, prediction: flags.prediction, referenceLandmarks: flags.referenceLandmarks, predictionLandmarks: flags.predictionLandmarks, moving: flags.moving, movingLabels: flags.movingLabels, workers: flags.workers, keepWork: flags.keepWork, onProgress: progress.onProgress })
    progress.stop()
    if (flags.json) console.log(JSON.stringify(summary.cases.map((c) => c.report), null, 2))
    else console.log(formatSummary(summary, flags.out))
    const failed = summary.cases.filter((c) => c.report.status === 'failed')
    if (!failed.length) return exitCodes.ok
    return failed.every((c) => c.report.error?.kind === 'bad_input') ? exitCodes.badInput : exitCodes.internal
  } finally {
    progress.stop()
  }
}

/** npm start: make the bundled synthetic sample when absent and run the pipeline on it. */
async function demo(flags: { dir: string; out: string; workers?: number }): Promise<number> {
  const sampleDir = path.resolve(flags.dir)
  if (!existsSync(sampleDir)) {
    console.log(`voxelflow: writing the synthetic pelvis CT sample to ${sampleDir}`)
    const { writeSample } = await import('../sample/write-sample.js')
    await writeSample(sampleDir, { cases: 1, seed: 1 })
  }
  return run(sampleDir, { out: flags.out, workers: flags.workers })
}

function commandsToLoad(argv?: string[]): typeof commandModules {
  const named = argv?.slice(2).find((arg) => !arg.startsWith('-'))
  if (named && inlineCommands.has(named)) return []
  const one = commandModules.filter(([name]) => name === named)
  // Help, no command or an unknown one: all of them, so help and suggestions list every command.
  return one.length ? one : commandModules
}

/** The voxelflow program; given argv, only the command it names is loaded (see commandModules). */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const registrations = await Promise.all(commandsToLoad(argv).map(([, load]) => load()))
  const program = new Command('voxelflow')
    .description('CT and MR scans -> analysis-ready NIfTI volumes, label maps, JSON reports and QC pictures')
    .showHelpAfterError()
  program
    .command('run')
    .description('process a DICOM series folder, a NIfTI file, or a folder of cases')
    .argument('<input>', 'DICOM folder, .nii/.nii.gz file, or a folder of cases')
    .requiredOption('-o, --out <dir>', 'output folder (one subfolder per case)')
    .option('-c, --config <file.json>', 'pipeline settings (JSON; see README)')
    .option('--reference <labels.nii.gz>', 'reference segmentation to carry along (single case)')
    .option('--prediction <labels.nii.gz>', 'a segmentation to evaluate against the reference (report.metrics)')
    .option('--reference-landmarks <file.json>', 'landmarks JSON: reference landmarks besides the case\'s SR (report.landmarks)')
    .option('--prediction-landmarks <file.json>', 'landmarks JSON to compare with the reference landmarks (report.landmark_prediction)')
    .option('--moving <image.nii.gz>', 'an image to register rigidly to the output image (moving_registered.nii.gz, report.registration)')
    .option('--moving-labels <labels.nii.gz>', 'a label map in the moving image\'s space to follow it (moving_labels_registered.nii.gz)')
    .option('--json', 'print the reports as JSON instead of a summary')
    .option('--workers <n>', 'chunk worker threads (default: one per core; 0 = main thread)', integer('--workers'))
    .option('--series <uid>', 'DICOM SeriesInstanceUID to use instead of the primary series (config dicom.series_instance_uid)')
    .addOption(new Option('--chunk-slices <n>', 'output slices per chunk').argParser(integer('--chunk-slices')).conflicts(['chunkMb', 'chunks']))
    .addOption(new Option('--chunk-mb <n>', 'memory budget of one chunk (float32 with halo), in MB').argParser(positiveNumber('--chunk-mb')).conflicts('chunks'))
    .option('--no-chunks', 'process the whole volume as one chunk')
    .option('--keep-work', 'keep the intermediate work folder')
    .option('--no-progress', 'no progress bar')
    .action(async (input: string, flags: RunFlags) => {
      process.exitCode = await run(input, flags)
    })
  program
    .command('sample')
    .description('write the deterministic synthetic pelvis CT sample (DICOM series, SEG, SR)')
    .argument('<dir>', 'output folder')
    .option('--cases <n>', 'number of cases', integer('--cases'), 1)
    .option('--seed <s>', 'random seed', integer('--seed'), 1)
    .action(async (dir: string, flags: { cases: number; seed: number }) => {
      const { writeSample } = await import('../sample/write-sample.js')
      const written = await writeSample(dir, flags)
      console.log(`wrote ${written.cases.length} case(s) to ${path.resolve(dir)}: ${written.cases.map((c) => c.caseId).join(', ')}`)
    })
  for (const register of registrations) register(program)
  program
    .command('demo', { hidden: true })
    .description('generate the sample when absent and run the pipeline on it (npm start)')
    .option('--dir <dir>', 'sample folder', '.voxelflow-sample')
    .option('-o, --out <dir>', 'output folder', 'out/sample')
    .option('--workers <n>', 'chunk worker threads', integer('--workers'))
    .action(async (flags: { dir: string; out: string; workers?: number }) => {
      process.exitCode = await demo(flags)
    })
  return program
}

export async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv)).parseAsync(argv)
  } catch (error) {
    console.error(`voxelflow: ${errorMessage(error)}`)
    process.exitCode = exitCodeFor(error)
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/main.ts')) {
  await main(process.argv)
}
