// readTid1500Landmarks on real TID 1500 objects (highdicom, dcmqi).
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readTid1500Landmarks, withVoxelIndices } from '../../src/io/dicom-sr.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const srDir = path.join(shared, 'data', 'dicom-seg-sr')

describe('readTid1500Landmarks', () => {
  it('reads the SCOORD3D point of highdicom multiple-groups SR with its float32 values', async () => {
    const sr = await readTid1500Landmarks(path.join(srDir, 'highdicom', 'sr_document_with_multiple_groups.dcm'))
    expect(sr.template).toBe('1500')
    expect(sr.title).toEqual({ value: '126000', scheme: 'DCM', meaning: 'Imaging Measurement Report' })
    expect(sr.points).toHaveLength(1)
    const [point] = sr.points
    // Stored as FL: 234.1 and -23.7 are not float32 numbers; the file holds the nearest ones.
    expect(point.lps).toEqual([123.5, 234.10000610351562, -23.700000762939453])
    expect(point.lps[1]).toBe(Math.fround(234.1))
    expect(point.lps[2]).toBe(Math.fround(-23.7))
    expect(point.name).toBe('Vertebra0001')
    expect(point.group).toBe('Vertebra0001')
    expect(point.code).toEqual({ value: '51282000', scheme: 'SCT', meaning: 'Vertebra' })
    expect(point.graphicType).toBe('POINT')
    expect(point.frameOfReferenceUid).toBe('1.3.6.1.4.1.5962.1.4.1.1.20040119072730.12322')

    const byGroup = Object.fromEntries(sr.measurements.map((m) => [`${m.group}:${m.name}`, m]))
    expect(byGroup['Image0001:Intensity Histogram Mean'].value).toBe(-119.0738525390625)
    expect(byGroup['Image0001:Intensity Histogram Mean'].unit?.value).toBe("[hnsf'U]")
    expect(byGroup['LungNodule0001:Diameter'].value).toBe(10)
    expect(byGroup['Aorta0001:Diameter'].value).toBe(20)
    expect(byGroup['Vertebra0001:Volume']).toMatchObject({ value: 200, unit: { value: 'mm3' } })
    expect(byGroup['Vertebra0001:Volume'].finding?.meaning).toBe('Vertebra')
  })

  it('reads the dcmqi PET report: SUVbw statistics told apart by their Derivation', async () => {
    const sr = await readTid1500Landmarks(path.join(srDir, 'dcmqi-sr-example', 'sr.dcm'))
    expect(sr.points).toEqual([])
    const tumour = sr.measurements.filter((m) => m.group === 'primary tumor')
    const suv = (derivation: string): number | undefined => tumour.find((m) => m.name === 'SUVbw' && m.derivation?.meaning === derivation)?.value
    expect(suv('Mean')).toBeCloseTo(6.01529, 5)
    expect(suv('Minimum')).toBeCloseTo(2.91136, 5)
    expect(suv('Maximum')).toBeCloseTo(10.3814, 4)
    expect(tumour.find((m) => m.name === 'Volume')).toMatchObject({ value: 33.5824, unit: { value: 'ml' } })
  })

  it('skips 2-D SCOORDs: highdicom sr_document has a CIRCLE only', async () => {
    const sr = await readTid1500Landmarks(path.join(srDir, 'highdicom', 'sr_document.dcm'))
    expect(sr.points).toEqual([])
    expect(sr.measurements.map((m) => [m.name, m.value, m.unit?.value])).toEqual([['Area of defined region', 1.7, 'cm2']])
  })

  it('refuses files that are not structured reports', async () => {
    await expect(readTid1500Landmarks(path.join(shared, 'data', 'ct-liver-ffs.seg.dcm'))).rejects.toThrow(/not a DICOM structured report/)
    await expect(readTid1500Landmarks(path.join(srDir, 'missing.dcm'))).rejects.toThrow(/cannot read/)
  })

  it('adds continuous and nearest voxel indices on a grid', async () => {
    const sr = await readTid1500Landmarks(path.join(srDir, 'highdicom', 'sr_document_with_multiple_groups.dcm'))
    // A grid with 0.5 mm voxels, axes flipped in x (direction -1) to make sure direction is used.
    const grid = { size: [100, 100, 100], spacing: [0.5, 0.5, 2], origin: [150, 220, -40], direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] }
    const [p] = withVoxelIndices(sr.points, grid)
    expect(p.index[0]).toBeCloseTo((150 - 123.5) / 0.5, 9)
    expect(p.index[1]).toBeCloseTo((234.10000610351562 - 220) / 0.5, 9)
    expect(p.index[2]).toBeCloseTo((-23.700000762939453 + 40) / 2, 9)
    expect(p.voxel).toEqual([53, 28, 8])
    expect(p.inside).toBe(true)
  })
})
