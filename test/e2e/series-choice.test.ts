// The report lists every DICOM series group of a case and why one was chosen; `voxelflow run
// --series <UID>` overrides the choice. mr-enhanced/In holds (data README) a Philips B0 map of
// 64 frames in one file and a Siemens XA10 EPI of 4 files x 6 frames, both axial MR; here
// they are put into one case folder.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/cli/main.js'
import { runLocal } from '../../src/local/run-local.js'
import type { Report } from '../../src/pipeline/report-schema.js'
import { dataPath } from '../support/paths.js'

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'vf-series-'))

describe('series found and chosen', () => {
  it('lists both series with the reasons, then uses the other one with run --series', async () => {
    // One case folder holding both series (files directly in it, Siemens in a subfolder).
    const input = path.join(tmp(), 'two-series')
    mkdirSync(path.join(input, 'siemens'), { recursive: true })
    copyFileSync(dataPath('mr-enhanced', 'In', 'Philips', 'IM_0027_fMAP.dcm'), path.join(input, 'IM_0027_fMAP.dcm'))
    for (const f of readdirSync(dataPath('mr-enhanced', 'In', 'Siemens', 'XA10'))) copyFileSync(dataPath('mr-enhanced', 'In', 'Siemens', 'XA10', f), path.join(input, 'siemens', f))
    const { cases } = await runLocal({ input, out: tmp(), workers: 0 })
    const found = cases[0].report.input!.series_found!
    expect(found).toHaveLength(2)
    const philips = found.find((s) => s.status === 'chosen')!
    const siemens = found.find((s) => s.status !== 'chosen')!
    expect(philips).toMatchObject({ modality: 'MR', files: 1, slice_count: 64, rows: 64, columns: 64, orientation: 'AXIAL', group: '1 of 1', reason: 'primary series: MR image series with the most slices (64)' })
    expect(siemens).toMatchObject({ modality: 'MR', files: 4, slice_count: 24, orientation: 'AXIAL', status: 'not chosen', reason: 'fewer slices (24) than the chosen series (64)' })

    const printed: string[] = []
    const log = console.log
    console.log = (...args: unknown[]) => void printed.push(args.join(' '))
    try {
      await (await buildProgram()).parseAsync(['node', 'voxelflow', 'run', input, '--out', tmp(), '--series', siemens.series_instance_uid, '--json', '--workers', '0'])
    } finally {
      console.log = log
    }
    const [report] = JSON.parse(printed.join('\n')) as Report[]
    expect(report.status).toBe('processed')
    // 6 positions along the normal, 3.375 x 3.375 x 2.4 mm (README).
    expect(report.input).toMatchObject({ series_instance_uid: siemens.series_instance_uid, size_voxels: [64, 64, 6] })
    expect(report.input!.spacing_mm.map((v) => +v.toFixed(4))).toEqual([3.375, 3.375, 2.4])
    expect(report.input!.series_found!.find((s) => s.status === 'chosen')!.reason).toBe('requested by SeriesInstanceUID')
    expect(report.warnings.map((w) => w.message).join('\n')).toMatch(/4 frames at each of 6 positions/)
  })

  it('an unknown --series UID fails the case as bad input naming the UIDs found', async () => {
    const { cases } = await runLocal({ input: dataPath('ct-liver-ffs'), out: tmp(), workers: 0, config: (await import('../../src/pipeline/config.js')).parseConfig({ dicom: { series_instance_uid: '1.2.3.4' } }) })
    const { report } = cases[0]
    expect(report.status).toBe('failed')
    expect(report.error).toMatchObject({ kind: 'bad_input' })
    expect(report.error!.message).toMatch(/series 1\.2\.3\.4 not found; series found: [\d.]+/)
  })
})
