// The Lambda observability of a real stage handler (report-failure, against folder buckets):
// JSON log lines carry the stage and the case, the embedded-metric-format blob carries the
// case count and the stage duration; a failing invocation counts an error.
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import middy from '@middy/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createReportFailureHandler } from '../../functions/report-failure/create-handler.js'
import { folderStores } from '../../src/local/folder-stores.js'
import { caseKeysOf, metricNames, stageObservability } from '../../src/observability/stage-observability.js'
import { getJson } from '../../src/pipeline/object-io.js'
import { repoRoot } from '../support/paths.js'

const executionInput = JSON.parse(readFileSync(path.join(repoRoot, 'events', 'execution-input.json'), 'utf8'))
const chunkEvent = JSON.parse(readFileSync(path.join(repoRoot, 'events', 'chunk-task-through-sqs.json'), 'utf8'))

const lambdaContext = {
  functionName: 'Voxelflow-ReportFailure',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:Voxelflow-ReportFailure',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/Voxelflow-ReportFailure',
  logStreamName: '2026/11/21/[$LATEST]abc',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
}

/** Log lines and EMF blobs written to stdout and stderr (errors go to stderr). */
function captureStdout() {
  const lines: string[] = []
  const record = (chunk: any) => {
    lines.push(...String(chunk).split('\n').filter(Boolean))
    return true
  }
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record)
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(record)
  const spy = { mockRestore: () => (out.mockRestore(), err.mockRestore()) }
  return { spy, json: () => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>) }
}

afterEach(() => vi.restoreAllMocks())

function handlerWithClock(outputRoot: string) {
  let t = 5_000
  const clock = () => (t += 125) // every reading 125 ms later: the stage "takes" 125 ms
  const stores = folderStores({ [executionInput.run.outputBucket]: outputRoot })
  const { middlewares } = stageObservability('report-failure', clock)
  return middy().use(middlewares).handler(createReportFailureHandler({ stores }))
}

describe('stage observability', () => {
  it('finds the case in a task input and in a chunk message', () => {
    expect(caseKeysOf(executionInput)).toEqual({ dataset: 'pelvis', case_id: 'pelvis-001', run_id: executionInput.run.runId })
    expect(caseKeysOf(chunkEvent)).toMatchObject({ case_id: 'pelvis-001', chunk: 1 })
  })

  it('logs JSON with stage and case, and publishes CasesFailed and StageDuration as EMF', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'vf-observe-'))
    const handler = handlerWithClock(out)
    const capture = captureStdout()
    await handler({ ...executionInput, error: { Error: 'BadInputError', Cause: 'no slices' } }, lambdaContext as never)
    capture.spy.mockRestore()
    const records = capture.json()

    const logs = records.filter((r) => r.message === 'stage started' || r.message === 'stage finished')
    expect(logs).toHaveLength(2)
    for (const log of logs) {
      expect(log).toMatchObject({ level: 'INFO', service: 'voxelflow', stage: 'report-failure', dataset: 'pelvis', case_id: 'pelvis-001', run_id: executionInput.run.runId, function_name: 'Voxelflow-ReportFailure', function_request_id: lambdaContext.awsRequestId })
    }

    const emf = records.filter((r) => r._aws?.CloudWatchMetrics)
    expect(emf).toHaveLength(1)
    const [directive] = emf[0]._aws.CloudWatchMetrics
    expect(directive.Namespace).toBe('voxelflow')
    expect(directive.Dimensions.flat()).toEqual(expect.arrayContaining(['service', 'stage']))
    expect(emf[0].stage).toBe('report-failure')
    expect(emf[0][metricNames.casesFailed]).toBe(1)
    expect(emf[0][metricNames.stageDuration]).toBe(125)
    expect(emf[0][metricNames.casesProcessed]).toBeUndefined()
    // ... and the handler did its work: the failure report is there.
    const report = await getJson<{ status: string }>(folderStores({ o: out })('o'), 'pelvis/pelvis-001/report.json')
    expect(report.status).toBe('failed')
  })

  it('counts a failed invocation and logs it as an error', async () => {
    const handler = handlerWithClock(mkdtempSync(path.join(os.tmpdir(), 'vf-observe-')))
    const capture = captureStdout()
    await expect(handler({ case: executionInput.case }, lambdaContext as never)).rejects.toThrow()
    capture.spy.mockRestore()
    const records = capture.json()
    const emf = records.find((r) => r._aws?.CloudWatchMetrics)!
    expect(emf[metricNames.stageErrors]).toBe(1)
    expect(records.some((r) => r.level === 'ERROR' && r.message === 'stage failed' && r.case_id === 'pelvis-001')).toBe(true)
  })
})
