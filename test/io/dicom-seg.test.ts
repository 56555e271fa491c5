// readDicomSeg: SEG frames land on the reference grid by physical position.
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom'
import dcmjs from 'dcmjs'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Image } from '../../src/image/image.js'
import { readDicomSeg } from '../../src/io/dicom-seg.js'

dcmjs.log.getLogger('validation.dcmjs').setLevel('silent')

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const data = path.join(shared, 'data')
const ctFiles = ['01', '02', '03'].map((n) => path.join(data, 'ct-liver-ffs', `${n}.dcm`))
const segFile = path.join(data, 'ct-liver-ffs.seg.dcm')

type Dataset = Record<string, unknown>
type Items = Array<Record<string, Items & Dataset[]>>

async function naturalize(file: string): Promise<Dataset> {
  const bytes = await fs.readFile(file)
  const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)
}

describe('readDicomSeg on ct-liver-ffs (feet first, frames ordered by position)', () => {
  let ct: Image
  let sorted: string[]
  let seg: Dataset

  beforeAll(async () => {
    const series = await readImageDicomFileSeriesNode({ inputImages: ctFiles })
    ct = series.outputImage
    sorted = series.sortedFilenames as string[]
    seg = await naturalize(segFile)
  })

  it('the reference grid is the 3-slice CT sorted by position (03.dcm lowest)', () => {
    expect(ct.size).toEqual([512, 512, 3])
    expect(ct.origin[2]).toBeCloseTo(-128.69, 4)
    expect(ct.spacing[2]).toBeCloseTo(1.0, 4)
    expect(path.basename(sorted[0])).toBe('03.dcm')
  })

  it('puts every SEG frame on the CT slice at its position, bit for bit', async () => {
    const result = await readDicomSeg(segFile, ct)
    expect(result.labels.size).toEqual([512, 512, 3])
    expect(Array.from(result.labels.origin)).toEqual(Array.from(ct.origin))
    expect(result.segments).toHaveLength(1)
    expect(result.segments[0]).toMatchObject({ number: 1, label: 'Liver', algorithmType: 'SEMIAUTOMATIC' })
    expect(result.warnings).toEqual([])

    // Independent decoding with dcmjs: 1 bit per pixel, frames back to back, LSB first.
    const bits = new Uint8Array((seg.PixelData as ArrayBuffer[])[0])
    const frames = seg.PerFrameFunctionalGroupsSequence as Items
    const frameSize = 512 * 512
    const labels = result.labels.data as unknown as Uint8Array
    let total = 0
    const perSlice = [0, 0, 0]
    for (const [f, frame] of frames.entries()) {
      const z = (frame.PlanePositionSequence[0].ImagePositionPatient as unknown as number[])[2]
      const k = Math.round((z - ct.origin[2]) / ct.spacing[2])
      // ... and the frame's source image is the CT file at that sorted position.
      const source = frame.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID as unknown as string
      expect((await naturalize(sorted[k])).SOPInstanceUID).toBe(source)
      let mismatches = 0
      for (let p = 0; p < frameSize; p++) {
        const bit = f * frameSize + p
        const on = (bits[bit >> 3] >> (bit & 7)) & 1
        if (on) {
          total++
          perSlice[k]++
        }
        if ((labels[k * frameSize + p] === 1 ? 1 : 0) !== on) mismatches++
      }
      expect(mismatches, `frame ${f} -> slice ${k}`).toBe(0)
    }
    expect(total).toBe(107098)
    expect(result.voxelCounts).toEqual({ 1: 107098 })
    // frame 0 is the lowest slice (z -128.69, 03.dcm), frame 2 the highest (01.dcm)
    expect(perSlice.every((n) => n > 30000)).toBe(true)
  })

  it('maps by position, not by index: a shifted or flipped reference grid moves the labels with it', async () => {
    const base = await readDicomSeg(segFile, ct)
    const L = base.labels.data as unknown as Uint8Array
    const [sx, , sz] = ct.spacing

    // Origin two columns to the patient's left: column i now sits where column i + 2 was.
    const shifted = await readDicomSeg(segFile, { ...ct, origin: [ct.origin[0] + 2 * sx, ct.origin[1], ct.origin[2]] })
    const S = shifted.labels.data as unknown as Uint8Array
    let mismatches = 0
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 512; j++) {
        for (let i = 0; i < 512; i++) {
          const expected = i + 2 < 512 ? L[(k * 512 + j) * 512 + i + 2] : 0
          if (S[(k * 512 + j) * 512 + i] !== expected) mismatches++
        }
      }
    }
    expect(mismatches).toBe(0)

    // Slices running head to feet (direction z = -1, origin at the top slice).
    const flipped = await readDicomSeg(segFile, {
      size: ct.size,
      spacing: ct.spacing,
      origin: [ct.origin[0], ct.origin[1], ct.origin[2] + 2 * sz],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, -1],
    })
    const F = flipped.labels.data as unknown as Uint8Array
    mismatches = 0
    for (let k = 0; k < 3; k++) {
      for (let p = 0; p < 512 * 512; p++) if (F[k * 512 * 512 + p] !== L[(2 - k) * 512 * 512 + p]) mismatches++
    }
    expect(mismatches).toBe(0)
    expect(flipped.warnings).toEqual([])
  })

  it('resamples onto a finer grid by nearest voxel centre, and says so', async () => {
    const base = await readDicomSeg(segFile, ct)
    const [sx, sy] = ct.spacing
    // Half the in-plane spacing, centres a quarter of a SEG voxel either side of each SEG centre:
    // every SEG voxel becomes exactly 2 x 2 reference voxels.
    const fine = await readDicomSeg(segFile, {
      size: [1024, 1024, 3],
      spacing: [sx / 2, sy / 2, ct.spacing[2]],
      origin: [ct.origin[0] - sx / 4, ct.origin[1] - sy / 4, ct.origin[2]],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    })
    expect(fine.voxelCounts[1]).toBe(4 * base.voxelCounts[1])
    expect(fine.warnings.join('\n')).toMatch(/do not coincide/)
    const L = base.labels.data as unknown as Uint8Array, F = fine.labels.data as unknown as Uint8Array
    for (const [i, j, k] of [[300, 200, 1], [100, 400, 0], [256, 256, 2]]) {
      const coarse = L[(k * 512 + j) * 512 + i]
      for (const [di, dj] of [[0, 0], [1, 0], [0, 1], [1, 1]]) expect(F[(k * 1024 + 2 * j + dj) * 1024 + 2 * i + di]).toBe(coarse)
    }
  })

  it('warns about labelled voxels that fall outside a smaller reference grid', async () => {
    const oneSlice = await readDicomSeg(segFile, { ...ct, size: [512, 512, 1] })
    expect(oneSlice.voxelCounts[1]).toBeGreaterThan(30000)
    expect(oneSlice.voxelCounts[1]).toBeLessThan(107098)
    expect(oneSlice.warnings.join('\n')).toMatch(/outside the reference grid/)
  })

  it('refuses a SEG from another frame of reference, and files that are not SEGs', async () => {
    await expect(readDicomSeg(segFile, ct, { frameOfReferenceUid: '1.2.3.4' })).rejects.toThrow(/frame of reference/)
    await expect(readDicomSeg(ctFiles[0], ct)).rejects.toThrow(/not a DICOM Segmentation/)
    const ours = await readDicomSeg(segFile, ct, { frameOfReferenceUid: seg.FrameOfReferenceUID as string })
    expect(ours.frameOfReferenceUid).toBe(seg.FrameOfReferenceUID)
  })
})

describe('readDicomSeg with overlapping segments', () => {
  it('keeps the higher segment number where segments overlap and says so', async () => {
    const file = path.join(data, 'dicom-seg-sr', 'highdicom', 'seg_image_ct_binary_overlap.dcm')
    const grid = { size: [16, 16, 1], spacing: [0.488281, 0.488281, 1.25], origin: [-125, -128.100006, -99.480003], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
    const result = await readDicomSeg(file, grid)
    expect(result.segments.map((s) => s.number)).toEqual([1, 2])
    expect(result.warnings.some((w) => /segments 1 and 2 overlap in \d+ voxels/.test(w))).toBe(true)
    const labels = result.labels.data as unknown as Uint8Array
    expect(labels.some((v) => v === 2)).toBe(true)
  })
})
