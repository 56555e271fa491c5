// Reading a series puts every slice where its Image Position Patient says, whatever order the
// files come in and whatever SpacingBetweenSlices claims. Facts from ../shared/data/README.md.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { indexToPhysical } from '../../src/image/geometry.js'
import { gridOf } from '../../src/image/image.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { choosePrimarySeries, inventoryDicom, readDicomSeries } from '../../src/io/dicom-series.js'
import { dataPath } from '../support/paths.js'

async function read(folder: string) {
  const dir = dataPath(folder)
  const headers = await Promise.all(readdirSync(dir).map((f) => readDicomHeader(path.join(dir, f))))
  return { headers, image: await readDicomSeries(choosePrimarySeries(inventoryDicom(headers), dir)) }
}

describe('readDicomSeries', () => {
  it('ct-chest-141: SpacingBetweenSlices -2 does not flip the stack; slices sit at their IPP', async () => {
    const { headers, image } = await read('ct-chest-141')
    // README: dcm2niix affine [[-0.9765625,0,0,250],[0,0.9765625,0,-335.0234375],[0,0,2,-164.5]]
    // (RAS, rows flipped) = LPS origin (-250, -164, -164.5) with identity direction, k upwards.
    const grid = gridOf(image)
    expect(grid.size).toEqual([512, 512, 141])
    expect(grid.origin).toEqual([-250, -164, -164.5])
    expect(grid.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    expect(grid.spacing[2]).toBeCloseTo(2, 9)
    // Every file's IPP is the physical position of one k plane's first voxel.
    for (const h of headers) {
      const k = Math.round((h.imagePositionPatient![2] - grid.origin[2]) / 2)
      expect(indexToPhysical(grid, [0, 0, k])).toEqual(h.imagePositionPatient)
    }
  })

  it('ct-abdomen-dicom: 2.0 mm between positions (SliceThickness says 3), origin at the lowest slice', async () => {
    const { image } = await read('ct-abdomen-dicom')
    expect(image.origin).toEqual([-249.51171875, -437.51171875, -804.5])
    expect(image.spacing).toEqual([0.9765625, 0.9765625, 2])
    expect(Array.from(image.direction as ArrayLike<number>)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
  })
})
