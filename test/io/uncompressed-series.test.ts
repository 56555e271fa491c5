// The uncompressed-slice reader gives GDCM's (itk-wasm) values voxel for voxel: unsigned 12-bit
// (ct-chest-141, 20 slices of it), signed 16-bit Implicit VR with padding (ct-liver-ffs) and
// Explicit VR (ct-head-tilt-ge), whatever order GDCM stacked them in.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { choosePrimarySeries, inventoryDicom, readDicomSeries } from '../../src/io/dicom-series.js'
import { sliceGeometry } from '../../src/io/slice-geometry.js'
import { isPlainUncompressed, readUncompressedSeries } from '../../src/io/uncompressed-series.js'
import { toDcm2niixGrid } from '../../src/io/dicom-grid.js'
import { dataPath } from '../support/paths.js'

describe('readUncompressedSeries', () => {
  for (const [folder, count] of [['ct-chest-141', 20], ['ct-liver-ffs', 3], ['ct-head-tilt-ge', 28]] as const) {
    it(`${folder}: equals GDCM`, async () => {
      const dir = dataPath(folder)
      const files = readdirSync(dir).sort().slice(0, count)
      const headers = await Promise.all(files.map((f) => readDicomHeader(path.join(dir, f))))
      const group = choosePrimarySeries(inventoryDicom(headers), dir)
      expect(isPlainUncompressed(group.headers)).toBe(true)
      const geometry = sliceGeometry(group.headers)
      const ours = await readUncompressedSeries(group.headers, geometry)
      const gdcm = await readDicomSeries(group)
      expect([...ours.size]).toEqual([...gdcm.size])
      const [nx, ny, nz] = ours.size
      const plane = nx * ny
      const sameOrder = Math.hypot(...[0, 1, 2].map((a) => gdcm.origin[a] - geometry.firstPosition[a])) < 1e-3
      const a = pixelsOf(ours)
      const b = pixelsOf(gdcm)
      let mismatches = 0
      for (let k = 0; k < nz; k++) {
        const kb = sameOrder ? k : nz - 1 - k
        for (let p = 0; p < plane; p++) if (a[k * plane + p] !== b[kb * plane + p]) mismatches++
      }
      expect(mismatches).toBe(0)
      for (let i = 0; i < 3; i++) expect(ours.origin[i]).toBeCloseTo(geometry.firstPosition[i], 9)
    })
  }

  for (const folder of ['ct-liver-ffs', 'ct-head-tilt-ge'] as const) {
    it(`${folder}: read bottom-up equals the top-down read laid on the dcm2niix grid`, async () => {
      const dir = dataPath(folder)
      const headers = await Promise.all(readdirSync(dir).sort().map((f) => readDicomHeader(path.join(dir, f))))
      const group = choosePrimarySeries(inventoryDicom(headers), dir)
      const geometry = sliceGeometry(group.headers)
      const direct = await readUncompressedSeries(group.headers, geometry, 'bottom-up')
      const { image: laid } = toDcm2niixGrid(await readUncompressedSeries(group.headers, geometry), geometry)
      expect([...direct.size]).toEqual([...laid.size])
      expect([...direct.spacing]).toEqual([...laid.spacing])
      for (let i = 0; i < 3; i++) expect(direct.origin[i]).toBeCloseTo(laid.origin[i], 9)
      expect(Array.from(direct.direction as ArrayLike<number>)).toEqual(Array.from(laid.direction as ArrayLike<number>))
      expect(pixelsOf(direct).constructor).toBe(pixelsOf(laid).constructor)
      expect(Buffer.compare(Buffer.from(pixelsOf(direct).buffer), Buffer.from(pixelsOf(laid).buffer))).toBe(0)
    })
  }

  it('leaves compressed series (JPEG 2000 ct-abdomen-dicom) to GDCM', async () => {
    const dir = dataPath('ct-abdomen-dicom')
    const headers = await Promise.all(readdirSync(dir).map((f) => readDicomHeader(path.join(dir, f))))
    expect(isPlainUncompressed(headers)).toBe(false)
  })
})
