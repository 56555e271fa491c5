// `voxelflow reprocess <dataset-prefix>`: start every case under the prefix again with the
// current pipeline config, at a bounded rate, skipping cases whose report has the same run id.
// Against a deployed stack (buckets and state machine from flags or the environment), or with
// --local <dir> against the folder cloud (<dir>/input, /work, /output), waiting for the runs.
import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import { promises as fs } from 'node:fs'
import { s3StoreResolver, stepFunctionsStarter } from '../aws/cloud-context.js'
import { openLocalCloud } from '../local/local-cloud.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { type ReprocessSummary, reprocessPrefix } from '../pipeline/reprocess.js'

export interface ReprocessFlags {
  local?: string
  inputBucket?: string
  workBucket?: string
  outputBucket?: string
  stateMachineArn?: string
  config?: string
  rate?: number
  workers?: number
  json?: boolean
}

async function deploymentSettings(flags: ReprocessFlags, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const [text, source] = flags.config
    ? [await fs.readFile(flags.config, 'utf8').catch(() => { throw new BadInputError('cannot read config file', { file: flags.config }) }), flags.config]
    : [env.PIPELINE_CONFIG ?? '{}', 'PIPELINE_CONFIG']
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch (error) {
    throw new BadInputError(`config is not JSON: ${errorMessage(error)}`, { file: source })
  }
}

export async function runReprocessCommand(prefix: string, flags: ReprocessFlags, env: NodeJS.ProcessEnv = process.env): Promise<ReprocessSummary> {
  const config = await deploymentSettings(flags, env)
  if (flags.local) {
    const cloud = await openLocalCloud(flags.local, { workers: flags.workers })
    try {
      const summary = await reprocessPrefix({
        inputBucket: 'input',
        prefix,
        deps: { stores: cloud.context.stores, workBucket: 'work', outputBucket: 'output', starter: cloud.machine, config },
        maxStartsPerSecond: flags.rate,
      })
      // A failed case has its failure report; the command still finishes the others.
      for (const name of summary.started) await cloud.machine.wait(name).catch(() => undefined)
      return summary
    } finally {
      await cloud.close()
    }
  }
  const need = (value: string | undefined, flag: string, variable: string) => {
    if (!value) throw new BadInputError(`${flag} (or ${variable}) is required without --local`, { field: flag })
    return value
  }
  const inputBucket = need(flags.inputBucket ?? env.INPUT_BUCKET, '--input-bucket', 'INPUT_BUCKET')
  const workBucket = need(flags.workBucket ?? env.WORK_BUCKET, '--work-bucket', 'WORK_BUCKET')
  const outputBucket = need(flags.outputBucket ?? env.OUTPUT_BUCKET, '--output-bucket', 'OUTPUT_BUCKET')
  const stateMachineArn = need(flags.stateMachineArn ?? env.STATE_MACHINE_ARN, '--state-machine-arn', 'STATE_MACHINE_ARN')
  return reprocessPrefix({
    inputBucket,
    prefix,
    deps: { stores: s3StoreResolver(), workBucket, outputBucket, starter: stepFunctionsStarter(stateMachineArn), config },
    maxStartsPerSecond: flags.rate,
  })
}

const positive = (name: string) => (value: string) => {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`)
  return n
}

export function registerReprocessCommand(program: Command): void {
  program
    .command('reprocess')
    .description('reprocess the cases under a dataset prefix, skipping those already reported with the current config')
    .argument('<dataset-prefix>', 'e.g. pelvis/ ("" = every case)')
    .option('--local <dir>', 'the folder cloud: <dir>/input, <dir>/work, <dir>/output (waits for the runs)')
    .option('--input-bucket <name>', 'deployed stack: input bucket (default $INPUT_BUCKET)')
    .option('--work-bucket <name>', 'deployed stack: work bucket (default $WORK_BUCKET)')
    .option('--output-bucket <name>', 'deployed stack: output bucket (default $OUTPUT_BUCKET)')
    .option('--state-machine-arn <arn>', 'deployed stack: state machine (default $STATE_MACHINE_ARN)')
    .option('-c, --config <file.json>', 'the deployment pipeline settings (default $PIPELINE_CONFIG)')
    .option('--rate <n>', 'executions started per second at most (default 2)', positive('--rate'))
    .option('--workers <n>', 'local chunk worker threads (0 = main thread)', (v: string) => { const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('--workers must be a non-negative integer'); return n })
    .option('--json', 'print the summary as JSON')
    .action(async (prefix: string, flags: ReprocessFlags) => {
      const summary = await runReprocessCommand(prefix, flags)
      if (flags.json) console.log(JSON.stringify(summary, null, 2))
      else {
        console.log(`started ${summary.started.length}, skipped ${summary.skipped.length} (already reported with this config), duplicate ${summary.duplicate.length}, waiting ${summary.waiting.length} (no manifest)`)
      }
    })
}
