// HU plausibility for NIfTI CT input (load-case guesses CT from the value range): the real CT
// ../shared/data/ct-abdomen-pelvis-3mm.nii.gz (README: in HU, -1207..3382) passes; the same CT
// with every value doubled (a slope applied twice: air near -2000 HU, known from the input) is
// flagged through loadCase; a padded border of -3024 filling far more than a tenth of the volume
// is not mistaken for air.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Image, makeImage, gridOf, pixelsOf } from '../../src/image/image.js'
import { huPlausibility } from '../../src/measure/hu-plausibility.js'
import { niftiCtPlausibility } from '../../src/measure/nifti-ct-plausibility.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { loadCase } from '../../src/pipeline/load-case.js'
import { dataPath } from '../support/paths.js'

const huCodes = (warnings: { code: string }[]) => warnings.map((w) => w.code).filter((c) => c.startsWith('hu_'))

describe('HU plausibility of NIfTI CT input', () => {
  let dir: string
  let ct: Image
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-nifti-hu-'))
    ct = await readNifti(dataPath('ct-abdomen-pelvis-3mm.nii.gz'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('a real CT in HU: air near -1000 HU, soft tissue near 0 HU, no warning (also through loadCase)', async () => {
    const r = niftiCtPlausibility(pixelsOf(ct))
    expect(Math.abs(r.airHu! + 1000)).toBeLessThan(100)
    expect(Math.abs(r.softTissueHu!)).toBeLessThan(150)
    expect(r.warnings).toEqual([])
    const loaded = await loadCase([{ file: dataPath('ct-abdomen-pelvis-3mm.nii.gz'), key: 'ct.nii.gz', role: 'auto' }])
    expect(loaded.modality).toBe('CT')
    expect(huCodes(loaded.warnings)).toEqual([])
  })

  it('every value doubled: loadCase treats it as CT and warns with the air peak near -2000 HU', async () => {
    const doubled = Float32Array.from(pixelsOf(ct) as ArrayLike<number>, (v) => 2 * v)
    const file = path.join(dir, 'doubled.nii.gz')
    await writeNifti(makeImage(gridOf(ct), doubled), file)
    const loaded = await loadCase([{ file, key: 'doubled.nii.gz', role: 'auto' }])
    expect(loaded.modality).toBe('CT')
    expect(huCodes(loaded.warnings)).toContain('hu_air_implausible')
    const air = loaded.warnings.find((w) => w.code === 'hu_air_implausible')!.message.match(/air peak at (-?[\d.]+) HU/)
    expect(Math.abs(Number(air![1]) + 2000)).toBeLessThan(200)
  })

  it('a -3024 padded border (a third of the voxels) is padding, not air', () => {
    const values = Int16Array.from(pixelsOf(ct) as ArrayLike<number>)
    const nx = ct.size[0]
    let padded = 0
    for (let p = 0; p < values.length; p++) if (p % nx < nx / 3) {
      values[p] = -3024
      padded++
    }
    expect(padded / values.length).toBeGreaterThan(0.3)
    expect(niftiCtPlausibility(values).warnings).toEqual([])
    // Without taking the minimum as padding, the padding would be the "air" peak.
    expect(huPlausibility(values).warnings.map((w) => w.code)).toContain('hu_air_implausible')
  })

  it('the padding minimum is found wherever it lies (each of four positions, and the last voxel)', () => {
    // 4n + 3 voxels, every one counted (fewer than 4 M: no sampling): a voxel below -1100 HU is
    // padding and left out, so exactly one voxel fewer is used, as for the smallest at voxel 0
    const length = 4 * 2500 + 3
    for (const at of [0, 1, 2, 3, 4001, length - 1]) {
      const values = new Int16Array(length).fill(-1000)
      for (let p = 0; p < length; p += 3) values[p] = 40
      values[at] = -3024
      expect(niftiCtPlausibility(values).voxelsUsed, `at ${at}`).toBe(length - 1)
      values[at] = -1100 // not below the lowest physical HU: no padding, every voxel used
      expect(niftiCtPlausibility(values).voxelsUsed, `at ${at}`).toBe(length)
    }
  })
})
