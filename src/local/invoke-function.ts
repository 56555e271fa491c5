// `voxelflow invoke <function> <event.json>`: one Lambda handler, unchanged, run on this machine.
// Locally every bucket named in an event is the folder <root>/<bucket>; executions the handler
// would start and task tokens it would answer are recorded instead of sent. With `cloud`, the
// handler gets exactly the wiring its Lambda has (environment variables, AWS endpoints).
import path from 'node:path'
import { createAnalyzeHandler } from '../../functions/analyze/create-handler.js'
import { createAssembleHandler } from '../../functions/assemble/create-handler.js'
import { createChunkDeadLetterHandler } from '../../functions/chunk-dead-letter/create-handler.js'
import { createChunkWorkerHandler } from '../../functions/chunk-worker/create-handler.js'
import { createIngestHandler } from '../../functions/ingest/create-handler.js'
import { createPrepareHandler } from '../../functions/prepare/create-handler.js'
import { createReportFailureHandler } from '../../functions/report-failure/create-handler.js'
import { createReportHandler } from '../../functions/report/create-handler.js'
import { createReprocessHandler } from '../../functions/reprocess/create-handler.js'
import { createSweepWaitingHandler } from '../../functions/sweep-waiting/create-handler.js'
import { cloudIngestDependencies, cloudStageContext, stepFunctionsTaskCallbacks } from '../aws/cloud-context.js'
import { BadInputError } from '../pipeline/errors.js'
import type { IngestDependencies } from '../pipeline/ingest.js'
import type { StageContext } from '../pipeline/stage-context.js'
import type { ExecutionStarter, TaskCallbacks } from '../pipeline/task-callbacks.js'
import type { ObjectStore, StoreResolver } from '../store/object-store.js'
import { FolderObjectStore } from './folder-object-store.js'

export const invokableFunctions = ['ingest', 'prepare', 'chunk-worker', 'assemble', 'analyze', 'report', 'report-failure', 'reprocess', 'sweep-waiting', 'chunk-dead-letter'] as const
export type InvokableFunction = (typeof invokableFunctions)[number]

export interface InvokeTarget {
  /** Folder whose subfolders play the buckets (local), or undefined for the AWS wiring. */
  localRoot?: string
  env?: NodeJS.ProcessEnv
}

export interface InvokeRecord {
  result: unknown
  /** Executions the handler asked to start (local only: nothing is started). */
  executions: { name: string; input: unknown }[]
  /** Task-token answers of the chunk worker (local only). */
  taskAnswers: { taskToken: string; ok: boolean; output?: unknown; error?: string }[]
}

/** Any bucket name -> the folder <root>/<bucket>. */
export function folderPerBucket(root: string): StoreResolver {
  const stores = new Map<string, ObjectStore>()
  return (bucket) => {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new BadInputError(`"${bucket}" is not an S3 bucket name`, { field: 'bucket' })
    let store = stores.get(bucket)
    if (!store) stores.set(bucket, (store = new FolderObjectStore(path.join(root, bucket), bucket)))
    return store
  }
}

export async function invokeFunction(name: string, event: unknown, target: InvokeTarget): Promise<InvokeRecord> {
  if (!(invokableFunctions as readonly string[]).includes(name)) {
    throw new BadInputError(`unknown function "${name}"; one of ${invokableFunctions.join(', ')}`, { field: 'function' })
  }
  const env = target.env ?? process.env
  const record: InvokeRecord = { result: undefined, executions: [], taskAnswers: [] }
  const local = target.localRoot !== undefined
  const context: StageContext = local ? { stores: folderPerBucket(path.resolve(target.localRoot!)) } : cloudStageContext()
  const recordingStarter: ExecutionStarter = {
    async start(executionName, input) {
      record.executions.push({ name: executionName, input })
      return { started: true, executionId: executionName }
    },
  }
  const recordingCallbacks: TaskCallbacks = {
    async succeed(taskToken, output) {
      record.taskAnswers.push({ taskToken, ok: true, output })
    },
    async fail(taskToken, error) {
      record.taskAnswers.push({ taskToken, ok: false, error })
    },
  }
  const ingestDeps = (): IngestDependencies =>
    local
      ? {
          stores: context.stores,
          workBucket: env.WORK_BUCKET ?? 'work',
          outputBucket: env.OUTPUT_BUCKET ?? 'output',
          starter: recordingStarter,
          config: env.PIPELINE_CONFIG ? (JSON.parse(env.PIPELINE_CONFIG) as Record<string, unknown>) : {},
        }
      : cloudIngestDependencies()
  const handlers: Record<InvokableFunction, () => (event: unknown) => Promise<unknown>> = {
    ingest: () => createIngestHandler(ingestDeps(), () => {}),
    prepare: () => createPrepareHandler(context),
    'chunk-worker': () => createChunkWorkerHandler(context, local ? recordingCallbacks : stepFunctionsTaskCallbacks()),
    'chunk-dead-letter': () => createChunkDeadLetterHandler(local ? recordingCallbacks : stepFunctionsTaskCallbacks()),
    assemble: () => createAssembleHandler(context),
    analyze: () => createAnalyzeHandler(context),
    report: () => createReportHandler(context),
    'report-failure': () => createReportFailureHandler(context),
    reprocess: () =>
      createReprocessHandler({
        deps: ingestDeps(),
        inputBucket: env.INPUT_BUCKET ?? 'input',
        scheduledPrefix: env.REPROCESS_PREFIX,
        maxStartsPerSecond: Number(env.REPROCESS_MAX_STARTS_PER_SECOND) || undefined,
      }),
    'sweep-waiting': () =>
      createSweepWaitingHandler({
        stores: context.stores,
        inputBucket: env.INPUT_BUCKET ?? 'input',
        workBucket: env.WORK_BUCKET ?? 'work',
        outputBucket: env.OUTPUT_BUCKET ?? 'output',
        prefix: '',
        quietPeriodSeconds: Number(env.QUIET_PERIOD_SECONDS ?? 900),
      }),
  }
  record.result = await handlers[name as InvokableFunction]()(event)
  return record
}
