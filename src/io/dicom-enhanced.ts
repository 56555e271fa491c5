// Enhanced multi-frame CT/MR (Enhanced CT/MR Image Storage): every frame's geometry and rescale
// live in the functional groups (PS3.3 C.7.6.16), per frame or shared: Plane Position
// (ImagePositionPatient), Plane Orientation (ImageOrientationPatient), Pixel Measures
// (PixelSpacing) and Pixel Value Transformation (RescaleSlope/Intercept). Read with dcmjs;
// pixels are taken from the Pixel Data element (src/io/enhanced-pixel-data.ts decodes it).
import { readFile } from 'node:fs/promises'
import { BadInputError } from '../pipeline/errors.js'
import { DicomMessage, DicomMetaDictionary } from './dcmjs-parser.js'
import { enhancedPixelBytes } from './enhanced-pixel-data.js'

export interface EnhancedFrame {
  file: string
  /** 0-based frame number within its file. */
  frame: number
  ipp: [number, number, number]
  iop: number[]
  /** Row spacing (between rows), column spacing (between columns), mm. */
  pixelSpacing: [number, number]
  rescaleSlope: number
  rescaleIntercept: number
  /** Values 3 and 4 of FrameType plus ComplexImageComponent, e.g. "M|MAGNITUDE", "FIELD_MAP|REAL". */
  kind: string
  temporalPositionIndex?: number
}

export interface EnhancedFile {
  file: string
  rows: number
  columns: number
  frames: EnhancedFrame[]
  /** Stored values, frame after frame (rows top to bottom, columns left to right). */
  pixels: Int16Array | Uint16Array | Int8Array | Uint8Array | Int32Array | Uint32Array
}

type Dataset = Record<string, unknown>

/** True when a header's dataset is an enhanced multi-frame image (per-frame functional groups). */
export function hasFunctionalGroups(dataset: Dataset): boolean {
  return Array.isArray(dataset.PerFrameFunctionalGroupsSequence) && (dataset.PerFrameFunctionalGroupsSequence as unknown[]).length > 0
}

/** IPP and IOP of an enhanced file's first frame (for grouping and series selection). */
export function firstFramePlane(dataset: Dataset): { ipp?: number[]; iop?: number[] } {
  if (!hasFunctionalGroups(dataset)) return {}
  const shared = item(dataset.SharedFunctionalGroupsSequence)
  const perFrame = item(dataset.PerFrameFunctionalGroupsSequence)
  return {
    ipp: numbers(item(groupOf('PlanePositionSequence', perFrame, shared))?.ImagePositionPatient),
    iop: numbers(item(groupOf('PlaneOrientationSequence', perFrame, shared))?.ImageOrientationPatient),
  }
}

export async function readEnhancedFile(file: string): Promise<EnhancedFile> {
  const bytes = await readFile(file)
  const message = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { ignoreErrors: true })
  const d = DicomMetaDictionary.naturalizeDataset(message.dict) as Dataset
  const meta = DicomMetaDictionary.naturalizeDataset(message.meta) as Dataset
  const syntax = String(meta.TransferSyntaxUID ?? '')
  const rows = Number(d.Rows ?? 0)
  const columns = Number(d.Columns ?? 0)
  const count = Number(d.NumberOfFrames ?? 1)
  const bitsAllocated = Number(d.BitsAllocated ?? 16)
  const bitsStored = Number(d.BitsStored ?? bitsAllocated)
  const signed = Number(d.PixelRepresentation ?? 0) === 1
  const perFrame = (d.PerFrameFunctionalGroupsSequence ?? []) as Dataset[]
  if (!(rows > 0 && columns > 0 && count > 0)) throw new BadInputError(`Rows ${rows}, Columns ${columns}, NumberOfFrames ${count}: not an image`, { file, field: 'NumberOfFrames' })
  if (perFrame.length !== count) throw new BadInputError(`${perFrame.length} per-frame functional groups for NumberOfFrames ${count}`, { file, field: 'PerFrameFunctionalGroupsSequence' })
  if (![8, 16, 32].includes(bitsAllocated) || Number(d.SamplesPerPixel ?? 1) !== 1) {
    throw new BadInputError(`BitsAllocated ${bitsAllocated}, SamplesPerPixel ${d.SamplesPerPixel}: only grayscale 8/16/32-bit frames are read`, { file, field: 'BitsAllocated' })
  }
  // Sizes from the header, checked against the element (or each decoded frame) before use.
  const data = await enhancedPixelBytes(d.PixelData, syntax, { rows, columns, frames: count, bitsAllocated, bitsStored, pixelRepresentation: signed ? 1 : 0 }, file)
  const pixels = storedValues(data, rows * columns * count, bitsAllocated, bitsStored, signed)

  const shared = item(d.SharedFunctionalGroupsSequence)
  const frames = perFrame.map((groups, frame): EnhancedFrame => {
    const where = `frame ${frame + 1}`
    const ipp = numbers(item(groupOf('PlanePositionSequence', groups, shared))?.ImagePositionPatient)
    const iop = numbers(item(groupOf('PlaneOrientationSequence', groups, shared))?.ImageOrientationPatient)
    const spacing = numbers(item(groupOf('PixelMeasuresSequence', groups, shared))?.PixelSpacing)
    if (ipp?.length !== 3) throw new BadInputError(`${where}: no Plane Position (ImagePositionPatient)`, { file, field: 'PlanePositionSequence' })
    if (iop?.length !== 6) throw new BadInputError(`${where}: no Plane Orientation (ImageOrientationPatient)`, { file, field: 'PlaneOrientationSequence' })
    if (spacing?.length !== 2 || !(spacing[0] > 0 && spacing[1] > 0)) throw new BadInputError(`${where}: no positive Pixel Measures (PixelSpacing)`, { file, field: 'PixelMeasuresSequence' })
    const transform = item(groupOf('PixelValueTransformationSequence', groups, shared)) ?? d
    const frameType = item(groupOf('MRImageFrameTypeSequence', groups, shared) ?? groupOf('CTImageFrameTypeSequence', groups, shared))
    const type = (Array.isArray(frameType?.FrameType) ? frameType.FrameType : []).map(String)
    const content = item(groups.FrameContentSequence)
    return {
      file,
      frame,
      ipp: [ipp[0], ipp[1], ipp[2]],
      iop,
      pixelSpacing: [spacing[0], spacing[1]],
      rescaleSlope: numbers(transform.RescaleSlope)?.[0] ?? 1,
      rescaleIntercept: numbers(transform.RescaleIntercept)?.[0] ?? 0,
      kind: [type[2] ?? '', type[3] ?? '', String(frameType?.ComplexImageComponent ?? '')].join('|'),
      temporalPositionIndex: numbers(content?.TemporalPositionIndex)?.[0],
    }
  })
  return { file, rows, columns, frames, pixels }
}

/** A functional group from the frame's own groups, else from the shared ones. */
function groupOf(name: string, perFrame: Dataset | undefined, shared: Dataset | undefined): unknown {
  return perFrame?.[name] ?? shared?.[name]
}

function item(value: unknown): Dataset | undefined {
  if (Array.isArray(value)) return value[0] as Dataset | undefined
  return value && typeof value === 'object' ? (value as Dataset) : undefined
}

function numbers(value: unknown): number[] | undefined {
  const list = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value]
  const out = list.map(Number)
  return out.length && out.every(Number.isFinite) ? out : undefined
}

export function pixelBytes(value: unknown): Uint8Array | undefined {
  const first = Array.isArray(value) ? value[0] : value
  if (first instanceof ArrayBuffer) return new Uint8Array(first)
  if (ArrayBuffer.isView(first)) return new Uint8Array(first.buffer, first.byteOffset, first.byteLength)
  return undefined
}

/** Little-endian stored values; signed values sign-extended from BitsStored, unsigned masked to it. */
export function storedValues(bytes: Uint8Array, count: number, bitsAllocated: number, bitsStored: number, signed: boolean): EnhancedFile['pixels'] {
  const copy = bytes.slice(0, count * (bitsAllocated / 8)).buffer
  const view = bitsAllocated === 8 ? (signed ? new Int8Array(copy) : new Uint8Array(copy))
    : bitsAllocated === 16 ? (signed ? new Int16Array(copy) : new Uint16Array(copy))
    : signed ? new Int32Array(copy) : new Uint32Array(copy)
  if (bitsStored < bitsAllocated) {
    const shift = 32 - bitsStored
    const mask = bitsStored >= 32 ? 0xffffffff : (1 << bitsStored) - 1
    for (let i = 0; i < view.length; i++) view[i] = signed ? (view[i] << shift) >> shift : (view[i] & mask) >>> 0
  }
  return view
}
