import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { discoverCases } from '../../src/local/discover-cases.js'
import { BadInputError } from '../../src/pipeline/errors.js'

const shared = path.resolve(new URL('../../../shared/', import.meta.url).pathname)

function dicomLike(file: string) {
  const bytes = new Uint8Array(200)
  bytes.set([0x44, 0x49, 0x43, 0x4d], 128)
  writeFileSync(file, bytes)
}

describe('discoverCases', () => {
  it('treats a DICOM folder (files without extension) as one case named after the folder', async () => {
    const cases = await discoverCases(path.join(shared, 'data/ct-abdomen-dicom'))
    expect(cases).toHaveLength(1)
    expect(cases[0].caseId).toBe('ct-abdomen-dicom')
    expect(cases[0].keys).toHaveLength(20)
    expect(cases[0].keys.every((k) => k.startsWith('ct-abdomen-dicom/'))).toBe(true)
  })

  it('treats a NIfTI file as one case', async () => {
    const cases = await discoverCases(path.join(shared, 'data/mr-abdomen-3mm.nii.gz'))
    expect(cases).toEqual([{ caseId: 'mr-abdomen-3mm', root: path.join(shared, 'data'), keys: ['mr-abdomen-3mm.nii.gz'] }])
  })

  it('walks a batch folder: case folders with their subfolders, NIfTI files, no label maps', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vf-discover-'))
    mkdirSync(path.join(root, 'a/ct'), { recursive: true })
    dicomLike(path.join(root, 'a/seg.dcm'))
    dicomLike(path.join(root, 'a/ct/1'))
    mkdirSync(path.join(root, 'b'))
    dicomLike(path.join(root, 'b/x'))
    writeFileSync(path.join(root, 'c.nii.gz'), '')
    writeFileSync(path.join(root, 'c.labels.nii.gz'), '')
    const cases = await discoverCases(root)
    expect(cases.map((c) => c.caseId)).toEqual(['a', 'b', 'c'])
    expect(cases[0].keys).toEqual(['a/ct/1', 'a/seg.dcm'])
  })

  it('names the path of a missing input', async () => {
    await expect(discoverCases('/no/such/dir')).rejects.toThrow(BadInputError)
    await expect(discoverCases('/no/such/dir')).rejects.toThrow('/no/such/dir')
  })
})
