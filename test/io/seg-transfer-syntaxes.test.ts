// The same liver SEG in every transfer syntax pydicom-data ships (../shared/data/dicom-seg-sr/
// pydicom-data-liver, README table): explicit VR big endian, deflated image frames, JPEG 2000
// (1-bit codestream), RLE, and 510 x 510 frames that are not byte aligned. README: each decodes
// to the mask of ct-liver-ffs.seg.dcm (cropped to 510 x 510 for the non-aligned ones). That SEG's
// own decode is checked bit for bit against dcmjs in dicom-seg.test.ts.
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Image } from '../../src/image/image.js'
import { pixelsOf } from '../../src/image/image.js'
import { readDicomSeg } from '../../src/io/dicom-seg.js'
import { dataPath } from '../support/paths.js'

describe('liver SEG in five transfer syntaxes', () => {
  let ct: Image
  let base: ArrayLike<number>
  beforeAll(async () => {
    ct = (await readImageDicomFileSeriesNode({ inputImages: ['01', '02', '03'].map((n) => dataPath('ct-liver-ffs', `${n}.dcm`)) })).outputImage
    base = pixelsOf((await readDicomSeg(dataPath('ct-liver-ffs.seg.dcm'), ct)).labels)
  })

  for (const name of ['liver_expb.dcm', 'liver_deflate.dcm', 'liver_j2k.dcm', 'liver_rle.dcm', 'liver_nonbyte_aligned.dcm', 'liver_nonbyte_aligned_deflate.dcm', 'liver_nonbyte_aligned_j2k.dcm', 'liver_nonbyte_aligned_rle.dcm']) {
    it(`${name} decodes to the liver mask${name.includes('nonbyte') ? ' cropped to 510 x 510' : ''}`, async () => {
      const result = await readDicomSeg(dataPath('dicom-seg-sr', 'pydicom-data-liver', name), ct)
      const labels = pixelsOf(result.labels)
      const [nx, ny] = ct.size
      const crop = name.includes('nonbyte') ? 510 : 512
      let labelled = 0
      let mismatches = 0
      for (let p = 0; p < labels.length; p++) {
        const i = p % nx
        const j = Math.floor(p / nx) % ny
        const expected = i < crop && j < crop ? base[p] : 0
        if (labels[p] !== expected) mismatches++
        if (expected) labelled++
      }
      expect(labelled).toBeGreaterThan(1000)
      expect(mismatches).toBe(0)
    })
  }
})
