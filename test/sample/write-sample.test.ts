// The bundled synthetic sample: real DICOM that itk-wasm (GDCM, dcmqi) reads back with the
// geometry, voxels, labels and landmarks the generator meant.
import { readImageDicomFileSeriesNode, structuredReportToTextNode } from '@itk-wasm/dicom'
import dcmjs from 'dcmjs'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Image } from '../../src/image/image.js'
import { readDicomSeg } from '../../src/io/dicom-seg.js'
import { readTid1500Landmarks, withVoxelIndices } from '../../src/io/dicom-sr.js'
import { ctSliceEncoder, encodeCtSlice } from '../../src/sample/ct.js'
import { rasterizeSample, sampleTruth, type SampleTruth } from '../../src/sample/phantom.js'
import { encodeSampleSeg } from '../../src/sample/seg.js'
import { encodeSampleSr } from '../../src/sample/sr.js'
import { formatSampleSummary, writeSample, type WriteSampleSummary } from '../../src/sample/write-sample.js'

dcmjs.log.getLogger('validation.dcmjs').setLevel('silent')

function readDataset(bytes: Uint8Array): { meta: Record<string, unknown>; dataset: Record<string, unknown> } {
  const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  return {
    meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.meta),
    dataset: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict),
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(full)))
    else out.push(full)
  }
  return out.sort()
}

describe('sample ground truth', () => {
  it('voxel-counted bone volumes on the generator grid are within 2 % of the analytic volumes', () => {
    for (const [caseIndex, seed] of [[0, 1], [1, 1], [5, 1], [0, 2], [17, 9]]) {
      const truth = sampleTruth(caseIndex, seed)
      const { labels } = rasterizeSample(truth, { noise: false })
      const voxelMl = truth.grid.spacing.reduce((a, b) => a * b, 1) / 1000
      const counts = new Array(6).fill(0)
      for (const v of labels) counts[v]++
      expect(truth.bones.map((b) => b.value)).toEqual([1, 2, 3, 4, 5])
      for (const bone of truth.bones) {
        expect(bone.volumeMl).toBeGreaterThan(20) // tens of mL, so voxelisation error stays small
        expect(Math.abs((counts[bone.value] * voxelMl) / bone.volumeMl - 1), `${bone.name} ${caseIndex}/${seed}`).toBeLessThan(0.02)
      }
    }
  })

  it('seeds vary sizes and positions a little, deterministically', () => {
    const a = sampleTruth(0, 1), b = sampleTruth(0, 1), c = sampleTruth(0, 2), d = sampleTruth(1, 1)
    expect(b.bones.map((x) => x.volumeMl)).toEqual(a.bones.map((x) => x.volumeMl))
    expect(b.landmarks).toEqual(a.landmarks)
    expect(c.bones[0].volumeMl).not.toBe(a.bones[0].volumeMl)
    expect(d.landmarks[0].lps).not.toEqual(a.landmarks[0].lps)
    for (const t of [a, c, d]) {
      // linear sizes vary by a few per cent (volumes by the cube of that)
      for (const [i, bone] of t.bones.entries()) expect(Math.abs(Math.cbrt(bone.volumeMl / a.bones[i].volumeMl) - 1)).toBeLessThan(0.13)
    }
    expect(a.caseId).toBe('pelvis-001')
    expect(d.caseId).toBe('pelvis-002')
  })

  it('a 200 HU threshold separates bone from everything else exactly (bounded noise)', () => {
    const truth = sampleTruth(3, 4)
    const { stored, labels } = rasterizeSample(truth)
    let mismatches = 0
    let sum = 0, sum2 = 0, n = 0
    for (let v = 0; v < stored.length; v++) {
      const hu = stored[v] - 1024
      if ((hu >= 200) !== (labels[v] !== 0)) mismatches++
      if (labels[v] === 0 && hu > -500) {
        sum += hu
        sum2 += hu * hu
        n++
      }
    }
    expect(mismatches).toBe(0)
    const mean = sum / n, sd = Math.sqrt(sum2 / n - mean * mean)
    expect(mean).toBeCloseTo(40, 0) // soft tissue
    expect(sd).toBeGreaterThan(17)
    expect(sd).toBeLessThan(23)
  })
})

describe('writeSample', () => {
  let tmp: string
  let summary: WriteSampleSummary
  let truth: SampleTruth
  let ct: Image

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'voxelflow-sample-'))
    summary = await writeSample(path.join(tmp, 'a'), { cases: 2, seed: 7 })
    truth = sampleTruth(0, 7)
    const series = await readImageDicomFileSeriesNode({ inputImages: summary.cases[0].ctFiles })
    ct = series.outputImage
  })

  afterAll(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true })
  })

  it('writes one folder per case with the CT slices, seg.dcm and landmarks.sr.dcm', async () => {
    expect(summary.cases.map((c) => path.basename(c.dir))).toEqual(['pelvis-001', 'pelvis-002'])
    const files = (await listFiles(summary.cases[0].dir)).map((f) => path.relative(summary.cases[0].dir, f))
    expect(files).toContain('seg.dcm')
    expect(files).toContain('landmarks.sr.dcm')
    expect(files.filter((f) => f.startsWith(`ct${path.sep}`))).toHaveLength(80)
    expect(files).toContain(path.join('ct', 'slice-0001.dcm'))
    expect(files).toContain(path.join('ct', 'slice-0080.dcm'))
    expect(formatSampleSummary(summary)).toContain('pelvis-002')
  })

  it('the CT series reads with itk-wasm with the expected size, spacing, origin and HU', () => {
    expect(ct.size).toEqual([160, 128, 80])
    ct.spacing.forEach((s, i) => expect(s).toBeCloseTo([1.4, 1.4, 2.5][i], 6))
    ct.origin.forEach((o, i) => expect(o).toBeCloseTo(truth.grid.origin[i], 4))
    expect(Array.from(ct.direction as ArrayLike<number>)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    const { stored } = rasterizeSample(truth)
    const hu = ct.data as unknown as ArrayLike<number>
    let mismatches = 0
    for (let v = 0; v < stored.length; v++) if (hu[v] !== stored[v] - 1024) mismatches++
    expect(mismatches).toBe(0)
  })

  it('writes the CT attributes a real scanner would (dcmjs view)', async () => {
    const first = await fs.readFile(summary.cases[0].ctFiles[0]) // slice-0001: the top slice
    const { meta, dataset } = readDataset(first)
    expect(meta.TransferSyntaxUID).toBe('1.2.840.10008.1.2.1')
    expect(dataset.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.2')
    expect(dataset.SOPInstanceUID).toBe(truth.uids.slice(79))
    expect(dataset.StudyInstanceUID).toBe(truth.uids.study)
    expect(dataset.SeriesInstanceUID).toBe(truth.uids.series)
    expect(dataset.FrameOfReferenceUID).toBe(truth.uids.frameOfReference)
    expect(dataset.Modality).toBe('CT')
    expect(dataset.PatientPosition).toBe('HFS')
    expect((dataset.PatientName as Array<{ Alphabetic: string }>)[0].Alphabetic).toBe('VOXELFLOW^SAMPLE')
    expect(dataset.PatientID).toBe('VF-PELVIS-001')
    expect(dataset.InstanceNumber).toBe(1)
    expect(dataset.ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0])
    expect(dataset.ImagePositionPatient).toEqual([truth.grid.origin[0], truth.grid.origin[1], truth.grid.origin[2] + 79 * 2.5])
    expect(dataset.PixelSpacing).toEqual([1.4, 1.4])
    expect(dataset.SliceThickness).toBe(2.5)
    expect(dataset.RescaleSlope).toBe(1)
    expect(dataset.RescaleIntercept).toBe(-1024)
    expect(dataset.PixelRepresentation).toBe(1)
    expect(dataset.BitsAllocated).toBe(16)
  })

  it('the SEG reads back through dcmqi onto the CT grid as exactly the generator labels', async () => {
    const seg = await readDicomSeg(summary.cases[0].seg, ct, { frameOfReferenceUid: truth.uids.frameOfReference })
    const { labels } = rasterizeSample(truth, { noise: false })
    const got = seg.labels.data as unknown as Uint8Array
    expect(seg.labels.size).toEqual(ct.size)
    let mismatches = 0
    for (let v = 0; v < labels.length; v++) if (got[v] !== labels[v]) mismatches++
    expect(mismatches).toBe(0)
    expect(seg.warnings).toEqual([])
    expect(seg.segments.map((s) => [s.number, s.label])).toEqual(truth.bones.map((b) => [b.value, b.label]))
    expect(seg.segments[0].type).toEqual({ value: '29836001', scheme: 'SCT', meaning: 'Hip' })
    expect(seg.segments[0].typeModifier).toEqual({ value: '7771000', scheme: 'SCT', meaning: 'Left' })
    expect(seg.segments[2].type?.meaning).toBe('Femur')
    expect(seg.segments[4].type).toEqual({ value: '54735007', scheme: 'SCT', meaning: 'Sacrum' })
    expect(seg.segments.map((s) => s.color)).toEqual(truth.bones.map((b) => b.color))
    expect(seg.referencedSeriesUids).toEqual([truth.uids.series])
  })

  it('the SR landmarks round-trip within 1e-3 mm with names, codes and frame of reference', async () => {
    const sr = await readTid1500Landmarks(summary.cases[0].sr)
    expect(sr.template).toBe('1500')
    expect(sr.warnings).toEqual([])
    expect(sr.points.map((p) => p.name)).toEqual(truth.landmarks.map((l) => l.name))
    for (const [i, p] of sr.points.entries()) {
      const lm = truth.landmarks[i]
      for (let a = 0; a < 3; a++) expect(Math.abs(p.lps[a] - lm.lps[a])).toBeLessThan(1e-3)
      expect(p.code).toEqual(lm.code)
      expect(p.laterality).toEqual(lm.laterality)
      expect(p.frameOfReferenceUid).toBe(truth.uids.frameOfReference)
      expect(p.graphicType).toBe('POINT')
    }
    const indexed = withVoxelIndices(sr.points, ct)
    expect(indexed.every((p) => p.inside)).toBe(true)
    // The femoral head centre sits inside the left femur on the label map.
    const { labels } = rasterizeSample(truth, { noise: false })
    const [i, j, k] = indexed[0].voxel
    expect(labels[(k * 128 + j) * 160 + i]).toBe(3)
  })

  it('DCMTK reads the SR as a Comprehensive 3D SR with TID 1500 measurement groups', async () => {
    const { outputText } = await structuredReportToTextNode(summary.cases[0].sr)
    expect(outputText).toContain('Comprehensive 3D SR Document')
    expect(outputText).toContain('"Imaging Measurement Report"')
    expect(outputText.match(/"Measurement Group"/g)).toHaveLength(truth.landmarks.length)
    expect(outputText).toContain('SCOORD3D:(,,"Image Region")=(POINT,')
  })

  it('can write the ground truth as JSON next to the case folders', async () => {
    const withTruth = await writeSample(path.join(tmp, 't'), { cases: 1, seed: 7, firstCase: 4, truth: true })
    const [written] = withTruth.cases
    expect(path.basename(written.dir)).toBe('pelvis-005')
    expect(written.truthFile).toBe(path.join(tmp, 't', 'pelvis-005.truth.json'))
    const json = JSON.parse(await fs.readFile(written.truthFile!, 'utf8'))
    const expected = sampleTruth(4, 7)
    expect(json.bones.map((b: { volumeMl: number }) => b.volumeMl)).toEqual(expected.bones.map((b) => b.volumeMl))
    expect(json.landmarks[0].lps).toEqual(expected.landmarks[0].lps)
    expect(json.uids.frameOfReference).toBe(expected.uids.frameOfReference)
  })

  it('same seed gives identical bytes; another seed gives different files', async () => {
    const again = await writeSample(path.join(tmp, 'b'), { cases: 2, seed: 7 })
    const other = await writeSample(path.join(tmp, 'c'), { cases: 1, seed: 8 })
    const aFiles = await listFiles(path.join(tmp, 'a'))
    const bFiles = await listFiles(path.join(tmp, 'b'))
    expect(bFiles.map((f) => path.relative(path.join(tmp, 'b'), f))).toEqual(aFiles.map((f) => path.relative(path.join(tmp, 'a'), f)))
    for (let n = 0; n < aFiles.length; n++) {
      const [x, y] = await Promise.all([fs.readFile(aFiles[n]), fs.readFile(bFiles[n])])
      expect(x.equals(y), aFiles[n]).toBe(true)
    }
    expect(again.bytes).toBe(summary.bytes)
    for (const name of ['seg.dcm', 'landmarks.sr.dcm', path.join('ct', 'slice-0040.dcm')]) {
      const [x, y] = await Promise.all([fs.readFile(path.join(tmp, 'a', 'pelvis-001', name)), fs.readFile(path.join(other.cases[0].dir, name))])
      expect(x.equals(y), name).toBe(false)
    }
  })

  it('different cases have distinct UIDs and patients', async () => {
    const [one, two] = await Promise.all(summary.cases.map(async (c) => readDataset(await fs.readFile(c.seg)).dataset))
    for (const key of ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'FrameOfReferenceUID', 'PatientID']) {
      expect(one[key], key).not.toBe(two[key])
    }
  })
})

describe('encoders', () => {
  it('the fast paths write the same bytes as plain dcmjs', () => {
    const truth = sampleTruth(1, 3)
    const { stored, labels } = rasterizeSample(truth)
    const encode = ctSliceEncoder(truth, stored)
    for (const k of [0, 41, 79]) expect(Buffer.from(encode(k)).equals(Buffer.from(encodeCtSlice(truth, stored, k)))).toBe(true)
    expect(Buffer.from(encodeSampleSeg(truth, labels)).equals(Buffer.from(encodeSampleSeg(truth, labels, { direct: false })))).toBe(true)
    expect(Buffer.from(encodeSampleSr(truth)).equals(Buffer.from(encodeSampleSr(truth, { direct: false })))).toBe(true)
  })

  it('the SEG is a BINARY Segmentation with one frame per segment and touched slice', () => {
    const truth = sampleTruth(0, 1)
    const { labels } = rasterizeSample(truth, { noise: false })
    const { dataset } = readDataset(encodeSampleSeg(truth, labels))
    expect(dataset.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.66.4')
    expect(dataset.SegmentationType).toBe('BINARY')
    expect(dataset.BitsAllocated).toBe(1)
    const frames = dataset.PerFrameFunctionalGroupsSequence as Array<Record<string, Array<Record<string, unknown>>>>
    expect(dataset.NumberOfFrames).toBe(frames.length)
    const expected = new Set<string>()
    for (let v = 0; v < labels.length; v++) if (labels[v]) expected.add(`${labels[v]}/${Math.floor(v / (160 * 128))}`)
    expect(frames.length).toBe(expected.size)
    const first = frames[0]
    const k = (first.FrameContentSequence[0].DimensionIndexValues as number[])[1] - 1
    expect(first.SegmentIdentificationSequence[0].ReferencedSegmentNumber).toBe(1)
    expect(first.PlanePositionSequence[0].ImagePositionPatient).toEqual([truth.grid.origin[0], truth.grid.origin[1], truth.grid.origin[2] + k * 2.5])
    const source = (first.DerivationImageSequence[0].SourceImageSequence as Array<Record<string, unknown>>)[0]
    expect(source.ReferencedSOPInstanceUID).toBe(truth.uids.slice(k))
  })
})
