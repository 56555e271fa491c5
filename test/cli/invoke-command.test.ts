// `voxelflow invoke`: the unchanged handlers with the real-shaped events of events/, against
// folders that play the buckets named in the events.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runInvokeCommand } from '../../src/cli/invoke-command.js'
import { folderPerBucket } from '../../src/local/invoke-function.js'
import { getJson } from '../../src/pipeline/object-io.js'
import { type Report } from '../../src/pipeline/report-schema.js'
import { executionInputSchema } from '../../src/pipeline/state.js'
import { writeCubePhantom } from '../support/cube-phantom.js'
import { repoRoot } from '../support/paths.js'

const eventFile = (name: string) => path.join(repoRoot, 'events', name)
const inputBucket = 'voxelflow-input-123456789012'

describe('voxelflow invoke', () => {
  it('ingest with s3-put-through-sqs.json asks for one execution of the uploaded case', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vf-invoke-'))
    await writeCubePhantom(path.join(root, inputBucket, 'pelvis', 'pelvis-001', 'ct.nii.gz'))
    const stores = folderPerBucket(root)
    await stores(inputBucket).put('pelvis/pelvis-001/case.json', '{}')
    const before = await stores(inputBucket).list('')

    const { result, executions } = await runInvokeCommand('ingest', eventFile('s3-put-through-sqs.json'), { local: root })
    expect(result).toMatchObject({ batchItemFailures: [], outcomes: [{ action: 'started', caseId: 'pelvis-001' }] })
    expect(executions).toHaveLength(1)
    const input = executionInputSchema.parse(executions[0].input)
    expect(input.case).toMatchObject({ dataset: 'pelvis', caseId: 'pelvis-001' })
    expect(input.run.outputPrefix).toBe('pelvis/pelvis-001/')
    // The manifest it planned is in the work folder, the input untouched.
    const manifest = await getJson<{ objects: { key: string }[] }>(stores(input.case.manifest.bucket), input.case.manifest.key)
    expect(manifest.objects.map((o) => o.key)).toEqual(['pelvis/pelvis-001/ct.nii.gz'])
    expect(await stores(inputBucket).list('')).toEqual(before)
  })

  it('report-failure with the execution input and an error writes the failure report', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vf-invoke-'))
    const event = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(eventFile('execution-input.json'), 'utf8')))
    const failed = path.join(root, 'failed.json')
    writeFileSync(failed, JSON.stringify({ ...event, error: { Error: 'States.Timeout', Cause: 'Task timed out' } }))
    const { result } = await runInvokeCommand('report-failure', failed, { local: root })
    expect(result).toEqual({ report: { bucket: 'voxelflow-output-123456789012', key: 'pelvis/pelvis-001/report.json' } })
    const report = await getJson<Report>(folderPerBucket(root)('voxelflow-output-123456789012'), 'pelvis/pelvis-001/report.json')
    expect(report).toMatchObject({ status: 'failed', case_id: 'pelvis-001', run_id: event.run.runId, error: { kind: 'internal' } })
  })

  it('reprocess with schedule.json reprocesses REPROCESS_PREFIX', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vf-invoke-'))
    await writeCubePhantom(path.join(root, 'input', 'liver', 'a.nii.gz'))
    await writeCubePhantom(path.join(root, 'input', 'pelvis', 'b.nii.gz'))
    const { invokeFunction } = await import('../../src/local/invoke-function.js')
    const schedule = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(eventFile('schedule.json'), 'utf8')))
    const { result, executions } = await invokeFunction('reprocess', schedule, { localRoot: root, env: { REPROCESS_PREFIX: 'pelvis/' } })
    expect(result).toEqual({ prefix: 'pelvis/', started: 1, skipped: 0, duplicate: 0, waiting: 0 })
    expect(executions.map((e) => executionInputSchema.parse(e.input).case.caseId)).toEqual(['b'])
  })

  it('exits 2 naming the problem for an unknown function or an unreadable event', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 })
    const unknown = cli('invoke', 'transcode', eventFile('schedule.json'))
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/unknown function "transcode"/)
    const missing = cli('invoke', 'ingest', 'events/no-such-event.json')
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/no-such-event\.json: cannot read the event file/)
  })
})
