// HU plausibility: the air and soft-tissue peaks of phantoms with known values, a phantom whose
// intercept is off by +1024 HU (warned, with the numbers), and real CT series that are in HU
// (dcm2niix gives them in HU per the data README) through `voxelflow convert`: no warning.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import dcmjs from 'dcmjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { pixelsOf } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { huPlausibility } from '../../src/measure/hu-plausibility.js'
import { makeRandom } from '../../src/sample/random.js'
import { dataPath } from '../support/paths.js'

/** 96 x 96 x 16: air (-1000) around a water cylinder (0, radius 30) with a 4-voxel bone rim (1000), noise SD 10. */
function phantom(offset = 0, padding?: number): Int16Array {
  const random = makeRandom('hu-phantom')
  const n = 96
  const out = new Int16Array(n * n * 16)
  for (let k = 0; k < 16; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const r = Math.hypot(i - 47.5, j - 47.5)
    const truth = r < 30 ? 0 : r < 34 ? 1000 : -1000
    const noise = 10 * Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next())
    out[(k * n + j) * n + i] = padding !== undefined && r > 46 ? padding : Math.round(truth + noise + offset)
  }
  return out
}

describe('huPlausibility', () => {
  it('finds air at -1000 and water at 0 HU (within one 10 HU bin), no warning', () => {
    const r = huPlausibility(phantom())
    expect(Math.abs(r.airHu! + 1000)).toBeLessThanOrEqual(10)
    expect(Math.abs(r.softTissueHu!)).toBeLessThanOrEqual(10)
    expect(r.warnings).toEqual([])
  })

  it('warns with the numbers when the intercept is off by +1024 HU, and changes nothing', () => {
    const values = phantom(1024)
    const copy = values.slice()
    const r = huPlausibility(values)
    expect(Math.abs(r.airHu! - 24)).toBeLessThanOrEqual(10)
    expect(Math.abs(r.softTissueHu! - 1024)).toBeLessThanOrEqual(10)
    expect(r.warnings.map((w) => w.code)).toEqual(['hu_air_implausible', 'hu_soft_tissue_implausible'])
    expect(r.warnings[0].message).toContain(`air peak at ${r.airHu} HU, expected near -1000 HU`)
    expect(values).toEqual(copy)
  })

  it('leaves the padding value out (PixelPaddingValue outside the reconstruction circle)', () => {
    const r = huPlausibility(phantom(0, -3024), { paddingValue: -3024 })
    expect(Math.abs(r.airHu! + 1000)).toBeLessThanOrEqual(10)
    expect(r.warnings).toEqual([])
    // Without being told, the padding would be taken for air.
    expect(huPlausibility(phantom(0, -3024)).warnings[0].code).toBe('hu_air_implausible')
  })
})

describe('HU checks and rescale on real series (voxelflow convert)', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-hu-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('real CT in HU: no plausibility warning', async () => {
    for (const series of ['ct-abdomen-dicom', 'ct-liver-ffs', 'ct-head-tilt-ge']) {
      const r = await runConvertCommand(dataPath(series), path.join(dir, `${series}.nii`))
      expect(r.sidecar.warnings.filter((w) => /HU, expected near/.test(w))).toEqual([])
    }
  })

  it('a non-integer Rescale Slope gives float32 voxels stored x slope + intercept, not rounded', async () => {
    // ct-liver-ffs rewritten with RescaleSlope 0.5 and RescaleIntercept -1024.25.
    const source = path.join(dir, 'slope')
    mkdirSync(source)
    const { DicomMessage, DicomMetaDictionary, DicomDict } = dcmjs.data
    for (const f of ['01.dcm', '02.dcm', '03.dcm']) {
      const bytes = readFileSync(dataPath('ct-liver-ffs', f))
      const message = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
      const d = DicomMetaDictionary.naturalizeDataset(message.dict)
      d.RescaleSlope = '0.5'
      d.RescaleIntercept = '-1024.25'
      const meta = DicomMetaDictionary.naturalizeDataset(message.meta)
      meta.TransferSyntaxUID = '1.2.840.10008.1.2.1'
      const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta))
      dict.dict = DicomMetaDictionary.denaturalizeDataset(d)
      writeFileSync(path.join(source, f), Buffer.from(dict.write()))
    }
    const original = await runConvertCommand(dataPath('ct-liver-ffs'), path.join(dir, 'liver.nii'))
    const r = await runConvertCommand(source, path.join(dir, 'liver-slope.nii'))
    expect(original.sidecar.rescale).toMatchObject({ slope: 1, intercept: -1024, outputComponentType: 'int16' })
    expect(r.sidecar.rescale).toMatchObject({ slope: 0.5, intercept: -1024.25, outputComponentType: 'float32' })
    const hu = pixelsOf(await readNifti(path.join(dir, 'liver.nii')))
    const scaled = pixelsOf(await readNifti(path.join(dir, 'liver-slope.nii')))
    let mismatches = 0
    for (let i = 0; i < hu.length; i++) if (scaled[i] !== (hu[i] + 1024) * 0.5 - 1024.25) mismatches++
    expect(mismatches).toBe(0)
  })
})
