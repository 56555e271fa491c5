// Real Siemens files re-encoded by DCMTK (apt package dcmtk, installed by .ci/run) into the
// transfer syntaxes issue 3 names, then converted: every encoding is lossless, so each must give
// exactly the dcm2niix Ref of the original files (../shared/data/mr-sagittal/Ref). Covers a
// single-frame series (2_gre_field_mapping: 5 sagittal slices) and Siemens mosaics (2_fmri_SagAP:
// 6 files of 36 tiles), whose compressed forms were refused before.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { compareInPhysicalSpace, readRawNifti } from '../support/raw-nifti.js'
import { dataPath } from '../support/paths.js'

const encodings = [
  { name: 'JPEG-LS lossless', tool: 'dcmcjpls', args: [], syntax: '1.2.840.10008.1.2.4.80' },
  { name: 'JPEG lossless, first-order prediction', tool: 'dcmcjpeg', args: [], syntax: '1.2.840.10008.1.2.4.70' },
  { name: 'RLE lossless', tool: 'dcmcrle', args: [], syntax: '1.2.840.10008.1.2.5' },
  { name: 'explicit VR big endian', tool: 'dcmconv', args: ['+tb'], syntax: '1.2.840.10008.1.2.2' },
  { name: 'deflated explicit VR little endian', tool: 'dcmconv', args: ['+td'], syntax: '1.2.840.10008.1.2.1.99' },
] as const

const haveDcmtk = [...encodings.map((e) => e.tool), 'dcmdump'].every((tool) => !spawnSync(tool, ['--version']).error)

/** The transfer syntax a file declares in its File Meta Information, as DCMTK's dcmdump reads it. */
function transferSyntaxOf(file: string): string {
  const dump = spawnSync('dcmdump', ['-q', '-Un', '+P', '0002,0010', file], { encoding: 'utf8' }).stdout
  return /\[([0-9.]+)\]/.exec(dump)?.[1] ?? '(none)'
}

describe.skipIf(!haveDcmtk)('compressed and big-endian encodings of real series equal the dcm2niix Ref', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-syntaxes-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  function encodeSeries(series: string, encoding: (typeof encodings)[number]): string {
    const source = dataPath('mr-sagittal', 'In', series)
    const target = path.join(dir, `${series}-${encoding.tool}${encoding.args.join('')}`)
    mkdirSync(target, { recursive: true })
    for (const name of readdirSync(source)) {
      const out = path.join(target, name)
      const run = spawnSync(encoding.tool, [...encoding.args, path.join(source, name), out], { encoding: 'utf8' })
      expect(run.status, run.stderr).toBe(0)
      expect(transferSyntaxOf(out)).toBe(encoding.syntax)
    }
    return target
  }

  for (const encoding of encodings) {
    it(`${encoding.name}: single-frame sagittal series (2_gre_field_mapping)`, async () => {
      const input = encodeSeries('2_gre_field_mapping', encoding)
      const out = path.join(dir, `field-map-${encoding.tool}${encoding.args.join('')}.nii`)
      await runConvertCommand(input, out)
      const ref = readRawNifti(dataPath('mr-sagittal', 'Ref', '2_gre_field_mapping_PMUlog.nii'))
      const ours = readRawNifti(out)
      expect(ours.dims).toEqual([42, 64, 5])
      const cmp = compareInPhysicalSpace(ours, ref)
      expect(cmp.compared).toBe(42 * 64 * 5)
      expect(cmp.maxIndexError).toBeLessThan(1e-4)
      expect(cmp.mismatches).toBe(0)
    })

    it(`${encoding.name}: Siemens mosaics (2_fmri_SagAP, 6 volumes of 36 tiles)`, async () => {
      const input = encodeSeries('2_fmri_SagAP', encoding)
      const out = path.join(dir, `mosaic-${encoding.tool}${encoding.args.join('')}.nii`)
      await runConvertCommand(input, out)
      const ref = readRawNifti(dataPath('mr-sagittal', 'Ref', '2_fmri_SagAP.nii'))
      const ours = readRawNifti(out)
      expect(ours.dims).toEqual([64, 64, 36, 6])
      const cmp = compareInPhysicalSpace(ours, ref)
      expect(cmp.compared).toBe(64 * 64 * 36 * 6)
      expect(cmp.maxIndexError).toBeLessThan(1e-4)
      expect(cmp.mismatches).toBe(0)
    })
  }
})
