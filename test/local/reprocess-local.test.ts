// `voxelflow reprocess --local`: the folder cloud (input/work/output + local state machine).
// Cases already reported with the same run id (content + config hash + pipeline version) are skipped; a changed
// config reprocesses them; starts are spaced by the rate bound; inputs are never touched.
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caseEventDetailSchema } from '../../src/pipeline/case-events.js'
import { configHash, parseConfig } from '../../src/pipeline/config.js'
import { getJson } from '../../src/pipeline/object-io.js'
import { caseTriggerKeys, looseKeys, reprocessPrefix } from '../../src/pipeline/reprocess.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { type LocalCloud, openLocalCloud } from '../../src/local/local-cloud.js'
import { type CubePhantom, writeCubePhantom } from '../support/cube-phantom.js'

let cloud: LocalCloud
const cubes: Record<string, CubePhantom> = {}

beforeAll(async () => {
  cloud = await openLocalCloud(mkdtempSync(path.join(os.tmpdir(), 'vf-reprocess-')), { workers: 0 })
  cubes['case-a'] = await writeCubePhantom(path.join(cloud.buckets.input, 'pelvis', 'case-a.nii.gz'), 16, 4)
  cubes['case-b'] = await writeCubePhantom(path.join(cloud.buckets.input, 'pelvis', 'case-b.nii.gz'), 16, 6)
  // Loose DICOM without a manifest, and a case of another dataset: neither is started.
  await writeCubePhantom(path.join(cloud.buckets.input, 'liver', 'case-c.nii.gz'), 16, 5)
  const loose = path.join(cloud.buckets.input, 'pelvis', 'loose', '0001.dcm')
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(loose), { recursive: true }).then(() => fs.writeFile(loose, 'DICM')))
})

afterAll(async () => {
  await cloud?.close()
})

async function reprocess(config: Record<string, unknown> = {}) {
  const sleeps: number[] = []
  let clock = 1_000_000
  const summary = await reprocessPrefix({
    inputBucket: 'input',
    prefix: 'pelvis/',
    deps: { stores: cloud.context.stores, workBucket: 'work', outputBucket: 'output', starter: cloud.machine, config },
    maxStartsPerSecond: 4,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
    now: () => clock,
  })
  for (const name of summary.started) await cloud.machine.wait(name)
  return { summary, sleeps }
}

async function report(caseId: string) {
  return reportSchema.parse(await getJson(cloud.context.stores('output'), `pelvis/${caseId}/report.json`))
}

function events() {
  return readFileSync(cloud.eventsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
}

describe('reprocess a dataset prefix locally', () => {
  it('picks manifests and lone NIfTIs as cases, never label maps, files under a manifest or NIfTIs in case folders', () => {
    const keys = ['d/a.nii.gz', 'd/a.labels.nii.gz', 'd/m/case.json', 'd/m/x.nii.gz', 'd/m/ct/y.nii.gz', 'd/m/1.dcm', 'd/loose/1.dcm', 'd/c/scan.nii.gz']
    expect(caseTriggerKeys(keys)).toEqual(['d/a.nii.gz', 'd/m/case.json'])
    // A NIfTI inside a case folder waits for that folder's manifest, like its DICOM would.
    expect(looseKeys(keys)).toEqual(['d/loose/1.dcm', 'd/c/scan.nii.gz'])
  })

  it('processes, then skips what is reported with the same config, then reruns a changed config', async () => {
    const inputBefore = await cloud.context.stores('input').list('')

    const first = await reprocess()
    expect(first.summary.started).toHaveLength(2)
    expect(first.summary.skipped).toEqual([])
    expect(first.summary.waiting).toEqual(['pelvis/loose/0001.dcm'])
    // Two starts at 4 per second: the second waits a quarter second.
    expect(first.sleeps).toEqual([250])
    const hashOfDefaults = configHash(parseConfig({}))
    for (const [caseId, cube] of Object.entries(cubes)) {
      const r = await report(caseId)
      expect(r.status).toBe('processed')
      expect(r.pipeline.config_hash).toBe(hashOfDefaults)
      // A cube of edge³ voxels of 1 mm³ stays a cube through threshold and closing.
      expect(r.labels.find((l) => l.value === 1)!.volume_ml).toBeCloseTo(cube.volumeMl, 9)
    }
    const processed = events().map((e) => ({ type: e['detail-type'], detail: caseEventDetailSchema.parse(e.detail) }))
    expect(processed.map((e) => [e.type, e.detail.case_id]).sort()).toEqual([
      ['Case Processed', 'case-a'],
      ['Case Processed', 'case-b'],
    ])
    for (const { detail } of processed) {
      expect(detail.report).toEqual({ bucket: 'output', key: `pelvis/${detail.case_id}/report.json` })
      expect(detail.run_id).toBe((await report(detail.case_id)).run_id)
      expect(detail.dataset).toBe('pelvis')
    }

    const second = await reprocess()
    expect(second.summary.started).toEqual([])
    expect(second.summary.skipped.map((s) => s.caseId).sort()).toEqual(['case-a', 'case-b'])
    expect(second.sleeps).toEqual([])
    expect(events()).toHaveLength(2)

    const changed = { segmentation: { lower_hu: 300 } }
    const third = await reprocess(changed)
    expect(third.summary.started).toHaveLength(2)
    expect(third.summary.skipped).toEqual([])
    for (const caseId of Object.keys(cubes)) {
      expect((await report(caseId)).pipeline.config_hash).toBe(configHash(parseConfig(changed)))
    }
    expect(events()).toHaveLength(4)

    // The inputs were read, never modified or deleted.
    expect(await cloud.context.stores('input').list('')).toEqual(inputBefore)
  })
})
