// Loose DICOM without a manifest: after the quiet period (measured from the last change of the
// folder's content) the case gets a "waiting" report; cases with a manifest or a NIfTI never do.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { folderStores } from '../../src/local/folder-stores.js'
import { getJson } from '../../src/pipeline/object-io.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { sweepWaitingCases } from '../../src/pipeline/sweep-waiting-cases.js'

describe('sweep for cases waiting for their manifest', () => {
  it('reports a loose folder once it has been quiet for the quiet period, restarting the clock on every upload', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vf-sweep-'))
    const stores = folderStores({ input: path.join(root, 'input'), work: path.join(root, 'work'), output: path.join(root, 'output') })
    const input = stores('input')
    await input.put('pelvis/case-1/ct/0001.dcm', 'DICM-1')
    await input.put('pelvis/case-1/ct/0002.dcm', 'DICM-2')
    await input.put('pelvis/case-2/ct/0001.dcm', 'DICM-3')
    await input.put('pelvis/case-2/case.json', '{}')
    await input.put('pelvis/case-3.nii.gz', 'not really a NIfTI, never read')
    const t0 = Date.parse('2026-11-21T12:00:00Z')
    const minutes = (m: number) => new Date(t0 + m * 60_000)
    const sweep = (at: Date) =>
      sweepWaitingCases({ stores, inputBucket: 'input', workBucket: 'work', outputBucket: 'output', prefix: 'pelvis/', quietPeriodSeconds: 15 * 60, now: at })
    const reportKey = 'pelvis/case-1/report.json'

    expect(await sweep(minutes(0))).toEqual({ reported: [], quiet: ['pelvis/case-1/'] })
    await input.put('pelvis/case-1/ct/0003.dcm', 'DICM-4') // still uploading at minute 10
    expect(await sweep(minutes(10))).toEqual({ reported: [], quiet: ['pelvis/case-1/'] })
    expect(await sweep(minutes(24))).toEqual({ reported: [], quiet: ['pelvis/case-1/'] }) // 14 min since the last change
    expect(await stores('output').head(reportKey)).toBeUndefined()
    const before = await input.list('')

    expect(await sweep(minutes(25))).toEqual({ reported: ['pelvis/case-1/'], quiet: [] })
    const report = reportSchema.parse(await getJson(stores('output'), reportKey))
    expect(report).toMatchObject({ status: 'waiting', dataset: 'pelvis', case_id: 'case-1', labels: [], warnings: [{ code: 'waiting_for_manifest' }] })
    expect(report.inputs.map((i) => i.key)).toEqual(['pelvis/case-1/ct/0001.dcm', 'pelvis/case-1/ct/0002.dcm', 'pelvis/case-1/ct/0003.dcm'])
    expect(report.warnings[0].message).toContain('pelvis/case-1/case.json')

    // The next sweep does not rewrite it; the manifest's arrival ends the waiting.
    const written = (await stores('output').head(reportKey))!.etag
    expect(await sweep(minutes(30))).toEqual({ reported: ['pelvis/case-1/'], quiet: [] })
    expect((await stores('output').head(reportKey))!.etag).toBe(written)
    expect(await input.list('')).toEqual(before)
    await input.put('pelvis/case-1/case.json', '{}')
    expect(await sweep(minutes(40))).toEqual({ reported: [], quiet: [] })
  })
})
