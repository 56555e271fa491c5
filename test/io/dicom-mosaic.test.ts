// Siemens mosaics (../shared/data/mr-sagittal 2_fmri_SagAP, 3_fmri_SagHF: 6 files, each a 384 x 384
// mosaic of 36 sagittal 64 x 64 tiles) converted with `voxelflow convert` against the dcm2niix
// Ref NIfTIs: 64 x 64 x 36 x 6, TR 3.2 s. dcm2niix writes these volumes slice-reversed ("flipZ",
// README); ours keep the usual layout (k ascending along row x column), so the affines must
// agree after reversing k, and every voxel of all 6 volumes must hold the Ref's value at the same
// position.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { DicomMessage } from '../../src/io/dcmjs-parser.js'
import { runLocal } from '../../src/local/run-local.js'
import { compareInPhysicalSpace, readRawNifti, type RawNifti } from '../support/raw-nifti.js'
import { dataPath, repoRoot } from '../support/paths.js'

/** The Ref's affine with its slice axis reversed (dcm2niix's flipZ undone). */
function unflipped(ref: RawNifti): number[][] {
  const nz = ref.dims[2]
  return ref.affine.map((row) => [row[0], row[1], -row[2], row[3] + (nz - 1) * row[2]])
}

describe('Siemens mosaics against dcm2niix', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-mosaic-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  for (const series of ['2_fmri_SagAP', '3_fmri_SagHF']) {
    it(`${series}: 6 de-tiled volumes equal the Ref voxel for voxel, affine within 1e-4, TR 3.2 s as the time step`, async () => {
      const out = path.join(dir, `${series}.nii`)
      const r = await runConvertCommand(dataPath('mr-sagittal', 'In', series), out)
      expect(r.sidecar.geometry.size).toEqual([64, 64, 36, 6])
      expect(r.sidecar.geometry.timeStepSeconds).toBe(3.2) // README: TR 3.2 s
      expect(r.sidecar.warnings.join('\n')).toMatch(/6 mosaic volumes of 36 slices/)
      const ours = readRawNifti(out)
      const ref = readRawNifti(dataPath('mr-sagittal', 'Ref', `${series}.nii`))
      expect(ref.dims).toEqual([64, 64, 36, 6])
      expect(ours.dims).toEqual(ref.dims)
      // Zooms 3.203125, 3.203125, 3.6 (SpacingBetweenSlices, not the 3 mm SliceThickness), TR 3.2 s.
      for (const [a, v] of [3.203125, 3.203125, 3.6, 3.2].entries()) {
        expect(ours.pixdim[a]).toBeCloseTo(v, 5)
        expect(ref.pixdim[a]).toBeCloseTo(v, 5)
      }
      const expected = unflipped(ref)
      for (let row = 0; row < 3; row++) for (let c = 0; c < 4; c++) expect(Math.abs(ours.affine[row][c] - expected[row][c])).toBeLessThan(1e-4)
      const cmp = compareInPhysicalSpace(ours, ref)
      expect(cmp.compared).toBe(64 * 64 * 36 * 6)
      expect(cmp.maxIndexError).toBeLessThan(1e-4)
      expect(cmp.mismatches).toBe(0)
    })
  }
})

interface DicomDictLike {
  dict: Record<string, unknown>
  meta: Record<string, { vr?: string; Value?: unknown[] }>
  write(options?: Record<string, unknown>): ArrayBuffer
}

describe('a mosaic series through the pipeline', () => {
  it('uses the first volume: 64 x 64 x 36 voxels of 3.203125 x 3.203125 x 3.6 mm, with a warning naming the 6 volumes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-mosaic-run-'))
    try {
      const { cases } = await runLocal({ input: dataPath('mr-sagittal', 'In', '2_fmri_SagAP'), out: dir, workers: 0 })
      const { report } = cases[0]
      expect(report.status).toBe('processed')
      expect(report.input).toMatchObject({ kind: 'dicom', modality: 'MR', size_voxels: [64, 64, 36] })
      for (const [a, v] of [3.203125, 3.203125, 3.6].entries()) expect(report.input!.spacing_mm[a]).toBeCloseTo(v, 5)
      expect(report.warnings.find((w) => w.code === 'multiple_volumes')?.message).toMatch(/6 mosaic volumes of 36 slices/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('where NumberOfImagesInMosaic is read from', () => {
  const series = dataPath('mr-sagittal', 'In', '2_fmri_SagAP')
  const rewrite = (dir: string, change: (dicom: DicomDictLike) => void) => {
    for (const name of readdirSync(series)) {
      const bytes = readFileSync(path.join(series, name))
      const dicom = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as unknown as DicomDictLike
      change(dicom)
      writeFileSync(path.join(dir, name), new Uint8Array(dicom.write()))
    }
  }
  for (const [what, change] of [
    // Implicit VR: the private US (0019,100A) arrives as raw bytes (its VR is not in the file).
    ['implicit VR little endian (private tag without its VR)', (d: DicomDictLike) => { d.meta['00020010'] = { vr: 'UI', Value: ['1.2.840.10008.1.2'] } }],
    // Without (0019,100A): the CSA image header's NumberOfImagesInMosaic.
    ['no (0019,100A): the CSA image header', (d: DicomDictLike) => { delete (d.dict as Record<string, unknown>)['0019100A'] }],
  ] as const) {
    it(`${what}: still equal to the Ref`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-mosaic-var-'))
      try {
        rewrite(dir, change)
        const out = path.join(dir, 'out.nii')
        await runConvertCommand(dir, out)
        const cmp = compareInPhysicalSpace(readRawNifti(out), readRawNifti(dataPath('mr-sagittal', 'Ref', '2_fmri_SagAP.nii')))
        expect(cmp.compared).toBe(64 * 64 * 36 * 6)
        expect(cmp.maxIndexError).toBeLessThan(1e-4)
        expect(cmp.mismatches).toBe(0)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})

describe('one mosaic file alone', () => {
  it('is a whole 3-D volume: file 3 of 2_fmri_SagAP equals volume 3 of the Ref', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-mosaic-one-'))
    try {
      const name = '0003_1.3.12.2.1107.5.2.43.67060.2024100913415858682905782.dcm'
      writeFileSync(path.join(dir, name), readFileSync(dataPath('mr-sagittal', 'In', '2_fmri_SagAP', name)))
      const r = await runConvertCommand(dir, path.join(dir, 'one.nii'))
      expect(r.sidecar.geometry.size).toEqual([64, 64, 36])
      const ours = readRawNifti(path.join(dir, 'one.nii'))
      const cmp = compareInPhysicalSpace(ours, readRawNifti(dataPath('mr-sagittal', 'Ref', '2_fmri_SagAP.nii')), 2)
      expect(cmp.maxIndexError).toBeLessThan(1e-4)
      expect(cmp.mismatches).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a mosaic that cannot be de-tiled', () => {
  it('NumberOfImagesInMosaic 37 (7 x 7 tiles) in a 384 x 384 mosaic: BadInputError naming the file and the field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-mosaic-bad-'))
    try {
      const source = dataPath('mr-sagittal', 'In', '2_fmri_SagAP', '0001_1.3.12.2.1107.5.2.43.67060.2024100913415219255705562.dcm')
      const bytes = readFileSync(source)
      // Explicit VR LE element (0019,100A) US, length 2: tag bytes 19 00 0A 10, "US", 02 00, value.
      const at = bytes.indexOf(Buffer.from([0x19, 0x00, 0x0a, 0x10, 0x55, 0x53, 0x02, 0x00]))
      expect(at).toBeGreaterThan(0)
      expect(bytes.readUInt16LE(at + 8)).toBe(36) // README: NumberOfImagesInMosaic 36
      bytes.writeUInt16LE(37, at + 8)
      const file = path.join(dir, 'mosaic.dcm')
      writeFileSync(file, bytes)
      const error = await runConvertCommand(dir, path.join(dir, 'out.nii')).catch((e: Error) => e)
      expect(error).toBeInstanceOf(BadInputError)
      expect((error as BadInputError).file).toBe(file)
      expect((error as BadInputError).field).toBe('NumberOfImagesInMosaic')
      expect((error as Error).message).toMatch(/384 x 384 pixels cannot hold 7 x 7 equal tiles/)
      expect(readFileSync(source).equals(bytes)).toBe(false) // the input was copied, never changed
      // The command as users run it: exit code 2 for bad input, the file and the field named.
      const cli = spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), 'convert', dir, path.join(dir, 'out.nii')], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 })
      expect(cli.status).toBe(2)
      expect(cli.stderr).toContain(file)
      expect(cli.stderr).toMatch(/cannot hold 7 x 7 equal tiles/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
