// resampleAsync: the slice-wise linear and B-spline paths on worker threads give ITK's golden (a)
// and the very same values as the single-threaded path.
import { describe, expect, it } from 'vitest'
import { gridOf, pixelsOf } from '../../src/image/image.js'
import { isotropicGrid, resample, resampleAsync } from '../../src/filters/resample.js'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

describe('resampleAsync (linear on worker threads)', () => {
  it('matches ITK within 1e-3, the -1024 mask exactly, and the one-thread result bit for bit', async () => {
    const ct = await readItkGolden('input/ct-pelvis-crop.nii.gz')
    const ref = await readItkGolden('out/ct-pelvis-crop.resample1.5_linear.nii.gz')
    const grid = isotropicGrid(gridOf(ct), 1.5)
    const threaded = await resampleAsync(ct, grid, { interpolator: 'linear', defaultValue: -1024, threads: 2 })
    const single = resample(ct, grid, { interpolator: 'linear', defaultValue: -1024 })
    const got = pixelsOf(threaded), want = pixelsOf(ref)
    expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-3)
    let mask = 0
    for (let i = 0; i < got.length; i++) if ((got[i] === -1024) !== (want[i] === -1024)) mask++
    expect(mask).toBe(0)
    expect(Buffer.from(pixelsOf(single).buffer).equals(Buffer.from(new Uint8Array(got.buffer as ArrayBuffer)))).toBe(true)
    // integer output through the threaded path: rounded and clamped like the single-thread one
    const int16 = await resampleAsync(ct, grid, { interpolator: 'linear', defaultValue: -1024, outputType: 'int16', threads: 2 })
    const int16Single = resample(ct, grid, { interpolator: 'linear', defaultValue: -1024, outputType: 'int16' })
    expect(Array.from(pixelsOf(int16))).toEqual(Array.from(pixelsOf(int16Single)))
    // pixels over a SharedArrayBuffer go through the NIfTI writer like any others
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-resample-threads-'))
    try {
      await writeNifti(threaded, path.join(dir, 'r.nii.gz'))
      expect(maxAbsDiff(pixelsOf(await readNifti(path.join(dir, 'r.nii.gz'))), got)).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('B-spline (slices, then columns, a barrier between): ITK within 1e-3, the -1024 mask exactly, bit for bit the one-thread result', async () => {
    const ct = await readItkGolden('input/ct-pelvis-crop.nii.gz')
    const ref = await readItkGolden('out/ct-pelvis-crop.resample1.5_bspline.nii.gz')
    const grid = isotropicGrid(gridOf(ct), 1.5)
    const threaded = pixelsOf(await resampleAsync(ct, grid, { interpolator: 'bspline', defaultValue: -1024, threads: 2 }))
    const single = pixelsOf(resample(ct, grid, { interpolator: 'bspline', defaultValue: -1024 }))
    const want = pixelsOf(ref)
    expect(maxAbsDiff(threaded, want)).toBeLessThanOrEqual(1e-3)
    let mask = 0
    for (let i = 0; i < want.length; i++) if ((threaded[i] === -1024) !== (want[i] === -1024)) mask++
    expect(mask).toBe(0)
    expect(maxAbsDiff(threaded, single)).toBe(0)
    // a float32 in-between volume (half the memory) stays within ITK's tolerance too
    const lean = pixelsOf(await resampleAsync(ct, grid, { interpolator: 'bspline', defaultValue: -1024, intermediate: 'float32', threads: 2 }))
    expect(maxAbsDiff(lean, want)).toBeLessThanOrEqual(1e-3)
  })
})
