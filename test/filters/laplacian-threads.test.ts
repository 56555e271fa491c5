// laplacianSharpeningAsync: both passes on worker threads (planes pulled from shared counters,
// plane sums added in plane order) give ITK's golden (f) and the one-thread result bit for bit.
import { describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { laplacianSharpening, laplacianSharpeningAsync } from '../../src/filters/laplacian-sharpening.js'
import { maxAbsDiff, readItkGolden } from '../support/golden-images.js'

describe('laplacianSharpeningAsync (2 threads)', () => {
  it('matches ITK within 1e-3 (values span 4299 HU) and the one-thread filter bit for bit', async () => {
    const ct = await readItkGolden('input/ct-pelvis-crop.nii.gz')
    const ref = await readItkGolden('out/ct-pelvis-crop.laplacian-sharpen.nii.gz')
    const threaded = pixelsOf(await laplacianSharpeningAsync(ct, { threads: 2 }))
    expect(maxAbsDiff(threaded, pixelsOf(ref))).toBeLessThanOrEqual(1e-3)
    const single = pixelsOf(laplacianSharpening(ct))
    expect(Buffer.from(new Uint8Array(threaded.buffer as ArrayBuffer)).equals(Buffer.from((single as Float32Array).buffer))).toBe(true)
  })

  it('rejects a thread count that is not a positive integer', async () => {
    const ct = await readItkGolden('input/ct-pelvis-crop.nii.gz')
    await expect(laplacianSharpeningAsync(ct, { threads: 0 })).rejects.toThrow(/threads must be an integer >= 1/)
  })
})
