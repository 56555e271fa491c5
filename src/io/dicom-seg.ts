// DICOM SEG -> a label map on a reference grid. dcmqi (itk-wasm readSegmentation) decodes
// the frames into a volume with its own geometry; every reference voxel then takes the value
// of the SEG voxel whose centre is nearest to its physical position. Frame order, slice order
// and the SEG's extent never matter, only positions do.
import { readOverlappingSegmentationNode, readSegmentationNode } from '@itk-wasm/dicom'
import { withQuietStdout } from './quiet-wasm-stdout.js'
import { segForDcmqi } from './seg-native-copy.js'
import { type CodedConcept, DicomMessage, DicomMetaDictionary } from './dcmjs-parser.js'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Image } from '../image/image.js'
import { makeImage, voxelCount } from '../image/image.js'
import { indexToPhysical, physicalToIndex } from '../image/geometry.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'


export type { CodedConcept }

export interface SegSegment {
  /** Segment number, also the value of the segment in the label map. */
  number: number
  label: string
  description?: string
  category?: CodedConcept
  type?: CodedConcept
  typeModifier?: CodedConcept
  algorithmType?: string
  algorithmName?: string
  /** Recommended display colour (sRGB 0..255). */
  color?: [number, number, number]
}

export interface DicomSegOnGrid {
  /** Label map on the reference grid: 0 background, else the segment number. */
  labels: Image
  segments: SegSegment[]
  /** Labelled voxels per segment number on the reference grid. */
  voxelCounts: Record<number, number>
  /** Things a careful reader would want to know (overlaps, voxels off the grid, ...). */
  warnings: string[]
  /** SEG header facts. */
  sopInstanceUid: string
  frameOfReferenceUid?: string
  referencedSeriesUids: string[]
}

/** A grid, or an itk-wasm Image (whose direction is any typed array). */
export interface GridLike {
  size: ArrayLike<number>
  spacing: ArrayLike<number>
  origin: ArrayLike<number>
  direction: ArrayLike<number> | Image['direction']
}

export interface ReadDicomSegOptions {
  /** The reference series' FrameOfReferenceUID; a SEG in another frame is refused. */
  frameOfReferenceUid?: string
}

const SEG_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.1.1.66.7'])

interface DcmqiSegment {
  labelID?: number
  SegmentLabel?: string
  SegmentDescription?: string
  SegmentAlgorithmType?: string
  SegmentAlgorithmName?: string
  SegmentedPropertyCategoryCodeSequence?: DcmqiCode
  SegmentedPropertyTypeCodeSequence?: DcmqiCode
  SegmentedPropertyTypeModifierCodeSequence?: DcmqiCode
  recommendedDisplayRGBValue?: number[]
}

interface DcmqiCode {
  CodeValue?: string
  CodingSchemeDesignator?: string
  CodeMeaning?: string
}

const concept = (c: DcmqiCode | undefined): CodedConcept | undefined =>
  c?.CodeValue === undefined ? undefined : { value: String(c.CodeValue), scheme: String(c.CodingSchemeDesignator ?? ''), meaning: String(c.CodeMeaning ?? '') }

const plain = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

/** A few header facts read with dcmjs (the pixel data is left to dcmqi). */
async function readSegHeader(file: string): Promise<{ sopClassUid: string; sopInstanceUid: string; frameOfReferenceUid?: string; referencedSeriesUids: string[] }> {
  let bytes: Uint8Array
  try {
    bytes = await fs.readFile(file)
  } catch (error) {
    throw new BadInputError(`cannot read the file (${errorMessage(error)})`, { file }, { cause: error })
  }
  let ds: Record<string, unknown>, meta: Record<string, unknown>
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const message = DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false, ignoreErrors: true })
    ds = DicomMetaDictionary.naturalizeDataset(message.dict)
    meta = DicomMetaDictionary.naturalizeDataset(message.meta)
  } catch (error) {
    throw new BadInputError(`not a readable DICOM file (${errorMessage(error)})`, { file }, { cause: error })
  }
  const list = (v: unknown): Array<Record<string, unknown>> => (v == null ? [] : ((Array.isArray(v) ? v : [v]) as Array<Record<string, unknown>>))
  const referenced = new Set<string>()
  for (const s of list(ds.ReferencedSeriesSequence)) if (s.SeriesInstanceUID) referenced.add(String(s.SeriesInstanceUID))
  for (const study of list(ds.CommonInstanceReferenceSequence ?? ds.StudiesContainingOtherReferencedInstancesSequence)) {
    for (const s of list(study.ReferencedSeriesSequence)) if (s.SeriesInstanceUID) referenced.add(String(s.SeriesInstanceUID))
  }
  return {
    sopClassUid: String(ds.SOPClassUID || meta.MediaStorageSOPClassUID || ''),
    sopInstanceUid: String(ds.SOPInstanceUID || meta.MediaStorageSOPInstanceUID || ''),
    frameOfReferenceUid: ds.FrameOfReferenceUID ? String(ds.FrameOfReferenceUID) : undefined,
    referencedSeriesUids: [...referenced],
  }
}

/** dcmqi's decoding: one scalar volume when segments do not overlap, else one component per group. */
async function decodeWithDcmqi(file: string): Promise<{ image: Image; segments: DcmqiSegment[][] }> {
  // RLE and deflated-frame SEGs go to dcmqi as a native copy (src/io/seg-native-copy.ts).
  const readable = await segForDcmqi(file)
  let result
  try {
    result = await withQuietStdout(() => readSegmentationNode(readable.file))
  } catch (scalarError) {
    try {
      result = await withQuietStdout(() => readOverlappingSegmentationNode(readable.file))
    } catch (error) {
      throw new BadInputError(`dcmqi cannot decode this DICOM SEG (transfer syntax ${readable.transferSyntaxUid}: ${errorMessage(scalarError)}; ${errorMessage(error)})`, { file }, { cause: error })
    }
  } finally {
    await readable.cleanup()
  }
  const meta = result.metaInfo as { segmentAttributes?: DcmqiSegment[][] }
  if (!result.segImage || !Array.isArray(meta?.segmentAttributes)) {
    throw new BadInputError('dcmqi returned no segmentation volume', { file })
  }
  return { image: result.segImage, segments: meta.segmentAttributes }
}

/**
 * Read a DICOM SEG as a label map on `referenceGrid` (e.g. the CT it segments). A voxel takes
 * the number of the segment whose SEG voxel centre is nearest to it; where segments overlap
 * the higher segment number wins and a warning says how many voxels were affected.
 */
export async function readDicomSeg(segFile: string, referenceGrid: GridLike, options: ReadDicomSegOptions = {}): Promise<DicomSegOnGrid> {
  const file = path.resolve(segFile)
  const header = await readSegHeader(file)
  if (!SEG_CLASSES.has(header.sopClassUid)) {
    throw new BadInputError(`not a DICOM Segmentation (SOP Class ${header.sopClassUid || 'missing'})`, { file: segFile, field: 'SOPClassUID' })
  }
  if (options.frameOfReferenceUid && header.frameOfReferenceUid && header.frameOfReferenceUid !== options.frameOfReferenceUid) {
    throw new BadInputError(
      `the SEG is in frame of reference ${header.frameOfReferenceUid}, the reference image in ${options.frameOfReferenceUid}`,
      { file: segFile, field: 'FrameOfReferenceUID' },
    )
  }
  const warnings: string[] = []
  const { image: seg, segments: groups } = await decodeWithDcmqi(file)

  const segments: SegSegment[] = groups.flat().map((s) =>
    plain({
      number: Number(s.labelID),
      label: String(s.SegmentLabel ?? ''),
      description: s.SegmentDescription || undefined,
      category: concept(s.SegmentedPropertyCategoryCodeSequence),
      type: concept(s.SegmentedPropertyTypeCodeSequence),
      typeModifier: concept(s.SegmentedPropertyTypeModifierCodeSequence),
      algorithmType: s.SegmentAlgorithmType || undefined,
      algorithmName: s.SegmentAlgorithmName || undefined,
      color: Array.isArray(s.recommendedDisplayRGBValue) && s.recommendedDisplayRGBValue.length === 3
        ? (s.recommendedDisplayRGBValue.map(Number) as [number, number, number])
        : undefined,
    }),
  )
  segments.sort((a, b) => a.number - b.number)
  const maxLabel = segments.reduce((m, s) => Math.max(m, s.number), 0)

  const ref = {
    size: Array.from(referenceGrid.size),
    spacing: Array.from(referenceGrid.spacing),
    origin: Array.from(referenceGrid.origin),
    direction: Array.from(referenceGrid.direction as ArrayLike<number>, Number),
  }
  const sg = {
    size: Array.from(seg.size),
    spacing: Array.from(seg.spacing),
    origin: Array.from(seg.origin),
    direction: Array.from(seg.direction as ArrayLike<number>),
  }
  const components = seg.imageType.components || 1
  const segData = seg.data as unknown as ArrayLike<number>

  // Affine maps between the two index spaces: seg = c0 + M ref, ref = c1 + N seg.
  const affine = (from: typeof ref, to: typeof ref): { c: number[]; cols: number[][] } => {
    const c = physicalToIndex(to, from.origin)
    const cols = [0, 1, 2].map((axis) => {
      const e = [0, 0, 0]
      e[axis] = 1
      const q = physicalToIndex(to, indexToPhysical(from, e))
      return [q[0] - c[0], q[1] - c[1], q[2] - c[2]]
    })
    return { c, cols }
  }
  const { c: c0, cols: M } = affine(ref, sg)
  const { c: c1, cols: N } = affine(sg, ref)

  // Same lattice (voxel centres coincide, axes possibly flipped or permuted) or a resampling?
  const near = (x: number, y: number): boolean => Math.abs(x - y) < 1e-3
  const sameLattice =
    M.every((col) => col.every((v) => near(v, 0) || near(Math.abs(v), 1)) && col.filter((v) => !near(v, 0)).length === 1) &&
    [0, 1, 2].every((a) => M.filter((col) => !near(col[a], 0)).length === 1) &&
    c0.every((v) => near(v, Math.round(v)))
  if (!sameLattice) {
    warnings.push(
      `the SEG voxel centres (spacing ${sg.spacing.map((v) => v.toFixed(4)).join(' x ')} mm) do not coincide with the reference grid's ` +
        `(spacing ${ref.spacing.map((v) => v.toFixed(4)).join(' x ')} mm); each reference voxel took the nearest SEG voxel`,
    )
  }

  // Bounding box of labelled SEG voxels, and how many of them fall off the reference grid.
  const [snx, sny, snz] = sg.size
  const bbMin = [Infinity, Infinity, Infinity], bbMax = [-Infinity, -Infinity, -Infinity]
  let offGrid = 0
  for (let k = 0; k < snz; k++) {
    for (let j = 0; j < sny; j++) {
      const row = (k * sny + j) * snx
      for (let i = 0; i < snx; i++) {
        const base = (row + i) * components
        let any = false
        for (let c = 0; c < components; c++) if (segData[base + c] !== 0) any = true
        if (!any) continue
        if (i < bbMin[0]) bbMin[0] = i
        if (i > bbMax[0]) bbMax[0] = i
        if (j < bbMin[1]) bbMin[1] = j
        if (j > bbMax[1]) bbMax[1] = j
        if (k < bbMin[2]) bbMin[2] = k
        if (k > bbMax[2]) bbMax[2] = k
        for (let a = 0; a < 3; a++) {
          const r = Math.round(c1[a] + N[0][a] * i + N[1][a] * j + N[2][a] * k)
          if (r < 0 || r >= ref.size[a]) {
            offGrid++
            break
          }
        }
      }
    }
  }
  if (offGrid > 0) warnings.push(`${offGrid} labelled SEG voxels lie outside the reference grid and were dropped`)

  const [nx, ny, nz] = ref.size
  const out = maxLabel <= 255 ? new Uint8Array(voxelCount(ref.size)) : new Uint16Array(voxelCount(ref.size))
  const counts: Record<number, number> = {}
  for (const s of segments) counts[s.number] = 0
  const overlaps = new Map<string, number>()

  if (Number.isFinite(bbMin[0])) {
    const lo = bbMin.map((v) => v - 0.5), hi = bbMax.map((v) => v + 0.5)
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        // Start of this reference row in SEG index space, and the step along it.
        const s0 = [0, 1, 2].map((a) => c0[a] + M[1][a] * j + M[2][a] * k)
        const d = M[0]
        // Clip the row to the part that can land inside the labelled box.
        let t0 = 0, t1 = nx - 1
        for (let a = 0; a < 3 && t0 <= t1; a++) {
          if (Math.abs(d[a]) < 1e-12) {
            if (s0[a] < lo[a] || s0[a] >= hi[a]) t1 = -1
          } else {
            const ta = (lo[a] - s0[a]) / d[a], tb = (hi[a] - s0[a]) / d[a]
            t0 = Math.max(t0, Math.floor(Math.min(ta, tb)))
            t1 = Math.min(t1, Math.ceil(Math.max(ta, tb)))
          }
        }
        const row = (k * ny + j) * nx
        for (let i = t0; i <= t1; i++) {
          const si = Math.round(s0[0] + d[0] * i), sj = Math.round(s0[1] + d[1] * i), sk = Math.round(s0[2] + d[2] * i)
          if (si < 0 || sj < 0 || sk < 0 || si >= snx || sj >= sny || sk >= snz) continue
          const base = ((sk * sny + sj) * snx + si) * components
          let label = 0
          for (let c = 0; c < components; c++) {
            const v = segData[base + c]
            if (v === 0) continue
            if (label !== 0 && v !== label) {
              const key = `${Math.min(label, v)}/${Math.max(label, v)}`
              overlaps.set(key, (overlaps.get(key) ?? 0) + 1)
            }
            if (v > label) label = v
          }
          if (label !== 0) {
            out[row + i] = label
            counts[label] = (counts[label] ?? 0) + 1
          }
        }
      }
    }
  }
  for (const [key, n] of overlaps) {
    const [a, b] = key.split('/')
    warnings.push(`segments ${a} and ${b} overlap in ${n} voxels of the reference grid; segment ${b} was kept there`)
  }
  for (const s of segments) if (!counts[s.number]) warnings.push(`segment ${s.number} (${s.label}) has no voxels on the reference grid`)

  return {
    labels: makeImage(ref, out, 'labels'),
    segments,
    voxelCounts: counts,
    warnings,
    sopInstanceUid: header.sopInstanceUid,
    frameOfReferenceUid: header.frameOfReferenceUid,
    referencedSeriesUids: header.referencedSeriesUids,
  }
}
