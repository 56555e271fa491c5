// n4BiasFieldCorrectionAsync: steps 5-6 (the full-resolution field) on worker threads give the
// very same float32 bias and corrected image as the one-thread filter, and so ITK's golden (b).
import { afterAll, describe, expect, it } from 'vitest'
import { n4BiasFieldCorrection, n4BiasFieldCorrectionAsync } from '../../src/filters/n4-bias-field-correction.js'
import { closeFilterThreads } from '../../src/filters/filter-threads.js'
import { pixelsOf } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { readItkGolden } from '../support/golden-images.js'
import { dataPath } from '../support/paths.js'
import { correlation } from '../support/correlation.js'

afterAll(closeFilterThreads)

const bytes = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => Buffer.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))

describe('n4BiasFieldCorrectionAsync (mr-t1-head, 2 threads)', () => {
  it('equals the one-thread filter bit for bit and correlates >= 0.999 with ITK', async () => {
    const mr = await readNifti(dataPath('mr-t1-head.nii.gz'))
    const threaded = await n4BiasFieldCorrectionAsync(mr, { threads: 2 })
    const single = n4BiasFieldCorrection(mr)
    expect(bytes(pixelsOf(threaded.corrected)).equals(bytes(pixelsOf(single.corrected)))).toBe(true)
    expect(bytes(pixelsOf(threaded.biasField)).equals(bytes(pixelsOf(single.biasField)))).toBe(true)
    expect(threaded.iterationsRun).toEqual([1, 1, 13, 20]) // ITK's, golden (b)
    const itk = await readItkGolden('out/mr-t1-head.n4-corrected.nii.gz')
    expect(correlation(pixelsOf(threaded.corrected), pixelsOf(itk))).toBeGreaterThanOrEqual(0.999)
  }, 60_000)

  it('refuses a thread count that is not a positive integer', async () => {
    const mr = await readNifti(dataPath('mr-t1-head.nii.gz'))
    await expect(n4BiasFieldCorrectionAsync(mr, { threads: 0 })).rejects.toThrow(/threads must be an integer >= 1/)
  })
})
