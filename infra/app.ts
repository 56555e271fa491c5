// The CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs this file with tsx).
// Settings come from cdk.json context and can be overridden with `-c key=value`.

import { App, Tags } from 'aws-cdk-lib'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { defaultDefinitionOptions, type DefinitionOptions } from './state-machine/definition.js'
import type { ReprocessScheduleOptions } from './constructs/reprocess-schedule.js'
import { VoxelflowStack } from './voxelflow-stack.js'

const app = new App()

function context<T>(key: string): T | undefined {
  const value = app.node.tryGetContext(`voxelflow:${key}`)
  return value === undefined || value === null || value === '' ? undefined : (value as T)
}

function numberContext(key: string): number | undefined {
  const value = context<number | string>(key)
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`context voxelflow:${key} must be a positive number, got ${value}`)
  return n
}

function architectureContext(): lambda.Architecture | undefined {
  const value = context<string>('architecture')
  if (value === undefined) return undefined
  if (value === 'arm64') return lambda.Architecture.ARM_64
  if (value === 'x86_64') return lambda.Architecture.X86_64
  throw new Error(`context voxelflow:architecture must be arm64 or x86_64, got ${value}`)
}

function pipelineConfigContext(): string | undefined {
  const value = context<unknown>('pipelineConfig')
  if (value === undefined) return undefined
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  JSON.parse(text) // fail at synth, not in the first Lambda, if it is not JSON
  return text
}

/** `-c voxelflow:reprocessSchedule="rate(7 days)" -c voxelflow:reprocessPrefix=pelvis/`; off when unset. */
function reprocessScheduleContext(): ReprocessScheduleOptions | undefined {
  const expression = context<string>('reprocessSchedule')
  if (expression === undefined) return undefined
  if (!/^(rate|cron)\(.+\)$/.test(expression)) throw new Error(`context voxelflow:reprocessSchedule must be rate(...) or cron(...), got ${expression}`)
  return { expression, prefix: context<string>('reprocessPrefix') ?? '', maxStartsPerSecond: numberContext('reprocessMaxStartsPerSecond') }
}

const definitionOptions: DefinitionOptions = {
  chunkConcurrency: numberContext('chunkConcurrency') ?? defaultDefinitionOptions.chunkConcurrency,
  chunkTimeoutSeconds: numberContext('chunkTimeoutSeconds') ?? defaultDefinitionOptions.chunkTimeoutSeconds,
  stageTimeoutSeconds: numberContext('stageTimeoutSeconds') ?? defaultDefinitionOptions.stageTimeoutSeconds,
}

const stack = new VoxelflowStack(app, context<string>('stackName') ?? 'Voxelflow', {
  description: 'voxelflow: medical scans in S3 -> analysis-ready volumes and reports',
  // Environment-agnostic unless the CLI knows an account/region: synth needs no credentials.
  env:
    process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
  architecture: architectureContext(),
  definitionOptions,
  workExpirationDays: numberContext('workExpirationDays'),
  chunkWorkerMaxConcurrency: numberContext('chunkWorkerMaxConcurrency'),
  pipelineConfig: pipelineConfigContext(),
  eventBusName: context<string>('eventBusName'),
  alarmTopicArn: context<string>('alarmTopicArn'),
  quietPeriodSeconds: numberContext('quietPeriodSeconds'),
  reprocessSchedule: reprocessScheduleContext(),
})
Tags.of(stack).add('project', 'voxelflow')

app.synth()
