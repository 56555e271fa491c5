// Uncompressed single-frame series (the common case: a few hundred Implicit or Explicit VR
// Little Endian slices) read without GDCM: each slice's Pixel Data is taken from the file at the
// offset the header reader found and rescaled with that slice's own slope and intercept.
// Why: starting GDCM's WebAssembly module and copying through it cost most of `convert`'s time
// on ct-chest-141. Anything else (compressed, big endian, colour, MONOCHROME1, multi-frame) is
// left to GDCM. The volume is in DICOM order (i = column, j = row, k ascending along the normal,
// origin at the first slice), as readDicomSeries returns it.
import { type Image, makeImage, type PixelArray, voxellessImage } from '../image/image.js'
import { BadInputError } from '../pipeline/errors.js'
import type { DicomHeader } from './dicom-header.js'
import type { SliceGeometry } from './slice-geometry.js'
import { readRangesAhead } from './read-ranges-ahead.js'
import { rescaleRowsKernel } from './rescale-rows-simd.js'

/** Slices read ahead while earlier ones are converted (a few: they should still be in cache when converted). */
const ahead = 3
/** Streamed slices being written while the next ones are converted (each keeps its staging buffer until written). */
const writesInFlight = 2

const littleEndianUncompressed = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'])

/** True when every slice can be read here. */
export function isPlainUncompressed(headers: DicomHeader[]): boolean {
  const first = headers[0]?.pixelFormat
  return headers.length > 1 && headers.every((h) => {
    const f = h.pixelFormat
    return f !== undefined && h.numberOfFrames === 1 && !h.functionalGroups &&
      littleEndianUncompressed.has(f.transferSyntaxUid) && f.samplesPerPixel === 1 &&
      f.photometricInterpretation === 'MONOCHROME2' && f.bitsAllocated === 16 &&
      f.bitsStored === first!.bitsStored && f.pixelRepresentation === first!.pixelRepresentation &&
      f.pixelSpacing?.length === 2 && f.pixelDataOffset !== undefined &&
      h.rows === headers[0].rows && h.columns === headers[0].columns &&
      (h.pixelData?.declaredBytes ?? 0) >= h.rows * h.columns * 2
  })
}

/**
 * Row order of the volume read: 'top-down' keeps DICOM rows (j = row); 'bottom-up' is
 * dcm2niix's layout (j = Rows - 1 - row, origin at the first slice's last row, direction
 * [row, -column, normal]), the same image toDcm2niixGrid makes of a top-down read.
 */
export type RowOrder = 'top-down' | 'bottom-up'

/**
 * Called with final values while they are in cache: voxels from..to (volume indices), held by
 * `values` from voxel `valuesStart` on (0: `values` is the whole volume); whole slices, in order.
 */
export type OnConvertedValues = (values: PixelArray, from: number, to: number, valuesStart: number) => void

/** Where streamed voxels go (e.g. the output file), instead of a volume in memory. */
export interface VoxelSink {
  /** Called once, before any voxel, with the volume's grid and voxel type (no voxels). */
  begin(image: Image): void
  /**
   * Voxel bytes (little endian) starting `byteOffset` bytes after the first voxel; whole slices,
   * in order. When it returns a promise, `bytes` stays untouched until it settles.
   */
  write(bytes: Uint8Array, byteOffset: number): void | Promise<void>
}

/**
 * Read the slices in `geometry.files` order (ascending along the normal). For an int16 volume
 * each slice's pixel bytes go straight into the output volume and are rescaled (and their rows
 * reversed) in place; other types go through a ring of slice buffers. Reads run ahead on the
 * thread pool (read-ranges-ahead.ts) while the slices already read are converted.
 */
export async function readUncompressedSeries(headers: DicomHeader[], geometry: SliceGeometry, rowOrder: RowOrder = 'top-down', onSlice?: OnConvertedValues): Promise<Image> {
  return (await readSeries(headers, geometry, rowOrder, onSlice)).image
}

/**
 * The same read with the voxels handed to `sink` slice by slice instead of kept in memory, when
 * the SIMD kernel converts this series (int16 output); returns the image's grid and type without
 * voxels (voxellessImage). Otherwise the series is read into memory as readUncompressedSeries
 * does and `sink` is never called. Why: a 74 MB volume written once costs ~18,000 first-touch
 * page faults and a copy of every voxel, most of `convert`'s volume time on ct-chest-141.
 */
export async function streamUncompressedSeries(headers: DicomHeader[], geometry: SliceGeometry, rowOrder: RowOrder, sink: VoxelSink, onSlice?: OnConvertedValues): Promise<{ image: Image; streamed: boolean }> {
  return readSeries(headers, geometry, rowOrder, onSlice, sink)
}

async function readSeries(headers: DicomHeader[], geometry: SliceGeometry, rowOrder: RowOrder, onSlice?: OnConvertedValues, sink?: VoxelSink): Promise<{ image: Image; streamed: boolean }> {
  const byFile = new Map(headers.map((h) => [h.file, h]))
  const ordered = geometry.files.map((f) => byFile.get(f) as DicomHeader)
  const { rows, columns } = ordered[0]
  const format = ordered[0].pixelFormat!
  const plane = rows * columns
  const signed = format.pixelRepresentation === 1
  const integral = ordered.every((h) => Number.isInteger(h.pixelFormat!.rescaleSlope) && Number.isInteger(h.pixelFormat!.rescaleIntercept))
  // Output type from the stored range the header allows, before allocating.
  const storedMin = signed ? -(2 ** (format.bitsStored - 1)) : 0
  const storedMax = signed ? 2 ** (format.bitsStored - 1) - 1 : 2 ** format.bitsStored - 1
  let lo = Infinity
  let hi = -Infinity
  for (const h of ordered) for (const v of [storedMin, storedMax]) {
    const x = v * h.pixelFormat!.rescaleSlope + h.pixelFormat!.rescaleIntercept
    lo = Math.min(lo, x)
    hi = Math.max(hi, x)
  }
  // Every slice's bytes must be in its file before the volume is allocated (a header may lie).
  for (const h of ordered) {
    const available = h.pixelData?.availableBytes ?? 0
    if (available < plane * 2) throw new BadInputError(`pixel data ends after ${available} of ${plane * 2} bytes`, { file: h.file, field: 'PixelData' })
  }
  const count = plane * ordered.length
  const int16 = integral && lo >= -32768 && hi <= 32767
  const bottomUp = rowOrder === 'bottom-up'
  // The common case, exact as lane-wise 16-bit arithmetic: int16 output, slope 1, unsigned or
  // full 16-bit stored values. With WebAssembly SIMD (rows a multiple of 16 bytes) slices are
  // read into a ring in the kernel's memory and converted a slice at a time into the volume.
  const laneWise = int16 && (!signed || format.bitsStored === 16) && ordered.every((h) => h.pixelFormat!.rescaleSlope === 1)
  const slots = ahead + 1
  const grid = volumeGrid(ordered[0], geometry, bottomUp)
  const streaming = sink !== undefined && laneWise && (columns * 2) % 16 === 0
  // The kernel's memory: the ring of slices read, then where slices are converted (a ring of
  // those too when streamed, so a slice can be written while the next one is converted).
  const stagings = streaming ? writesInFlight : 1
  const kernel = laneWise && (columns * 2) % 16 === 0 ? rescaleRowsKernel(plane * 2 * (slots + stagings)) : undefined
  const streamed = streaming && kernel !== undefined
  if (streamed) sink.begin(voxellessImage(grid, 'int16'))
  // Streamed: nothing is kept (the empty array only carries the type). Kept volumes live in shared
  // memory: the filter threads read them next (B-spline k states, resampling), else each such
  // filter first copies the volume into shared memory (filter-threads.ts asShared).
  const shared = (bytesPerVoxel: number) => new SharedArrayBuffer(count * bytesPerVoxel)
  const out: PixelArray = streamed ? new Int16Array(0) : !integral ? new Float32Array(shared(4)) : int16 ? new Int16Array(shared(2)) : new Int32Array(shared(4))
  const inPlace = out instanceof Int16Array
  // Without the kernel, int16 slices are read straight into their place in the volume; other
  // types go through a ring of slice buffers, one more than the reads in flight (a slice being
  // converted is never overwritten).
  const raw = kernel ? new Uint16Array(kernel.buffer, 0, plane * slots) : inPlace ? new Uint16Array(out.buffer) : new Uint16Array(plane * slots)
  const rawStart = (k: number) => (inPlace && !kernel ? k * plane : (k % slots) * plane)
  const ranges = ordered.map((h, k) => ({
    file: h.file,
    position: h.pixelFormat!.pixelDataOffset!,
    into: new Uint8Array(raw.buffer, raw.byteOffset + rawStart(k) * 2, plane * 2),
  }))
  const laneMask = format.bitsStored >= 16 ? 0xffff : (1 << format.bitsStored) - 1
  /** Streamed: the write still in flight from each staging buffer. */
  const writing: (Promise<void> | void)[] = []
  const reading = readRangesAhead(ranges, async (k) => {
    const { rescaleSlope, rescaleIntercept } = ordered[k].pixelFormat!
    const from = rawStart(k)
    if (kernel) {
      const staging = k % stagings
      await writing[staging]
      const stagedAt = (slots + staging) * plane * 2
      const staged = new Int16Array(kernel.buffer, stagedAt, plane)
      // The whole slice in one call (it stays in cache for the histogram and the copy or write);
      // bands cost a call chain each, most of it before the JIT has optimised it.
      kernel.convertRows(from * 2, stagedAt, columns * 2, 0, rows, rows, bottomUp, laneMask, rescaleIntercept)
      onSlice?.(staged, k * plane, (k + 1) * plane, k * plane)
      if (streamed) {
        const written = sink.write(new Uint8Array(kernel.buffer, stagedAt, plane * 2), k * plane * 2)
        // Awaited before the buffer is reused or the read ends; this keeps an early failure from being reported as unhandled.
        written?.catch(() => {})
        writing[staging] = written
      } else out.set(staged, k * plane)
    } else {
      convertSlice(raw, from, out, k * plane, columns, rows, { bitsStored: format.bitsStored, signed, slope: rescaleSlope, intercept: rescaleIntercept, bottomUp })
      onSlice?.(out, k * plane, (k + 1) * plane, 0)
    }
  }, ahead)
  // Every write settles before the caller goes on, also after a failure (it may close the file).
  await reading.finally(() => Promise.allSettled(writing))
  await Promise.all(writing)
  return { image: streamed ? voxellessImage(grid, 'int16') : makeImage(grid, out), streamed }
}

/** The volume's grid: DICOM order, or bottom-up (the first voxel is the first slice's last row, j against the columns' direction). */
function volumeGrid(first: DicomHeader, geometry: SliceGeometry, bottomUp: boolean): { size: number[]; spacing: number[]; origin: number[]; direction: number[] } {
  const { rows, columns } = first
  const spacing = first.pixelFormat!.pixelSpacing!
  const r = geometry.rowDirection
  const c = geometry.columnDirection
  const n = geometry.normal
  const at = geometry.firstPosition
  const origin = bottomUp ? [0, 1, 2].map((a) => at[a] + (rows - 1) * spacing[0] * c[a]) : [...at]
  const s = bottomUp ? -1 : 1
  return {
    size: [columns, rows, geometry.files.length],
    spacing: [spacing[1], spacing[0], geometry.spacing.medianMm],
    origin,
    direction: [r[0], s * c[0], n[0], r[1], s * c[1], n[1], r[2], s * c[2], n[2]],
  }
}

interface SliceCoding {
  bitsStored: number
  signed: boolean
  slope: number
  intercept: number
  bottomUp: boolean
}

/**
 * Stored 16-bit values raw[from ...] (little endian, as this platform's Uint16Array) -> rescaled
 * values out[to ...], rows reversed when bottom-up. raw and out may share memory at the same
 * element offset (int16 output): each row pair is read before either row is written.
 */
function convertSlice(raw: Uint16Array, from: number, out: PixelArray, to: number, nx: number, ny: number, c: SliceCoding): void {
  // Bits above BitsStored are not part of the value (sign-extend or mask them).
  const shift = 32 - c.bitsStored
  const { slope: m, intercept: b, signed } = c
  const value = (v: number) => (signed ? (v << shift) >> shift : (v << shift) >>> shift) * m + b
  const identity = c.bitsStored === 16 && signed && m === 1 && b === 0 && out instanceof Int16Array && from === to
  for (let j = 0; j < (ny + 1) >> 1; j++) {
    const top = j * nx
    const bottom = (ny - 1 - j) * nx
    const [toTop, toBottom] = c.bottomUp ? [to + bottom, to + top] : [to + top, to + bottom]
    if (identity && !c.bottomUp) continue
    if (top === bottom) {
      for (let x = 0; x < nx; x++) out[toTop + x] = value(raw[from + top + x])
      continue
    }
    for (let x = 0; x < nx; x++) {
      const a = raw[from + top + x]
      const z = raw[from + bottom + x]
      out[toTop + x] = value(a)
      out[toBottom + x] = value(z)
    }
  }
}
