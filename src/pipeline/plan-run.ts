// From "these objects are one case" to an execution: the run's identity (content + config),
// its work and output prefixes, and the case manifest stored in the work bucket.
import { createHash } from 'node:crypto'
import { type PipelineConfig, configHash } from './config.js'
import { putJson } from './object-io.js'
import type { CaseManifest, CaseObject, ExecutionInput } from './state.js'
import type { ObjectStore } from '../store/object-store.js'
import { workKeys, workRunsPrefix } from './work-keys.js'
import { pipelineVersion } from './version.js'

export interface PlanRunOptions {
  dataset: string
  caseId: string
  objects: CaseObject[]
  config: PipelineConfig
  work: ObjectStore
  outputBucket: string
  /** Prefix of all outputs; the case's outputs go under `${outputRoot}${caseId}/`. */
  outputRoot: string
  now?: Date
}

export interface PlannedRun {
  /** Step Functions execution name: deterministic, at most 80 characters. */
  executionName: string
  input: ExecutionInput
}

/**
 * Same objects (keys and ETags) + same config + same pipeline version = same run id, so duplicate
 * events start nothing new, while an upgraded pipeline gets new executions when it reprocesses.
 */
export function runIdOf(objects: CaseObject[], hashOfConfig: string, version: string = pipelineVersion): string {
  const hash = createHash('sha256')
  for (const o of [...objects].sort((a, b) => (a.bucket + a.key < b.bucket + b.key ? -1 : 1))) {
    hash.update(`${o.bucket}\n${o.key}\n${o.etag}\n${o.role}\n`)
  }
  hash.update(hashOfConfig)
  hash.update(`\npipeline ${version}`)
  return hash.digest('hex').slice(0, 32)
}

export function executionNameOf(caseId: string, runId: string): string {
  const readable = caseId.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40)
  return `${readable}-${runId}`
}

export async function planRun(options: PlanRunOptions): Promise<PlannedRun> {
  const hashOfConfig = configHash(options.config)
  const runId = runIdOf(options.objects, hashOfConfig)
  const workPrefix = `${workRunsPrefix}${runId}/`
  const manifest: CaseManifest = {
    dataset: options.dataset,
    case_id: options.caseId,
    objects: options.objects,
    config: options.config,
  }
  const manifestKey = workKeys.manifest({ workPrefix })
  await putJson(options.work, manifestKey, manifest)
  return {
    executionName: executionNameOf(options.caseId, runId),
    input: {
      case: { dataset: options.dataset, caseId: options.caseId, manifest: { bucket: options.work.bucket, key: manifestKey } },
      run: {
        runId,
        configHash: hashOfConfig,
        workBucket: options.work.bucket,
        workPrefix,
        outputBucket: options.outputBucket,
        outputPrefix: `${options.outputRoot}${options.caseId}/`,
        startedAt: (options.now ?? new Date()).toISOString(),
      },
    },
  }
}
