// Landmarks and measurements from a DICOM SR "Imaging Measurement Report" (TID 1500).
// The content tree is walked with dcmjs; SCOORD3D POINT / MULTIPOINT items become points in
// patient coordinates (DICOM's patient system is LPS, GraphicData is in mm), NUM items
// become measurements. Each is tagged with its measurement group's Tracking Identifier.
import { type CodedConcept, DicomMessage, DicomMetaDictionary } from './dcmjs-parser.js'
import { promises as fs } from 'node:fs'
import type { Grid, Image } from '../image/image.js'
import { physicalToIndex } from '../image/geometry.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'


export type { CodedConcept }

export interface SrPoint {
  /** The group's Tracking Identifier, else the Finding's meaning, else the item's concept name. */
  name: string
  /** The group's Finding (e.g. SCT 2812003 "Femoral head"), when present. */
  code?: CodedConcept
  /** The group's Laterality modifier, when present. */
  laterality?: CodedConcept
  /** Concept name of the SCOORD3D item itself (e.g. DCM 111030 "Image Region"). */
  concept?: CodedConcept
  /** Patient coordinates in mm (DICOM patient system = LPS), exactly as stored (float32). */
  lps: [number, number, number]
  frameOfReferenceUid?: string
  /** Tracking Identifier of the enclosing measurement group. */
  group?: string
  /** Tracking Unique Identifier of the enclosing measurement group. */
  groupUid?: string
  graphicType: 'POINT' | 'MULTIPOINT'
}

export interface SrMeasurement {
  name: string
  code: CodedConcept
  value: number
  unit?: CodedConcept
  /** The NUM's Derivation modifier (e.g. "Mean", "Maximum"), when present. */
  derivation?: CodedConcept
  group?: string
  /** The group's Finding, when present. */
  finding?: CodedConcept
}

export interface Tid1500Landmarks {
  sopInstanceUid: string
  /** TemplateIdentifier of the root content item ("1500" for an Imaging Measurement Report). */
  template?: string
  /** Concept name of the root container (DCM 126000 "Imaging Measurement Report"). */
  title?: CodedConcept
  points: SrPoint[]
  measurements: SrMeasurement[]
  /** Things that were skipped, in words. */
  warnings: string[]
}

type Item = Record<string, unknown>

const SR_PREFIX = '1.2.840.10008.5.1.4.1.1.88.'
const MEASUREMENT_GROUP = '125007'
const TRACKING_IDENTIFIER = '112039'
const TRACKING_UID = '112040'
const FINDING = '121071'
const LATERALITY = '272741003'
const DERIVATION = '121401'

function list(value: unknown): Item[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]) as Item[]
}

function numbers(value: unknown): number[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map((v) => Number(v))
}

function codeOf(seq: unknown): CodedConcept | undefined {
  const item = list(seq)[0]
  if (!item) return undefined
  const value = (item.CodeValue ?? item.LongCodeValue ?? item.URNCodeValue) as string | undefined
  if (value === undefined) return undefined
  return { value: String(value), scheme: String(item.CodingSchemeDesignator ?? ''), meaning: String(item.CodeMeaning ?? '') }
}

interface GroupContext {
  group?: string
  groupUid?: string
  finding?: CodedConcept
  laterality?: CodedConcept
}

/** Parse a TID 1500 SR held in memory. `source` names it in messages. */
export function parseTid1500Landmarks(bytes: Uint8Array, source = 'SR'): Tid1500Landmarks {
  let dataset: Item
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const dict = DicomMessage.readFile(buffer)
    dataset = DicomMetaDictionary.naturalizeDataset(dict.dict) as Item
  } catch (error) {
    throw new BadInputError(`not a readable DICOM file (${errorMessage(error)})`, { file: source }, { cause: error })
  }
  const sopClass = String(dataset.SOPClassUID ?? '')
  if (!sopClass.startsWith(SR_PREFIX)) {
    throw new BadInputError(`not a DICOM structured report (SOP Class ${sopClass || 'missing'})`, { file: source, field: 'SOPClassUID' })
  }
  if (dataset.ValueType !== 'CONTAINER') {
    throw new BadInputError('the SR root content item is not a CONTAINER', { file: source, field: 'ValueType' })
  }

  const points: SrPoint[] = []
  const measurements: SrMeasurement[] = []
  const warnings: string[] = []

  const walk = (items: Item[], ctx: GroupContext): void => {
    for (const item of items) {
      const valueType = item.ValueType as string | undefined
      const concept = codeOf(item.ConceptNameCodeSequence)
      let inner = ctx
      if (valueType === 'CONTAINER' && concept?.value === MEASUREMENT_GROUP) inner = groupContext(item)
      if (valueType === 'SCOORD3D') readScoord3d(item, concept, inner)
      else if (valueType === 'NUM') readNum(item, concept, inner)
      walk(list(item.ContentSequence), inner)
    }
  }

  const groupContext = (container: Item): GroupContext => {
    const ctx: GroupContext = {}
    for (const child of list(container.ContentSequence)) {
      const name = codeOf(child.ConceptNameCodeSequence)?.value
      if (name === TRACKING_IDENTIFIER && child.TextValue !== undefined) ctx.group = String(child.TextValue)
      else if (name === TRACKING_UID && child.UID !== undefined) ctx.groupUid = String(child.UID)
      else if (name === FINDING) ctx.finding = codeOf(child.ConceptCodeSequence)
      else if (name === LATERALITY) ctx.laterality = codeOf(child.ConceptCodeSequence)
    }
    return ctx
  }

  const readScoord3d = (item: Item, concept: CodedConcept | undefined, ctx: GroupContext): void => {
    const type = String(item.GraphicType ?? '')
    const data = numbers(item.GraphicData)
    const label = ctx.group ?? ctx.finding?.meaning ?? concept?.meaning ?? 'point'
    if (type !== 'POINT' && type !== 'MULTIPOINT') {
      warnings.push(`${label}: SCOORD3D ${type || '(no graphic type)'} is a region, not a point; skipped`)
      return
    }
    if (data.length < 3 || data.length % 3 !== 0 || (type === 'POINT' && data.length !== 3)) {
      warnings.push(`${label}: SCOORD3D ${type} has ${data.length} coordinates; skipped`)
      return
    }
    const frameOfReferenceUid = item.ReferencedFrameOfReferenceUID as string | undefined
    if (!frameOfReferenceUid) warnings.push(`${label}: SCOORD3D without ReferencedFrameOfReferenceUID`)
    const count = data.length / 3
    for (let i = 0; i < count; i++) {
      points.push({
        name: count > 1 ? `${label} #${i + 1}` : label,
        code: ctx.finding,
        laterality: ctx.laterality,
        concept,
        lps: [data[3 * i], data[3 * i + 1], data[3 * i + 2]],
        frameOfReferenceUid,
        group: ctx.group,
        groupUid: ctx.groupUid,
        graphicType: type,
      })
    }
  }

  const readNum = (item: Item, concept: CodedConcept | undefined, ctx: GroupContext): void => {
    const measured = list(item.MeasuredValueSequence)[0]
    if (!concept || !measured) return // a NUM without a value carries a qualifier only
    const floating = measured.FloatingPointValue
    const value = floating !== undefined && floating !== null ? Number(floating) : Number(measured.NumericValue)
    if (!Number.isFinite(value)) {
      warnings.push(`${concept.meaning}: NUM value ${String(measured.NumericValue)} is not a number; skipped`)
      return
    }
    const derivationItem = list(item.ContentSequence).find((c) => codeOf(c.ConceptNameCodeSequence)?.value === DERIVATION)
    const derivation = derivationItem ? codeOf(derivationItem.ConceptCodeSequence) : undefined
    const m: SrMeasurement = { name: concept.meaning, code: concept, value, unit: codeOf(measured.MeasurementUnitsCodeSequence), group: ctx.group }
    if (derivation) m.derivation = derivation
    if (ctx.finding) m.finding = ctx.finding
    measurements.push(m)
  }

  walk(list(dataset.ContentSequence), {})
  const template = list(dataset.ContentTemplateSequence)[0]?.TemplateIdentifier
  return {
    sopInstanceUid: String(dataset.SOPInstanceUID ?? ''),
    template: template === undefined ? undefined : String(template),
    title: codeOf(dataset.ConceptNameCodeSequence),
    points,
    measurements,
    warnings,
  }
}

/** Read the landmarks (SCOORD3D points) and measurements of a TID 1500 SR file. */
export async function readTid1500Landmarks(srFile: string): Promise<Tid1500Landmarks> {
  let bytes: Uint8Array
  try {
    bytes = await fs.readFile(srFile)
  } catch (error) {
    throw new BadInputError(`cannot read the file (${errorMessage(error)})`, { file: srFile }, { cause: error })
  }
  return parseTid1500Landmarks(bytes, srFile)
}

export interface IndexedPoint extends SrPoint {
  /** Continuous (i, j, k) index on the grid. */
  index: [number, number, number]
  /** Nearest voxel. */
  voxel: [number, number, number]
  /** Whether the nearest voxel lies on the grid. */
  inside: boolean
}

/** A grid, or an itk-wasm Image (whose direction is any typed array). */
export interface GridLike {
  size: ArrayLike<number>
  spacing: ArrayLike<number>
  origin: ArrayLike<number>
  direction: ArrayLike<number> | Image['direction']
}

/** Points with their continuous index and nearest voxel on `grid` (an Image or a Grid). */
export function withVoxelIndices(points: SrPoint[], gridLike: GridLike): IndexedPoint[] {
  const grid: Grid = {
    size: Array.from(gridLike.size),
    spacing: Array.from(gridLike.spacing),
    origin: Array.from(gridLike.origin),
    direction: Array.from(gridLike.direction as ArrayLike<number>, Number),
  }
  return points.map((p) => {
    const index = physicalToIndex(grid, p.lps) as [number, number, number]
    const voxel = index.map((v) => Math.round(v)) as [number, number, number]
    const inside = voxel.every((v, a) => v >= 0 && v < grid.size[a])
    return { ...p, index, voxel, inside }
  })
}
