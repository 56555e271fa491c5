// `voxelflow convert` (src/cli/convert-command.ts) on shared/data's real series, against the
// facts of its README: grids of dcm2niix / the TotalSegmentator label map, the chest affine,
// and the slice-geometry sidecar of the tilted GE head CT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom'
import { pixelsOf, type Image } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { registerConvertCommand, runConvertCommand, sidecarPathFor } from '../../src/cli/convert-command.js'
import { dataPath } from '../support/paths.js'

/** NIfTI affine (RAS, as nibabel) -> ITK grid (LPS): direction columns and origin with x, y negated. */
function lpsFromRasAffine(affine: number[][]): { origin: number[]; direction: number[]; spacing: number[] } {
  const flip = [-1, -1, 1]
  const spacing = [0, 1, 2].map((c) => Math.hypot(affine[0][c], affine[1][c], affine[2][c]))
  const direction: number[] = []
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) direction.push((flip[r] * affine[r][c]) / spacing[c])
  return { origin: [0, 1, 2].map((r) => flip[r] * affine[r][3]), direction, spacing }
}

function expectGrid(image: Image, want: { size?: number[]; spacing: number[]; origin: number[]; direction: number[] }, tol = 1e-4) {
  if (want.size) expect([...image.size]).toEqual(want.size)
  for (let a = 0; a < 3; a++) expect(Math.abs(image.spacing[a] - want.spacing[a])).toBeLessThan(tol)
  for (let a = 0; a < 3; a++) expect(Math.abs(image.origin[a] - want.origin[a])).toBeLessThan(tol)
  const d = Array.from(image.direction as ArrayLike<number>)
  for (let a = 0; a < 9; a++) expect(Math.abs(d[a] - want.direction[a])).toBeLessThan(1e-6)
}

/** Max |difference| between the voxel->LPS affines of two grids over the volume's corners. */
function maxCornerDistance(a: Image, b: Image): number {
  let worst = 0
  for (const i of [0, a.size[0] - 1]) for (const j of [0, a.size[1] - 1]) for (const k of [0, a.size[2] - 1]) {
    const pa = point(a, [i, j, k])
    const pb = point(b, [i, j, k])
    worst = Math.max(worst, Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]))
  }
  return worst
}

function point(image: Image, index: number[]): number[] {
  const d = image.direction as ArrayLike<number>
  return [0, 1, 2].map((r) => image.origin[r] + [0, 1, 2].reduce((s, c) => s + d[r * 3 + c] * image.spacing[c] * index[c], 0))
}

async function badInput(run: () => Promise<unknown>): Promise<Error & { file?: string; field?: string }> {
  try {
    await run()
  } catch (error) {
    expect(isBadInput(error)).toBe(true)
    return error as Error & { file?: string }
  }
  throw new Error('expected a BadInputError')
}

describe('voxelflow convert (runConvertCommand)', () => {
  let dir: string
  const out = (name: string) => path.join(dir, name)
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-convert-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('ct-abdomen-dicom (JPEG 2000) lands on the exact grid of its label map', async () => {
    const r = await runConvertCommand(dataPath('ct-abdomen-dicom'), out('abdomen.nii.gz'))
    const image = await readNifti(out('abdomen.nii.gz'))
    const labels = await readNifti(dataPath('ct-abdomen-dicom.labels.nii.gz'))
    expectGrid(image, { size: [...labels.size], spacing: [...labels.spacing], origin: [...labels.origin], direction: Array.from(labels.direction as ArrayLike<number>) })
    expect(maxCornerDistance(image, labels)).toBeLessThan(1e-4)
    // README affine (RAS) [[-0.9765625,0,0,249.51171875],[0,0.9765625,0,-61.51171875],[0,0,2,-804.5]]
    expectGrid(image, lpsFromRasAffine([[-0.9765625, 0, 0, 249.51171875], [0, 0.9765625, 0, -61.51171875], [0, 0, 2, -804.5]]))
    // dcm2niix: int16 HU, range -1024...1839
    const data = pixelsOf(image)
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < data.length; i++) {
      if (data[i] < min) min = data[i]
      if (data[i] > max) max = data[i]
    }
    expect([min, max]).toEqual([-1024, 1839])
    expect(r.sidecar.rescale).toMatchObject({ slope: 1, intercept: -1024 })
    expect(r.sidecar.sliceThickness).toBe(3)
    expect(r.sidecar.geometry.spacing[2]).toBe(2)
    expect(r.sidecar.warnings).toEqual([])
  })

  it('ct-chest-141: the README affine (negative SpacingBetweenSlices ignored) and slices ordered by position', async () => {
    const r = await runConvertCommand(dataPath('ct-chest-141'), out('chest.nii'))
    const image = await readNifti(out('chest.nii'))
    // README (nibabel, RAS): [[-0.9765625,0,0,250],[0,0.9765625,0,-335.0234375],[0,0,2,-164.5]]
    expectGrid(image, { size: [512, 512, 141], ...lpsFromRasAffine([[-0.9765625, 0, 0, 250], [0, 0.9765625, 0, -335.0234375], [0, 0, 2, -164.5]]) })
    expect(r.sidecar.spacingBetweenSlicesHeader).toBe(-2)
    // k = 0 is slice140 (z -164.5), j = 0 its last DICOM row.
    const data = pixelsOf(image)
    const plane = 512 * 512
    for (const [k, file] of [[0, '00-slice140.dcm'], [140, '00-slice000.dcm']] as const) {
      const { outputImage } = await readImageDicomFileSeriesNode({ inputImages: [dataPath('ct-chest-141', file)], singleSortedSeries: false })
      const slice = pixelsOf(outputImage)
      let mismatches = 0
      for (let j = 0; j < 512; j++) for (let i = 0; i < 512; i++) if (data[k * plane + j * 512 + i] !== slice[(511 - j) * 512 + i]) mismatches++
      expect(mismatches).toBe(0)
    }
  })

  it('ct-liver-ffs (feet first): dcm2niix affine', async () => {
    await runConvertCommand(dataPath('ct-liver-ffs'), out('liver.nii.gz'))
    const image = await readNifti(out('liver.nii.gz'))
    // README: [[-0.810547,0,0,235.199997],[0,0.810547,0,-187.389511],[0,0,1,-128.690002]] (dcm2niix rounds to float32)
    expectGrid(image, { size: [512, 512, 3], ...lpsFromRasAffine([[-0.810547, 0, 0, 235.199997], [0, 0.810547, 0, -187.389511], [0, 0, 1, -128.690002]]) }, 1e-5 * 512)
  })

  it('ct-head-tilt-ge: the sidecar reports the 18.5° tilt and the non-uniform spacing, without patient identifiers', async () => {
    const printed: string[] = []
    const r = await runConvertCommand(dataPath('ct-head-tilt-ge'), out('head.nii.gz'), { json: true }, (t) => printed.push(t))
    expect(sidecarPathFor(out('head.nii.gz'))).toBe(out('head.json'))
    const text = readFileSync(out('head.json'), 'utf8')
    expect(printed.join('')).toBe(text)
    const sidecar = JSON.parse(text)
    expect(sidecar.series).toMatchObject({ modality: 'CT', files: 28, status: 'chosen', seriesNumber: 2, model: 'HiSpeed Dual', patientPosition: 'HFS' })
    expect(sidecar.seriesFound).toHaveLength(1)
    // dcm2niix ref _2.json: ImageOrientationPatientDICOM [1,0,0,0,0.948324,-0.317305], SliceThickness 4
    expect(sidecar.series.imageOrientationPatient.map((v: number) => +v.toFixed(6))).toEqual([1, 0, 0, 0, 0.948324, -0.317305])
    expect(sidecar.sliceThickness).toBe(4)
    const g = sidecar.sliceGeometry
    expect(g.tilt).toEqual({ detected: true, degrees: 18.5 })
    expect(g.gantryDetectorTiltHeader).toBe(18.5)
    expect(g.spacingMm).toEqual({ median: 4.0019, min: 1.0811, max: 6.9986, uniform: false })
    expect(g.distanceFromFirstMm.slice(0, 2)).toEqual([0, 4.22])
    expect(g.warnings.map((w: { code: string }) => w.code)).toEqual(['non-uniform-spacing', 'gantry-tilt'])
    expect(sidecar.rescale).toMatchObject({ slope: 1, intercept: 0, outputComponentType: 'int16' })
    expect(sidecar.warnings.some((w: string) => w.startsWith('Interslice distance varies'))).toBe(true)
    expect(text).not.toMatch(/patient ?(name|id|birth)/i)
    // Corrected by default: orthogonal grid, uniform steps of the smallest spacing (1.0811 mm) along the normal.
    const along = 13 * 4.0019 + 1.0811 + 13 * 6.9986
    expect(sidecar.tiltCorrection).toMatchObject({ applied: true, padValue: -1500 })
    expect(sidecar.tiltCorrection.stepMm).toBeCloseTo(1.0811, 4)
    expect(sidecar.tiltCorrection.slices).toBe(Math.round(along / 1.0811) + 1)
    expect(sidecar.tiltCorrection.maxShiftMm).toBeCloseTo(151.94 * Math.sin((18.5 * Math.PI) / 180), 1)
    const image = await readNifti(out('head.nii.gz'))
    expect([...image.size]).toEqual([512, 512, sidecar.tiltCorrection.slices])
    expect(r.sidecar.geometry.size).toEqual([...image.size])
    expect(image.spacing[2]).toBeCloseTo(1.0811, 4)
    const d = Array.from(image.direction as ArrayLike<number>)
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      expect(d[a] * d[b] + d[3 + a] * d[3 + b] + d[6 + a] * d[6 + b]).toBeCloseTo(a === b ? 1 : 0, 6)
    }
    expect(d[5]).toBeCloseTo(0.317305, 5) // k along the slice normal (0, 0.3173, 0.9483)
    expect(d[8]).toBeCloseTo(0.948324, 5)
    // k = 0 is 01.dcm itself (no shift, no blending), rows flipped.
    const { outputImage } = await readImageDicomFileSeriesNode({ inputImages: [dataPath('ct-head-tilt-ge', '01.dcm')], singleSortedSeries: false })
    const slice = pixelsOf(outputImage)
    const data = pixelsOf(image)
    let mismatches = 0
    for (let j = 0; j < 512; j++) for (let i = 0; i < 512; i++) if (data[j * 512 + i] !== slice[(511 - j) * 512 + i]) mismatches++
    expect(mismatches).toBe(0)
  })

  it('ct-head-tilt-ge with --no-reslice: the stack as acquired, with a warning', async () => {
    const r = await runConvertCommand(dataPath('ct-head-tilt-ge'), out('head-raw.nii.gz'), { reslice: false })
    expect(r.sidecar.tiltCorrection.applied).toBe(false)
    expect(r.sidecar.tiltCorrection.reason).toMatch(/gantry tilt 18.5° and non-uniform slice spacing left uncorrected/)
    expect(r.sidecar.warnings.at(-1)).toMatch(/kept as acquired: its affine uses the median step 4.0019 mm/)
    const image = await readNifti(out('head-raw.nii.gz'))
    expect([...image.size]).toEqual([512, 512, 28])
    expect(image.spacing[2]).toBeCloseTo(4.0019, 4)
    const d = Array.from(image.direction as ArrayLike<number>)
    expect(d[4]).toBeCloseTo(-0.948324, 5)
    expect(d[8]).toBeCloseTo(0.948324, 5)
  })

  it('finds DICOM files recursively, with or without extension, and ignores other files', async () => {
    const nested = out('nested')
    mkdirSync(path.join(nested, 'a', 'b'), { recursive: true })
    for (const [i, f] of ['01.dcm', '02.dcm', '03.dcm'].entries()) {
      writeFileSync(path.join(nested, i === 0 ? 'a' : 'a/b', i === 2 ? 'IMG0003' : f), readFileSync(dataPath('ct-liver-ffs', f)))
    }
    writeFileSync(path.join(nested, 'notes.txt'), 'not DICOM')
    const r = await runConvertCommand(nested, out('nested.nii.gz'))
    expect(r.sidecar.series.files).toBe(3)
    expect(r.sidecar.ignored.nonDicomFiles).toBe(1)
    expect(r.sidecar.geometry.origin[2]).toBeCloseTo(-128.690002, 5)
  })

  it('--series selects by UID; unknown UIDs and non-DICOM inputs are BadInputErrors naming the file', async () => {
    const uid = (await runConvertCommand(dataPath('ct-liver-ffs'), out('l2.nii.gz'))).sidecar.series.seriesInstanceUid
    const chosen = await runConvertCommand(dataPath('ct-liver-ffs'), out('l3.nii.gz'), { series: uid })
    expect(chosen.sidecar.series.reason).toMatch(/requested by SeriesInstanceUID/)
    const unknown = await badInput(() => runConvertCommand(dataPath('ct-liver-ffs'), out('x.nii.gz'), { series: '1.2.3.4' }))
    expect(unknown.message).toContain(dataPath('ct-liver-ffs'))
    expect(unknown.message).toContain(uid)
    const missing = await badInput(() => runConvertCommand(out('does-not-exist'), out('x.nii.gz')))
    expect(missing.file).toBe(out('does-not-exist'))
    const empty = out('empty')
    mkdirSync(empty)
    writeFileSync(path.join(empty, 'a.txt'), 'hello')
    expect((await badInput(() => runConvertCommand(empty, out('x.nii.gz')))).message).toMatch(/no DICOM files/)
    expect((await badInput(() => runConvertCommand(path.join(empty, 'a.txt'), out('x.nii.gz')))).message).toMatch(/not a DICOM/)
    expect((await badInput(() => runConvertCommand(dataPath('ct-liver-ffs'), out('x.png')))).file).toBe(out('x.png'))
  })

  it('registers `convert <input> <output> [--series] [--json]` on a commander program', async () => {
    const program = new Command().exitOverride()
    registerConvertCommand(program)
    const logged: string[] = []
    const log = console.log
    console.log = (...args: unknown[]) => void logged.push(args.join(' '))
    try {
      await program.parseAsync(['node', 'voxelflow', 'convert', dataPath('ct-liver-ffs'), out('cli.nii.gz')])
    } finally {
      console.log = log
    }
    expect(logged.join('\n')).toMatch(/voxelflow convert: .* -> .*cli\.nii\.gz/)
    expect(JSON.parse(readFileSync(out('cli.json'), 'utf8')).geometry.size).toEqual([512, 512, 3])
  })
})
