// `voxelflow seg2nii` and `voxelflow sr2json` through the command line, against the facts of
// ../shared/data/README.md: the liver SEG's frames (by position: frame 0 -> z -128.69, 1 ->
// -127.69, 2 -> -126.69) land on the CT slices where `convert` puts those positions, bit for
// bit; the highdicom and dcmqi SR values; exit code 2 with the file named on bad input.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import dcmjs from 'dcmjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pixelsOf } from '../../src/image/image.js'
import { readNifti } from '../../src/io/nifti.js'
import { dataPath } from '../support/paths.js'
import { runCliInProcess } from '../support/run-cli-in-process.js'

/** Run the CLI in-process; returns the exit code and what it printed. */
const cli = runCliInProcess

describe('voxelflow seg2nii', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-seg2nii-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('ct-liver-ffs.seg.dcm on the CT (DICOM folder): each frame on the slice of its position, rows flipped as convert lays them', async () => {
    const out = path.join(dir, 'liver.nii.gz')
    const r = await cli('seg2nii', dataPath('ct-liver-ffs.seg.dcm'), '--reference', dataPath('ct-liver-ffs'), out)
    expect(r.code).toBe(0)
    const table = JSON.parse(readFileSync(path.join(dir, 'liver.json'), 'utf8'))
    expect(table.segments).toHaveLength(1)
    expect(table.segments[0]).toMatchObject({ number: 1, label: 'Liver', algorithmType: 'SEMIAUTOMATIC' })
    // The SEG's own bits (BINARY, 1 bit per pixel, LSB first, 32768 bytes per 512 x 512 frame).
    const bytes = readFileSync(dataPath('ct-liver-ffs.seg.dcm'))
    const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    const bits = new Uint8Array((dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict) as { PixelData: ArrayBuffer[] }).PixelData[0])
    const labels = await readNifti(out)
    expect([...labels.size]).toEqual([512, 512, 3])
    // convert's grid (dcm2niix layout): k ascending in z, so k = 0 is z -128.69 = SEG frame 0.
    expect(labels.origin[2]).toBeCloseTo(-128.690002, 4)
    const data = pixelsOf(labels)
    let set = 0
    let mismatches = 0
    for (let k = 0; k < 3; k++) for (let row = 0; row < 512; row++) for (let col = 0; col < 512; col++) {
      const bit = k * 512 * 512 + row * 512 + col
      const truth = (bits[bit >> 3] >> (bit & 7)) & 1
      set += truth
      if (data[k * 512 * 512 + (511 - row) * 512 + col] !== truth) mismatches++
    }
    expect(set).toBeGreaterThan(1000)
    expect(mismatches).toBe(0)
    expect(table.segments[0].voxels).toBe(set)
    expect(JSON.stringify(table)).not.toMatch(/patient/i)
  })

  it('exits 2 naming the file: missing SEG, a non-SEG DICOM, a missing reference, no --reference', async () => {
    const out = path.join(dir, 'x.nii.gz')
    const missing = await cli('seg2nii', path.join(dir, 'nope.dcm'), '--reference', dataPath('ct-liver-ffs'), out)
    expect(missing.code).toBe(2)
    expect(missing.err).toContain(path.join(dir, 'nope.dcm'))
    const notSeg = await cli('seg2nii', dataPath('ct-liver-ffs', '01.dcm'), '--reference', dataPath('ct-liver-ffs'), out)
    expect(notSeg.code).toBe(2)
    expect(notSeg.err).toMatch(/01\.dcm: not a DICOM Segmentation/)
    const withoutReference = await cli('seg2nii', dataPath('ct-liver-ffs.seg.dcm'), out)
    expect(withoutReference.code).toBe(2)
    expect(withoutReference.err).toMatch(/--reference .* is required/)
    const noRef = await cli('seg2nii', dataPath('ct-liver-ffs.seg.dcm'), '--reference', path.join(dir, 'absent'), out)
    expect(noRef.code).toBe(2)
    expect(noRef.err).toContain(path.join(dir, 'absent'))
    // A reference in another frame of reference is refused.
    const otherFrame = await cli('seg2nii', dataPath('ct-liver-ffs.seg.dcm'), '--reference', dataPath('ct-abdomen-dicom'), out)
    expect(otherFrame.code).toBe(2)
    expect(otherFrame.err).toMatch(/frame of reference/)
  })
})

describe('voxelflow sr2json', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vf-sr2json-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('highdicom multi-group SR: the SCOORD3D point (float32 values) and its index on a NIfTI grid', async () => {
    const out = path.join(dir, 'sr.json')
    const r = await cli('sr2json', dataPath('dicom-seg-sr', 'highdicom', 'sr_document_with_multiple_groups.dcm'), '--reference', dataPath('mr-t1-head.nii.gz'), out)
    expect(r.code).toBe(0)
    const json = JSON.parse(readFileSync(out, 'utf8'))
    expect(json.points).toHaveLength(1)
    const point = json.points[0]
    expect(point.lps).toEqual([123.5, 234.10000610351562, -23.700000762939453])
    expect(point.group).toBe('Vertebra0001')
    expect(point.frameOfReferenceUid).toBe('1.3.6.1.4.1.5962.1.4.1.1.20040119072730.12322')
    // mr-t1-head sform (RAS) [[-2,0,0,0],[0,0,3,-254],[0,2,0,0]]: RAS (-x, -y, z) = (-2i, 3k - 254, 2j).
    const [x, y, z] = point.lps
    expect(point.index[0]).toBeCloseTo(x / 2, 6)
    expect(point.index[1]).toBeCloseTo(z / 2, 6)
    expect(point.index[2]).toBeCloseTo((254 - y) / 3, 6)
    expect(point.inside).toBe(false)
    const byName = (n: string) => json.measurements.filter((m: { group?: string }) => m.group === n).map((m: { value: number }) => m.value)
    expect(byName('LungNodule0001')).toContain(10)
    expect(byName('Aorta0001')).toContain(20)
    expect(byName('Vertebra0001')).toContain(200)
    expect(byName('Image0001')[0]).toBeCloseTo(-119.07385253906, 8)
  })

  it('dcmqi SR: the SUVbw statistics and volume of the primary tumour group', async () => {
    const out = path.join(dir, 'dcmqi.json')
    expect((await cli('sr2json', dataPath('dicom-seg-sr', 'dcmqi-sr-example', 'sr.dcm'), out)).code).toBe(0)
    const values = JSON.parse(readFileSync(out, 'utf8')).measurements.map((m: { value: number }) => m.value)
    for (const v of [6.01529, 2.91136, 10.3814, 9.45534, 1.62653, 5.71824, 33.5824, 202.008]) expect(values).toContain(v)
  })

  it('exits 2 naming the file for a missing or non-SR input', async () => {
    const missing = await cli('sr2json', path.join(dir, 'none.dcm'), path.join(dir, 'o.json'))
    expect(missing.code).toBe(2)
    expect(missing.err).toContain(path.join(dir, 'none.dcm'))
    const ct = await cli('sr2json', dataPath('ct-liver-ffs', '01.dcm'), path.join(dir, 'o.json'))
    expect(ct.code).toBe(2)
    expect(ct.err).toContain('01.dcm')
  })
})
