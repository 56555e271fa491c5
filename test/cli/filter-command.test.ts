// `voxelflow filter` (src/cli/filter-command.ts) through runFilterCommand on the golden inputs.
import { describe, expect, it, beforeAll, afterAll } from 'vitest'
import { fileURLToPath } from 'node:url'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { readImageNode } from '@itk-wasm/image-io'
import { pixelsOf, type Image } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { filters, parseFilterArgs, registerFilterCommand, runFilterCommand } from '../../src/cli/filter-command.js'
import { maxAbsDiff } from '../support/golden-images.js'

const golden = fileURLToPath(new URL('../../../shared/golden/itk/', import.meta.url))
const ctPath = golden + 'input/ct-pelvis-crop.nii.gz'
const bonePath = golden + 'input/ct-pelvis-crop.bone.nii.gz'
const read = (p: string) => readImageNode(p) as Promise<Image>


async function badInput(args: string[]): Promise<{ message: string; field?: string }> {
  try {
    await runFilterCommand(args)
  } catch (error) {
    expect(isBadInput(error)).toBe(true)
    return error as { message: string; field?: string }
  }
  throw new Error(`expected ${args.join(' ')} to fail`)
}

describe('voxelflow filter <name> <in> <out> (runFilterCommand)', () => {
  let dir: string
  const out = (name: string) => path.join(dir, name)
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-filter-cli-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('otsu: golden (h) mask and threshold', async () => {
    const r = await runFilterCommand(['otsu', ctPath, out('otsu.nii.gz'), '--bins', '128'])
    expect(r.filter).toBe('otsu')
    expect(r.results?.bin).toBe(34)
    expect(Math.abs((r.results?.threshold as number) - 160.599609)).toBeLessThanOrEqual(1e-3)
    const mine = await readNifti(out('otsu.nii.gz'))
    const ref = await read(golden + 'out/ct-pelvis-crop.otsu128-mask.nii.gz')
    expect(maxAbsDiff(pixelsOf(mine), pixelsOf(ref))).toBe(0)
    expect(mine.origin.map((v) => Number(v.toFixed(4)))).toEqual(ref.origin.map((v) => Number(v.toFixed(4))))
  })

  it('ahe (options before and after the files, --k=v form, two threads): golden (e)', async () => {
    await runFilterCommand(['ahe', '--alpha', '0.9', ctPath, out('ahe.nii.gz'), '--beta=0.9', '--radius', '3', '--threads', '2'])
    const ref = await read(golden + 'out/ct-pelvis-crop.ahe.nii.gz')
    expect(maxAbsDiff(pixelsOf(await readNifti(out('ahe.nii.gz'))), pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
  })

  it('laplacian and maurer: goldens (f) and (g)', async () => {
    await runFilterCommand(['laplacian', ctPath, out('lap.nii.gz')])
    expect(maxAbsDiff(pixelsOf(await readNifti(out('lap.nii.gz'))), pixelsOf(await read(golden + 'out/ct-pelvis-crop.laplacian-sharpen.nii.gz')))).toBeLessThanOrEqual(1e-3)
    await runFilterCommand(['signed-maurer', bonePath, out('maurer.nii')])
    expect(maxAbsDiff(pixelsOf(await readNifti(out('maurer.nii'))), pixelsOf(await read(golden + 'out/ct-pelvis-crop.bone.maurer.nii.gz')))).toBeLessThanOrEqual(1e-4)
  })

  it('threshold then close --radius 2: golden (c), identical voxels', async () => {
    await runFilterCommand(['threshold', ctPath, out('thr.nii.gz'), '--lower', '200', '--upper', '3000'])
    await runFilterCommand(['close', out('thr.nii.gz'), out('closed.nii.gz'), '--radius', '2'])
    const ref = await read(golden + 'out/ct-pelvis-crop.thr200-3000.close-r2.nii.gz')
    const mine = await readNifti(out('closed.nii.gz'))
    expect(mine.imageType.componentType).toBe('uint8')
    expect(maxAbsDiff(pixelsOf(mine), pixelsOf(ref))).toBe(0)
  })

  it('resample --interpolator linear|nearest --spacing 1.5: golden (a)', async () => {
    for (const k of ['linear', 'nearest'] as const) {
      await runFilterCommand(['resample', ctPath, out(`rs-${k}.nii.gz`), '--interpolator', k, '--spacing', '1.5', '--default-value', '-1024', '--output-type', 'float32'])
      const mine = await readNifti(out(`rs-${k}.nii.gz`))
      expect(mine.size).toEqual([144, 128, 80])
      expect(maxAbsDiff(pixelsOf(mine), pixelsOf(await read(golden + `out/ct-pelvis-crop.resample1.5_${k}.nii.gz`)))).toBeLessThanOrEqual(1e-3)
    }
  })

  it('dilate / erode / open by --radius-mm, window, clip, normalizations and transforms run and write', async () => {
    const runs: string[][] = [
      ['dilate', bonePath, out('d.nii.gz'), '--radius-mm', '3'],
      ['erode', bonePath, out('e.nii.gz'), '--radius', '1,1,0'],
      ['open', bonePath, out('o.nii.gz')],
      ['window', ctPath, out('w.nii.gz'), '--preset', 'bone', '--uint8'],
      ['window', ctPath, out('w2.nii.gz'), '--level', '40', '--width', '400'],
      ['clip', ctPath, out('c.nii.gz'), '--lower', '-200', '--upper', '500'],
      ['zscore', ctPath, out('z.nii.gz'), '--mask', bonePath],
      ['minmax', ctPath, out('m.nii.gz')],
      ['percentile', ctPath, out('p.nii.gz'), '--lower', '1', '--upper', '99', '--no-clip'],
      ['log', ctPath, out('l.nii.gz')],
      ['power', ctPath, out('pw.nii.gz'), '--gamma', '2'],
      ['exp', ctPath, out('x.nii.gz')],
    ]
    for (const args of runs) {
      const r = await runFilterCommand(args)
      const img = await readNifti(r.output)
      expect(img.size).toEqual([72, 64, 40])
    }
    const w = await readNifti(out('w.nii.gz'))
    expect(w.imageType.componentType).toBe('uint8')
    const c = Array.from(pixelsOf(await readNifti(out('c.nii.gz'))))
    expect(c.reduce((a, b) => Math.min(a, b), Infinity)).toBe(-200)
    expect(c.reduce((a, b) => Math.max(a, b), -Infinity)).toBe(500)
  })

  it('bad options are BadInputErrors naming the option', async () => {
    const o = out('never.nii.gz')
    expect((await badInput(['ahe', ctPath, o, '--radious', '3'])).field).toBe('radious')
    expect((await badInput(['ahe', ctPath, o, '--radius', 'three'])).message).toMatch(/--radius/)
    expect((await badInput(['ahe', ctPath, o, '--radius', '1.5'])).field).toBe('radius')
    expect((await badInput(['otsu', ctPath, o, '--bins', '1'])).field).toBe('bins')
    expect((await badInput(['threshold', ctPath, o])).field).toBe('lower')
    expect((await badInput(['resample', ctPath, o, '--interpolator', 'cubic'])).message).toMatch(/--interpolator must be one of nearest, linear, bspline/)
    expect((await badInput(['resample', ctPath, o, '--spacing', '1,2'])).field).toBe('spacing')
    expect((await badInput(['window', ctPath, o, '--preset', 'pelvis'])).field).toBe('preset')
    expect((await badInput(['window', ctPath, o])).field).toBe('preset')
    expect((await badInput(['power', ctPath, o])).field).toBe('gamma')
    expect((await badInput(['log', ctPath, o, '--gamma', '2'])).field).toBe('gamma')
    expect((await badInput(['close', ctPath, o, '--radius', '2', '--radius-mm', '4'])).field).toBe('radius')
    expect((await badInput(['blur', ctPath, o])).field).toBe('name')
    expect((await badInput(['otsu', ctPath])).field).toBe('arguments')
    expect((await badInput(['otsu', golden + 'missing.nii.gz', o])).message).toMatch(/missing\.nii\.gz: no such file/)
  })

  it('parses flags, --no-flags and --k=v; every filter is registered with commander', async () => {
    expect(parseFilterArgs(['close', 'a', 'b', '--no-safe-border', '--radius=2']).options).toEqual({ 'safe-border': false, radius: [2, 2, 2] })
    expect(parseFilterArgs(['maurer', '--squared', 'a', 'b']).options).toEqual({ squared: true })
    const program = new Command('voxelflow').exitOverride()
    registerFilterCommand(program)
    const cmd = program.commands.find((c) => c.name() === 'filter')!
    expect(cmd).toBeDefined()
    for (const name of ['resample', 'threshold', 'dilate', 'erode', 'open', 'close', 'otsu', 'laplacian', 'ahe', 'maurer', 'window', 'clip', 'zscore', 'minmax', 'percentile', 'log', 'power', 'exp']) {
      expect(filters[name]).toBeDefined()
    }
    // through commander, as the voxelflow command would
    const logs: string[] = []
    const log = console.log
    console.log = (m: string) => logs.push(m)
    try {
      await program.parseAsync(['node', 'voxelflow', 'filter', 'otsu', ctPath, out('via-commander.nii.gz'), '--bins', '64'])
    } finally {
      console.log = log
    }
    expect(logs.join('\n')).toMatch(/voxelflow filter otsu: .* -> .*via-commander\.nii\.gz/)
  })
})
