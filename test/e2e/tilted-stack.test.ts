// ct-head-tilt-ge through the pipeline (voxelflow run): the 18.5° gantry tilt and the
// non-uniform slice spacing are detected with the numbers of the data README and the dcm2niix
// reference sidecar (ct-head-tilt-ge.ref/_2.json), the stack is resampled onto an orthogonal
// grid by default, and `dicom` config "refuse" turns either into a bad-input failure.
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { dataPath } from '../support/paths.js'

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'vf-e2e-tilt-'))
const ref = JSON.parse(readFileSync(dataPath('ct-head-tilt-ge.ref', '_2.json'), 'utf8')) as { ImageOrientationPatientDICOM: number[] }
// dcm2niix's IOP: the column direction (0, 0.948324, -0.317305) leans acos(0.948324) from y.
const refTiltDegrees = (Math.acos(ref.ImageOrientationPatientDICOM[4]) * 180) / Math.PI
const numbersIn = (text: string) => (text.match(/-?\d+(\.\d+)?/g) ?? []).map(Number)

describe('ct-head-tilt-ge through the pipeline', () => {
  it('reports tilt and spacing with the reference numbers and writes an orthogonal grid', async () => {
    const out = tmp()
    // 2 mm output voxels keep the run short; the checks concern the input stage.
    const config = parseConfig({ resample: { spacing_mm: 2, interpolator: 'linear' } })
    const { cases } = await runLocal({ input: dataPath('ct-head-tilt-ge'), out, config, workers: 1 })
    const { report } = cases[0]
    expect(report.status).toBe('processed')
    const byCode = (code: string) => report.warnings.filter((w) => w.code === code)

    expect(refTiltDegrees).toBeCloseTo(18.5, 2)
    const tilt = byCode('gantry-tilt')
    expect(tilt).toHaveLength(1)
    expect(numbersIn(tilt[0].message)[0]).toBeCloseTo(refTiltDegrees, 2)
    // README: steps along the normal 4.0019 (1->14), 1.0811 (14->15), 6.9986 mm (15->28).
    const spacing = byCode('non-uniform-spacing')
    expect(spacing).toHaveLength(1)
    expect(spacing[0].message).toMatch(/from 1\.0811 to 6\.9986 mm \(median 4\.0019 mm/)
    expect(byCode('duplicate-positions')).toHaveLength(0)
    expect(byCode('missing-slices')).toHaveLength(0)
    expect(byCode('stack_resliced')[0].message).toMatch(/gantry tilt 18\.5° and non-uniform slice spacing: resampled onto \d+ orthogonal slices 1\.0811 mm apart/)

    // Resliced input: uniform steps of the smallest spacing over the 13 x 4.0019 + 1.0811 + 13 x 6.9986 mm.
    const input = report.input!
    const along = 13 * 4.0019 + 1.0811 + 13 * 6.9986
    expect(input.size_voxels).toEqual([512, 512, Math.round(along / 1.0811) + 1])
    expect(input.spacing_mm[0]).toBeCloseTo(0.4882812, 6)
    expect(input.spacing_mm[2]).toBeCloseTo(1.0811, 4)
    expect(input.slice_count).toBe(28)
    // Orthogonal direction: columns row (1,0,0), column and normal from the reference IOP.
    const d = input.direction_lps
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      expect(d[a] * d[b] + d[3 + a] * d[3 + b] + d[6 + a] * d[6 + b]).toBeCloseTo(a === b ? 1 : 0, 9)
    }
    const [, , , cx, cy, cz] = ref.ImageOrientationPatientDICOM
    expect([d[0], d[3], d[6]]).toEqual([1, 0, 0])
    expect([d[1], d[4], d[7]].map((v) => +v.toFixed(6))).toEqual([cx, cy, cz])
    expect([d[2], d[5], d[8]].map((v) => +v.toFixed(6))).toEqual([0, +(-cz).toFixed(6), cy])
    // Origin: IPP of 01.dcm (README (-125, -123.5404569, 5.8360586)), the first row in DICOM order.
    expect(input.origin_lps_mm[0]).toBeCloseTo(-125, 6)
    expect(input.origin_lps_mm[1]).toBeCloseTo(-123.5404569, 6)
    expect(input.origin_lps_mm[2]).toBeCloseTo(5.8360586, 6)
  })

  it('refuses tilted or unevenly spaced stacks when the config says so, naming the series and the numbers', async () => {
    const out = tmp()
    const tiltRefused = await runLocal({ input: dataPath('ct-head-tilt-ge'), out, config: parseConfig({ dicom: { gantry_tilt: 'refuse' } }), workers: 0 })
    const a = tiltRefused.cases[0].report
    expect(a.status).toBe('failed')
    expect(a.error?.kind).toBe('bad_input')
    expect(a.error?.message).toMatch(/series [\d.]+: gantry tilt of 18\.5° .*dicom\.gantry_tilt is "refuse"/)

    const spacingRefused = await runLocal({ input: dataPath('ct-head-tilt-ge'), out: tmp(), config: parseConfig({ dicom: { non_uniform_spacing: 'refuse' } }), workers: 0 })
    const b = spacingRefused.cases[0].report
    expect(b.error?.kind).toBe('bad_input')
    expect(b.error?.message).toMatch(/slice spacing varies from 1\.0811 to 6\.9986 mm along the normal \(expected uniform 4\.0019 mm/)
  })
})
