// Enhanced multi-frame MR (../shared/data/mr-enhanced) and the 2-D sagittal series of
// mr-sagittal converted with `voxelflow convert`, against the dcm2niix Ref NIfTIs beside them:
// every output voxel sits where a Ref voxel sits (affines agree to 1e-4 mm after at most an
// index flip) and holds the same stored value.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { pixelsOf, type Image } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { runLocal } from '../../src/local/run-local.js'
import { dataPath } from '../support/paths.js'
import { readRawNifti, type RawNifti } from '../support/raw-nifti.js'

/** LPS position of a voxel index of an itk-wasm image. */
function lpsOf(image: Image, index: number[]): number[] {
  const d = image.direction as ArrayLike<number>
  return [0, 1, 2].map((r) => image.origin[r] + [0, 1, 2].reduce((s, c) => s + d[r * 3 + c] * image.spacing[c] * index[c], 0))
}

/** Ref voxel index of an LPS position (the Ref affine is RAS). */
function refIndexOf(ref: RawNifti, lps: number[]): number[] {
  const ras = [-lps[0], -lps[1], lps[2]]
  const m = ref.affine.map((row) => row.slice(0, 3))
  const b = ras.map((v, r) => v - ref.affine[r][3])
  const det = (a: number[][]) => a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
  const whole = det(m)
  return [0, 1, 2].map((c) => det(m.map((row, r) => row.map((v, k) => (k === c ? b[r] : v)))) / whole)
}

/** Every output voxel lands on a Ref voxel centre (1e-4 of a voxel) and equals `expected(refRaw)`. */
function expectSameVoxels(image: Image, ref: RawNifti, expected: (refRaw: number) => number): void {
  const [nx, ny, nz] = image.size
  expect(nx * ny * nz).toBe(ref.dims[0] * ref.dims[1] * ref.dims[2])
  // The affine: corners map onto integer Ref indices, inside the Ref grid.
  const corner = (i: number, j: number, k: number) => refIndexOf(ref, lpsOf(image, [i, j, k]))
  const origin = corner(0, 0, 0)
  const steps = [corner(1, 0, 0), corner(0, 1, 0), corner(0, 0, 1)].map((p) => p.map((v, a) => v - origin[a]))
  for (const v of [...origin, ...steps.flat()]) expect(Math.abs(v - Math.round(v))).toBeLessThan(1e-4)
  for (const [i, j, k] of [[nx - 1, ny - 1, nz - 1], [nx - 1, 0, 0], [0, ny - 1, nz - 1]]) {
    const p = corner(i, j, k)
    for (const v of p) expect(Math.abs(v - Math.round(v))).toBeLessThan(1e-4)
  }
  const o = origin.map(Math.round)
  const s = steps.map((p) => p.map(Math.round))
  const data = pixelsOf(image)
  let mismatches = 0
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const r = [0, 1, 2].map((a) => o[a] + i * s[0][a] + j * s[1][a] + k * s[2][a])
    const refValue = ref.raw[r[0] + ref.dims[0] * (r[1] + ref.dims[1] * r[2])]
    if (data[i + nx * (j + ny * k)] !== expected(refValue)) mismatches++
  }
  expect(mismatches).toBe(0)
}

describe('enhanced multi-frame MR and 2-D sagittal MR against dcm2niix', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-enhanced-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('Philips B0 map (64 frames, magnitude + field map): the magnitude stack is Ref e1, rescaled exactly as DICOM says', async () => {
    const r = await runConvertCommand(dataPath('mr-enhanced', 'In', 'Philips'), path.join(dir, 'philips.nii'))
    expect(r.sidecar.warnings.join('\n')).toMatch(/2 kinds of frames: T1 M MAGNITUDE \(32 frames\), T1 FIELD_MAP REAL \(32 frames\); the first, T1 M MAGNITUDE, is used/)
    // README: magnitude frames RescaleSlope 1.27985..., intercept 0 -> float32 output, not rounded.
    expect(r.sidecar.rescale.slope).toBeCloseTo(1.27985, 5)
    expect(r.sidecar.rescale.intercept).toBe(0)
    expect(r.sidecar.rescale.outputComponentType).toBe('float32')
    expect(r.sidecar.geometry.size).toEqual([64, 64, 32])
    expect(r.sidecar.geometry.spacing).toEqual([4, 4, 4])
    const image = await readNifti(path.join(dir, 'philips.nii'))
    const ref = readRawNifti(dataPath('mr-enhanced', 'Ref', 'Philips_WIP_B0_NS_801_e1.nii'))
    expect(ref.dims.slice(0, 3)).toEqual([64, 64, 32])
    const { slope, intercept } = r.sidecar.rescale
    expectSameVoxels(image, ref, (raw) => Math.fround(raw * slope + intercept))
  })

  it('Philips field map frames (--frame-type FIELD_MAP) are Ref e2 in Hz: the same stored values, rescaled by the DICOM slope/intercept', async () => {
    const r = await runConvertCommand(dataPath('mr-enhanced', 'In', 'Philips'), path.join(dir, 'fieldmap.nii'), { frameType: 'FIELD_MAP' })
    expect(r.sidecar.warnings.join('\n')).toMatch(/the requested, T1 FIELD_MAP REAL, is used/)
    // README: field-map frames RescaleSlope 0.24420..., intercept -500; Ref scl 0.24420166 / -499.999939 (float32).
    const { slope, intercept, outputComponentType } = r.sidecar.rescale
    expect(slope).toBeCloseTo(0.2442, 4)
    expect(intercept).toBe(-500)
    expect(outputComponentType).toBe('float32')
    const ref = readRawNifti(dataPath('mr-enhanced', 'Ref', 'Philips_WIP_B0_NS_801_e2_fieldmaphz.nii'))
    expect(ref.sclSlope).toBeCloseTo(slope, 5) // dcm2niix differs from the DICOM slope by 1.4e-6
    expect(ref.sclInter).toBeCloseTo(intercept, 3)
    expectSameVoxels(await readNifti(path.join(dir, 'fieldmap.nii')), ref, (raw) => Math.fround(raw * slope + intercept))
    const bad = await runConvertCommand(dataPath('mr-enhanced', 'In', 'Philips'), path.join(dir, 'x.nii'), { frameType: 'PHASE' }).catch((e: Error) => e)
    expect((bad as Error).message).toMatch(/no frames of kind PHASE; its frames: T1 M MAGNITUDE \(32 frames\), T1 FIELD_MAP REAL \(32 frames\)/)
  })

  it('Siemens XA10 multiband EPI (4 files x 6 frames): a 4-D NIfTI equal to the Ref, affine within 1e-4', async () => {
    const r = await runConvertCommand(dataPath('mr-enhanced', 'In', 'Siemens', 'XA10'), path.join(dir, 'siemens.nii'))
    expect(r.sidecar.warnings.join('\n')).toMatch(/4 frames at each of 6 positions/)
    expect(r.sidecar.geometry.size).toEqual([64, 64, 6, 4])
    expect(r.sidecar.rescale.outputComponentType).toBe('int16')
    const ours = readRawNifti(path.join(dir, 'siemens.nii'))
    const ref = readRawNifti(dataPath('mr-enhanced', 'Ref', 'Siemens_REST1_w_SMS_PF7-8_6.nii'))
    expect(ref.dims).toEqual([64, 64, 6, 4])
    expect(ours.dims).toEqual(ref.dims)
    expect(ours.pixdim[3]).toBeCloseTo(0.5, 6) // README: TR 0.5 s
    // README affine [[-3.375,0,0,109.79],[0,3.375,0,-154.14771],[0,0,2.4,-5.40335]]; ours has dcm2niix's layout.
    for (let row = 0; row < 3; row++) for (let c = 0; c < 4; c++) expect(Math.abs(ours.affine[row][c] - ref.affine[row][c])).toBeLessThan(1e-4)
    let mismatches = 0
    for (let i = 0; i < ref.raw.length; i++) if (ours.raw[i] * ours.sclSlope + ours.sclInter !== ref.raw[i]) mismatches++
    expect(mismatches).toBe(0)
  })

  it('mr-sagittal gre field map (5 single-slice sagittal files) matches its Ref', async () => {
    await runConvertCommand(dataPath('mr-sagittal', 'In', '2_gre_field_mapping'), path.join(dir, 'sag.nii'))
    const image = await readNifti(path.join(dir, 'sag.nii'))
    const ref = readRawNifti(dataPath('mr-sagittal', 'Ref', '2_gre_field_mapping_PMUlog.nii'))
    expect(ref.dims).toEqual([42, 64, 5])
    expectSameVoxels(image, ref, (raw) => raw)
  })

  it('mr-enhanced runs through the pipeline (the Philips stack: most frames)', async () => {
    const { cases } = await runLocal({ input: dataPath('mr-enhanced', 'In'), out: path.join(dir, 'run'), workers: 0 })
    const { report } = cases[0]
    expect(report.status).toBe('processed')
    expect(report.input).toMatchObject({ kind: 'dicom', modality: 'MR', size_voxels: [64, 64, 32] })
    for (const s of report.input!.spacing_mm) expect(s).toBeCloseTo(4, 6)
    expect(report.warnings.map((w) => w.code)).toContain('frame_kinds')
  })
})
