// Slice geometry from headers (src/io/slice-geometry.ts) against the facts of shared/data's
// README and the dcm2niix reference for ct-head-tilt-ge, plus small synthetic stacks.
import { describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { type DicomHeader, readDicomHeader } from '../../src/io/dicom-header.js'
import { sliceGeometry } from '../../src/io/slice-geometry.js'
import { dataPath } from '../support/paths.js'

async function headersOf(name: string): Promise<DicomHeader[]> {
  const dir = dataPath(name)
  return Promise.all(readdirSync(dir).map((f) => readDicomHeader(path.join(dir, f))))
}

function synthetic(zs: number[], iop = [1, 0, 0, 0, 1, 0], shift = (_z: number) => [0, 0]): DicomHeader[] {
  return zs.map((z, i) => ({
    file: `f${String(zs.length - i).padStart(3, '0')}.dcm`, // names run against position
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `1.${i}`, modality: 'CT', seriesInstanceUid: '1.2.3',
    seriesDescription: '', frameOfReferenceUid: '1.2', imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'], rows: 4, columns: 4,
    imageOrientationPatient: iop, imagePositionPatient: [-10 + shift(z)[0], -10 + shift(z)[1], z], numberOfFrames: 1,
  }))
}

const codes = (g: ReturnType<typeof sliceGeometry>) => g.warnings.map((w) => w.code)

describe('sliceGeometry on real series', () => {
  it('ct-head-tilt-ge: 18.5° tilt and the non-uniform steps 4.0019 / 1.0811 / 6.9986 mm', async () => {
    const g = sliceGeometry(await headersOf('ct-head-tilt-ge'))
    expect(g.sliceCount).toBe(28)
    // dcm2niix ref: ImageOrientationPatientDICOM [1,0,0,0,0.948324,-0.317305]; normal (0, 0.3173, 0.9483)
    expect(g.normal[0]).toBeCloseTo(0, 6)
    expect(g.normal[1]).toBeCloseTo(0.317305, 5)
    expect(g.normal[2]).toBeCloseTo(0.948324, 5)
    expect(g.tilt.detected).toBe(true)
    expect(g.tilt.degrees).toBeCloseTo(18.5, 2) // GantryDetectorTilt 18.5, dcm2niix "estimated from slice vector 18.5"
    expect(g.files.map((f) => path.basename(f))).toEqual(Array.from({ length: 28 }, (_, i) => `${String(i + 1).padStart(2, '0')}.dcm`))
    const steps = g.stepsMm.map((s) => +s.toFixed(4))
    expect(steps.slice(0, 13)).toEqual(Array(13).fill(4.0019))
    expect(steps[13]).toBe(1.0811)
    expect(steps.slice(14)).toEqual(Array(13).fill(6.9986))
    expect(g.spacing.uniform).toBe(false)
    expect(g.spacing.minMm).toBeCloseTo(1.0811, 4)
    expect(g.spacing.maxMm).toBeCloseTo(6.9986, 4)
    expect(g.spacing.medianMm).toBeCloseTo(4.0019, 4)
    // dcm2niix's "Distance from first slice: dx=[0 4.22 ... 54.86 56 63.38 ... 151.94]" (Euclidean IPP distance)
    expect(g.distanceFromFirstMm[1]).toBeCloseTo(4.22, 4)
    expect(g.distanceFromFirstMm[14]).toBeCloseTo(56, 4)
    expect(g.distanceFromFirstMm[27]).toBeCloseTo(151.94, 4)
    expect(codes(g)).toEqual(['non-uniform-spacing', 'gantry-tilt'])
    const spacing = g.warnings[0]
    expect(spacing.message).toMatch(/^Interslice distance varies in this volume/)
    expect(spacing.values).toMatchObject({ minStepMm: 1.0811, maxStepMm: 6.9986, medianStepMm: 4.0019 })
    expect(g.warnings[1].values).toEqual({ degrees: 18.5 })
    expect(g.missing).toEqual([]) // 6.9986 is not a multiple of 4.0019
  })

  it('ct-chest-141: uniform 2.0 mm, ordered feet->head although files run head->feet', async () => {
    const g = sliceGeometry(await headersOf('ct-chest-141'))
    expect(g.sliceCount).toBe(141)
    expect(g.spacing).toMatchObject({ uniform: true })
    expect(g.spacing.medianMm).toBeCloseTo(2, 6)
    expect(g.spacing.minMm).toBeCloseTo(2, 6)
    expect(g.spacing.maxMm).toBeCloseTo(2, 6)
    expect(path.basename(g.files[0])).toBe('00-slice140.dcm')
    expect(path.basename(g.files[140])).toBe('00-slice000.dcm')
    expect(g.firstPosition).toEqual([-250, -164, -164.5])
    expect(g.lastPosition).toEqual([-250, -164, 115.5])
    expect(g.tilt.detected).toBe(false)
    expect(g.warnings).toEqual([])
  })

  it('ct-abdomen-dicom: 2.0 mm from positions (SliceThickness says 3)', async () => {
    const g = sliceGeometry(await headersOf('ct-abdomen-dicom'))
    expect(g.sliceCount).toBe(20)
    expect(g.spacing.medianMm).toBeCloseTo(2, 6)
    expect(g.spacing.uniform).toBe(true)
    expect(g.positionsMm[0]).toBeCloseTo(-804.5, 6)
    expect(g.positionsMm[19]).toBeCloseTo(-766.5, 6)
    expect(path.basename(g.files[0])).toMatch(/16592$/)
    expect(g.warnings).toEqual([])
  })

  it('ct-liver-ffs: 1.0 mm, feet first, ordered 03, 02, 01', async () => {
    const g = sliceGeometry(await headersOf('ct-liver-ffs'))
    expect(g.files.map((f) => path.basename(f))).toEqual(['03.dcm', '02.dcm', '01.dcm'])
    expect(g.spacing.medianMm).toBeCloseTo(1, 5)
    expect(g.normal).toEqual([0, 0, 1])
    expect(g.warnings).toEqual([])
  })
})

describe('sliceGeometry on synthetic stacks', () => {
  it('orders by position, not by file name', () => {
    const g = sliceGeometry(synthetic([4, 0, 2, 6]))
    expect(g.positionsMm).toEqual([0, 2, 4, 6])
    expect(g.files).toEqual(['f003.dcm', 'f002.dcm', 'f004.dcm', 'f001.dcm'])
    expect(g.warnings).toEqual([])
  })

  it('reports duplicate positions with their count', () => {
    const g = sliceGeometry(synthetic([0, 2, 2, 4, 6]))
    expect(codes(g)).toEqual(['duplicate-positions'])
    expect(g.duplicates).toEqual([{ positionMm: 2, files: expect.any(Array) }])
    expect(g.duplicates[0].files).toHaveLength(2)
    expect(g.warnings[0].values.duplicateSlices).toBe(1)
    expect(g.spacing.medianMm).toBe(2)
  })

  it('reports missing slices as gaps of whole median steps', () => {
    const g = sliceGeometry(synthetic([0, 2, 4, 10, 12, 14, 16]))
    expect(g.missing).toEqual([{ afterIndex: 2, gapMm: 6, missingSlices: 2 }])
    expect(codes(g)).toEqual(['missing-slices', 'non-uniform-spacing'])
    expect(g.warnings[0].values).toMatchObject({ missingSlices: 2, gapsMm: [6], medianStepMm: 2 })
  })

  it('measures a synthetic 10° tilt (IPP shifting along the column direction)', () => {
    const t = (10 * Math.PI) / 180
    // Column direction tilted by 10° about x; IPPs progress along z.
    const iop = [1, 0, 0, 0, Math.cos(t), -Math.sin(t)]
    const g = sliceGeometry(synthetic([0, 3, 6, 9], iop))
    expect(g.tilt.degrees).toBeCloseTo(10, 6)
    expect(g.stepsMm[0]).toBeCloseTo(3 * Math.cos(t), 9)
    expect(codes(g)).toEqual(['gantry-tilt'])
  })

  it('sagittal stack: normal = row x column', () => {
    const g = sliceGeometry(
      [5, 0, 10].map((x, i) => ({ ...synthetic([0])[0], file: `s${i}`, imageOrientationPatient: [0, 1, 0, 0, 0, -1], imagePositionPatient: [x, 0, 0] })),
    )
    expect(g.normal).toEqual([-1, 0, 0])
    expect(g.files).toEqual(['s2', 's0', 's1'])
    expect(g.tilt.detected).toBe(false)
  })
})
