// case.json's moving_image marks the named object as the case's moving image (role "moving"),
// which the registration stage registers to the output image; moving_labels its label map.
import { mkdtempSync, rmSync, writeFileSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { folderStores } from '../../src/local/folder-stores.js'
import { ingestObject } from '../../src/pipeline/ingest.js'
import { getJson } from '../../src/pipeline/object-io.js'
import type { CaseManifest, ExecutionInput } from '../../src/pipeline/state.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-moving-manifest-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('case.json moving_image and moving_labels', () => {
  it('give the named objects the roles "moving" and "moving_labels"; the rest of the folder stays the case', async () => {
    const input = path.join(dir, 'input')
    const folder = path.join(input, 'brain', 'case-7')
    await fs.mkdir(folder, { recursive: true })
    writeFileSync(path.join(folder, 't1.nii.gz'), 'x')
    writeFileSync(path.join(folder, 't2.nii.gz'), 'y')
    writeFileSync(path.join(folder, 't2-labels.nii.gz'), 'z')
    writeFileSync(path.join(folder, 'case.json'), JSON.stringify({ moving_image: 't2.nii.gz', moving_labels: 't2-labels.nii.gz' }))
    const stores = folderStores({ input, work: path.join(dir, 'work') })
    let started: ExecutionInput | undefined
    const outcome = await ingestObject('input', 'brain/case-7/case.json', {
      stores, workBucket: 'work', outputBucket: 'output', config: {},
      starter: { start: async (name, body) => { started = body as ExecutionInput; return { started: true, executionId: name } } },
    })
    expect(outcome.action).toBe('started')
    const manifest = await getJson<CaseManifest>(stores('work'), started!.case.manifest.key)
    expect(manifest.objects.map((o) => [o.key, o.role])).toEqual([
      ['brain/case-7/t1.nii.gz', 'auto'],
      ['brain/case-7/t2-labels.nii.gz', 'moving_labels'],
      ['brain/case-7/t2.nii.gz', 'moving'],
    ])
  })
})
