// Stray and broken files beside a valid series are ignored with a warning that names them and
// says why; the series is read as if they were not there (issue 9, first cases).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runLocal } from '../../src/local/run-local.js'
import { sampleTruth, writeSample } from '../../src/sample/index.js'

describe('a series folder with stray and broken files', () => {
  it('processes the valid series and names every ignored file with its reason', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-broken-'))
    await writeSample(path.join(dir, 'in'), { cases: 1, seed: 2 })
    const truth = sampleTruth(0, 2)
    const ct = path.join(dir, 'in', truth.caseId, 'ct')
    const slice = path.join(ct, readdirSync(ct).sort()[10])
    const bytes = readFileSync(slice)
    const pixelBytes = truth.grid.size[0] * truth.grid.size[1] * 2
    writeFileSync(path.join(ct, 'empty.dcm'), '')
    writeFileSync(path.join(ct, 'notes.txt'), 'scanned on Tuesday')
    writeFileSync(path.join(ct, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]))
    writeFileSync(path.join(ct, 'header-only.dcm'), bytes.subarray(0, bytes.length - pixelBytes - 12))
    writeFileSync(path.join(ct, 'half-pixels.dcm'), bytes.subarray(0, bytes.length - pixelBytes / 2))

    const { cases } = await runLocal({ input: path.join(dir, 'in', truth.caseId), out: path.join(dir, 'out'), workers: 0 })
    const { report } = cases[0]
    expect(report.status).toBe('processed')
    expect(report.input?.slice_count).toBe(truth.grid.size[2])
    const ignored = report.warnings.filter((w) => w.code === 'file_ignored').map((w) => w.message)
    expect(ignored).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ct\/empty\.dcm: not DICOM/),
        expect.stringMatching(/ct\/notes\.txt: not DICOM/),
        expect.stringMatching(/ct\/\.DS_Store: not DICOM/),
        expect.stringMatching(/ct\/header-only\.dcm: no pixel data/),
        expect.stringMatching(new RegExp(`ct/half-pixels\\.dcm: truncated: ${pixelBytes / 2} of ${pixelBytes} pixel data bytes`)),
      ]),
    )
    // No duplicate-position warning: the broken copies never reached the series.
    expect(report.warnings.map((w) => w.code)).not.toContain('duplicate-positions')
    for (const bone of truth.bones) {
      const row = report.labels.find((l) => l.value === bone.value)!
      expect(Math.abs(row.volume_ml / bone.volumeMl - 1)).toBeLessThan(0.02)
    }
  })
})
