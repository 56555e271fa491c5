// Siemens mosaics (ImageType ...\MOSAIC): each file holds one whole volume as tiles of one big
// image, one tile per slice, ceil(sqrt(n)) tiles per row. De-tiled here into the same shape as
// enhanced multi-frame stacks (src/io/enhanced-volume.ts), so the same slice-geometry checks and
// the dcm2niix layout apply. Geometry as nibabel and dcm2niix derive it:
// - n = NumberOfImagesInMosaic, from Siemens private (0019,xx0A) or else the CSA image header;
// - Image Position Patient is the corner of the whole mosaic: the first tile's corner lies
//   (mosaic size - tile size) / 2 pixels further along the row and column directions;
// - tile t lies t x SpacingBetweenSlices along the CSA SliceNormalVector (its sign is the
//   acquisition's, which can be opposite to row x column: mr-sagittal).
// Each file is one time point, ordered by AcquisitionNumber then InstanceNumber.
import { readFile } from 'node:fs/promises'
import { gridOf, makeImage, type PixelArray } from '../image/image.js'
import { BadInputError } from '../pipeline/errors.js'
import { DicomMessage, DicomMetaDictionary } from './dcmjs-parser.js'
import type { DicomHeader } from './dicom-header.js'
import { pixelBytes, storedValues } from './dicom-enhanced.js'
import { enhancedPixelBytes } from './enhanced-pixel-data.js'
import type { EnhancedVolume } from './enhanced-volume.js'
import { csaNumbers, parseCsaHeader } from './siemens-csa.js'

type Dataset = Record<string, unknown>
type Vec3 = [number, number, number]

const samePositionMm = 0.01

export interface MosaicFile {
  file: string
  imagesInMosaic: number
  rows: number
  columns: number
  ipp: Vec3
  iop: number[]
  /** Between rows, between columns (mm). */
  pixelSpacing: [number, number]
  sliceStepMm: number
  /** Unit vector along which tile 0, 1, 2 ... follow each other (LPS). */
  sliceNormal: Vec3
  rescaleSlope: number
  rescaleIntercept: number
  acquisitionNumber: number
  instanceNumber: number
  pixels: ArrayLike<number>
  warnings: string[]
}

/** True when the series' files are mosaics. */
export { isMosaicSeries } from './is-mosaic-series.js'

export async function readMosaicFile(file: string): Promise<MosaicFile> {
  const bytes = await readFile(file)
  const message = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { ignoreErrors: true })
  const d = DicomMetaDictionary.naturalizeDataset(message.dict) as Dataset
  const meta = DicomMetaDictionary.naturalizeDataset(message.meta) as Dataset
  const syntax = String(first(meta.TransferSyntaxUID) ?? '')
  const warnings: string[] = []
  const csa = privateBytes(d, 0x0029, 'SIEMENS CSA HEADER', 0x10)
  const csaHeader = csa ? parseCsaHeader(csa) : undefined
  const fromMrHeader = privateUint16(d, 0x0019, 'SIEMENS MR HEADER', 0x0a)
  const imagesInMosaic = fromMrHeader ?? csaNumbers(csaHeader, 'NumberOfImagesInMosaic')[0]
  const rows = Number(first(d.Rows) ?? 0)
  const columns = Number(first(d.Columns) ?? 0)
  if (!(Number.isInteger(imagesInMosaic) && imagesInMosaic > 0)) {
    throw new BadInputError('mosaic without NumberOfImagesInMosaic (Siemens private (0019,xx0A) or CSA image header (0029,xx10))', { file, field: 'NumberOfImagesInMosaic' })
  }
  const perRow = Math.ceil(Math.sqrt(imagesInMosaic))
  if (!(rows > 0 && columns > 0) || rows % perRow !== 0 || columns % perRow !== 0) {
    throw new BadInputError(`mosaic of ${rows} x ${columns} pixels cannot hold ${perRow} x ${perRow} equal tiles (NumberOfImagesInMosaic ${imagesInMosaic})`, { file, field: 'NumberOfImagesInMosaic' })
  }
  const ipp = numbers(d.ImagePositionPatient)
  const iop = numbers(d.ImageOrientationPatient)
  const spacing = numbers(d.PixelSpacing)
  if (ipp?.length !== 3 || iop?.length !== 6 || spacing?.length !== 2 || !(spacing[0] > 0 && spacing[1] > 0)) {
    throw new BadInputError('mosaic without Image Position/Orientation Patient or Pixel Spacing', { file, field: 'ImagePositionPatient' })
  }
  const row = iop.slice(0, 3)
  const column = iop.slice(3, 6)
  const cross = crossProduct(row, column)
  let sliceNormal = csaNumbers(csaHeader, 'SliceNormalVector') as Vec3
  if (sliceNormal.length !== 3 || Math.abs(Math.hypot(...sliceNormal) - 1) > 1e-3) {
    sliceNormal = cross
    warnings.push('no CSA SliceNormalVector: slices assumed to follow row x column of Image Orientation Patient')
  } else if (Math.abs(dot(sliceNormal, cross)) < 0.999) {
    throw new BadInputError(`CSA SliceNormalVector [${sliceNormal.join(', ')}] is not perpendicular to Image Orientation Patient`, { file, field: 'SliceNormalVector' })
  }
  const betweenSlices = Number(first(d.SpacingBetweenSlices))
  const thickness = Number(first(d.SliceThickness))
  let sliceStepMm = betweenSlices
  if (!(betweenSlices > 0)) {
    if (!(thickness > 0)) throw new BadInputError('mosaic without a positive SpacingBetweenSlices or SliceThickness: slice positions unknown', { file, field: 'SpacingBetweenSlices' })
    sliceStepMm = thickness
    warnings.push(`no SpacingBetweenSlices: slices placed SliceThickness ${thickness} mm apart`)
  }
  const bitsAllocated = Number(first(d.BitsAllocated) ?? 16)
  const bitsStored = Number(first(d.BitsStored) ?? bitsAllocated)
  if (![8, 16].includes(bitsAllocated) || Number(first(d.SamplesPerPixel) ?? 1) !== 1) {
    throw new BadInputError(`BitsAllocated ${bitsAllocated}, SamplesPerPixel ${first(d.SamplesPerPixel)}: only grayscale 8/16-bit mosaics are read`, { file, field: 'BitsAllocated' })
  }
  const signed = Number(first(d.PixelRepresentation) ?? 0) === 1
  // The whole mosaic is one frame: any transfer syntax the enhanced reader decodes (uncompressed,
  // big endian, RLE, deflate, JPEG lossless / JPEG-LS / JPEG 2000 through GDCM), size-checked.
  const data = await enhancedPixelBytes(d.PixelData, syntax, { rows, columns, frames: 1, bitsAllocated, bitsStored, pixelRepresentation: signed ? 1 : 0 }, file)
  // The first tile's corner: the mosaic's corner moved by half the pixels the other tiles add.
  const extraRows = rows - rows / perRow
  const extraColumns = columns - columns / perRow
  const corner = [0, 1, 2].map((a) => ipp[a] + row[a] * spacing[1] * extraColumns / 2 + column[a] * spacing[0] * extraRows / 2) as Vec3
  return {
    file,
    imagesInMosaic,
    rows,
    columns,
    ipp: corner,
    iop,
    pixelSpacing: [spacing[0], spacing[1]],
    sliceStepMm,
    sliceNormal,
    rescaleSlope: numbers(d.RescaleSlope)?.[0] ?? 1,
    rescaleIntercept: numbers(d.RescaleIntercept)?.[0] ?? 0,
    acquisitionNumber: numbers(d.AcquisitionNumber)?.[0] ?? 0,
    instanceNumber: numbers(d.InstanceNumber)?.[0] ?? 0,
    pixels: storedValues(data, rows * columns, bitsAllocated, bitsStored, signed),
    warnings,
  }
}

/** The mosaic files of one series -> volume 1 (DICOM order, k ascending along row x column) and volumes 2..T. */
export async function stackMosaicSeries(headers: DicomHeader[], seriesUid: string): Promise<EnhancedVolume> {
  const files: MosaicFile[] = []
  for (const h of headers) files.push(await readMosaicFile(h.file))
  files.sort((a, b) => a.acquisitionNumber - b.acquisitionNumber || a.instanceNumber - b.instanceNumber)
  const head = files[0]
  const warnings = [...new Set(files.flatMap((f) => f.warnings))].map((message) => ({ code: 'mosaic_geometry', message: `series ${seriesUid}: ${message}` }))
  for (const f of files) {
    if (f.imagesInMosaic !== head.imagesInMosaic || f.rows !== head.rows || f.columns !== head.columns) {
      throw new BadInputError(`mosaic of ${f.imagesInMosaic} tiles in ${f.rows} x ${f.columns} beside ${head.imagesInMosaic} tiles in ${head.rows} x ${head.columns} in series ${seriesUid}`, { file: f.file, field: 'NumberOfImagesInMosaic' })
    }
  }
  const moved = files.filter((f) => Math.hypot(f.ipp[0] - head.ipp[0], f.ipp[1] - head.ipp[1], f.ipp[2] - head.ipp[2]) > samePositionMm || f.iop.some((v, i) => Math.abs(v - head.iop[i]) > 1e-4))
  if (moved.length) warnings.push({ code: 'mosaic_geometry', message: `series ${seriesUid}: ${moved.length} of ${files.length} mosaic volumes have another position or orientation than the first; all are written on the first volume's grid` })
  if (files.length > 1) warnings.push({ code: 'multiple_volumes', message: `series ${seriesUid}: ${files.length} mosaic volumes of ${head.imagesInMosaic} slices (a ${files.length}-volume series); the first is the 3-D volume` })

  const perRow = Math.ceil(Math.sqrt(head.imagesInMosaic))
  const tileRows = head.rows / perRow
  const tileColumns = head.columns / perRow
  const row = head.iop.slice(0, 3)
  const column = head.iop.slice(3, 6)
  const normal = crossProduct(row, column)
  const positionOf = (t: number): Vec3 => head.ipp.map((v, a) => v + t * head.sliceStepMm * head.sliceNormal[a]) as Vec3
  // Tiles by position along row x column (ascending), the order every other reader uses.
  const tiles = Array.from({ length: head.imagesInMosaic }, (_, t) => t).sort((a, b) => dot(positionOf(a), normal) - dot(positionOf(b), normal))
  const plane = tileRows * tileColumns
  const integral = files.every((f) => Number.isInteger(f.rescaleSlope) && Number.isInteger(f.rescaleIntercept))
  const range = rescaledRange(files)
  const volume = (f: MosaicFile): PixelArray => {
    const out: PixelArray = !integral ? new Float32Array(plane * tiles.length)
      : range[0] >= -32768 && range[1] <= 32767 ? new Int16Array(plane * tiles.length)
      : new Int32Array(plane * tiles.length)
    tiles.forEach((t, k) => {
      const top = Math.floor(t / perRow) * tileRows
      const left = (t % perRow) * tileColumns
      for (let r = 0; r < tileRows; r++) {
        const from = (top + r) * head.columns + left
        const to = k * plane + r * tileColumns
        for (let c = 0; c < tileColumns; c++) out[to + c] = f.pixels[from + c] * f.rescaleSlope + f.rescaleIntercept
      }
    })
    return out
  }
  const image = makeImage(
    {
      size: [tileColumns, tileRows, tiles.length],
      spacing: [head.pixelSpacing[1], head.pixelSpacing[0], head.sliceStepMm],
      origin: positionOf(tiles[0]),
      direction: [row[0], column[0], normal[0], row[1], column[1], normal[1], row[2], column[2], normal[2]],
    },
    volume(head),
  )
  const laterVolumes = files.slice(1).map((f) => makeImage(gridOf(image), volume(f)))
  const headerOf = headers.find((h) => h.file === head.file) as DicomHeader
  const frameHeaders = tiles.map((t): DicomHeader => ({
    ...headerOf,
    file: `${head.file}#tile${t + 1}`,
    rows: tileRows,
    columns: tileColumns,
    imagePositionPatient: positionOf(t),
    numberOfFrames: 1,
  }))
  return {
    image,
    frameHeaders,
    rescale: { slope: head.rescaleSlope, intercept: head.rescaleIntercept, perFrame: files.some((f) => f.rescaleSlope !== head.rescaleSlope || f.rescaleIntercept !== head.rescaleIntercept) },
    kind: 'MOSAIC',
    laterVolumes,
    warnings,
  }
}

function rescaledRange(files: MosaicFile[]): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const f of files) {
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < f.pixels.length; i++) {
      const v = f.pixels[i]
      if (v < min) min = v
      if (v > max) max = v
    }
    for (const v of [min * f.rescaleSlope + f.rescaleIntercept, max * f.rescaleSlope + f.rescaleIntercept]) {
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
    }
  }
  return [lo, hi]
}

/**
 * A private element's value by its creator (PS3.5 7.8.1): the creator (gggg,00xx) reserves the
 * block xx, so the element is (gggg,xxee) whatever block the writer chose.
 */
function privateElement(d: Dataset, group: number, creator: string, element: number): unknown {
  const g = group.toString(16).padStart(4, '0').toUpperCase()
  for (let block = 0x10; block <= 0xff; block++) {
    const b = block.toString(16).padStart(2, '0').toUpperCase()
    const owner = first(d[`${g}00${b}`])
    if (typeof owner === 'string' && owner.trim() === creator) return d[`${g}${b}${element.toString(16).padStart(2, '0').toUpperCase()}`]
  }
  return undefined
}

function privateBytes(d: Dataset, group: number, creator: string, element: number): Uint8Array | undefined {
  return pixelBytes(privateElement(d, group, creator, element))
}

/** US value: a number when the VR was known (explicit VR), raw little-endian bytes otherwise. */
function privateUint16(d: Dataset, group: number, creator: string, element: number): number | undefined {
  const value = privateElement(d, group, creator, element)
  const raw = pixelBytes(value)
  if (raw) return raw.byteLength >= 2 ? raw[0] | (raw[1] << 8) : undefined
  const n = Number(first(value))
  return value !== undefined && Number.isFinite(n) ? n : undefined
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value
}

function numbers(value: unknown): number[] | undefined {
  const list = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value]
  const out = list.map(Number)
  return out.length && out.every(Number.isFinite) ? out : undefined
}

function crossProduct(a: number[], b: number[]): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
