// One DICOM image series group -> one volume a radiologist can trust, for every reader
// (`voxelflow convert` and the pipeline): slice geometry from the headers (before decoding),
// the decision what to do with a tilted or unevenly spaced stack (resample / refuse / keep as
// acquired), the decode, and the reslice onto an orthogonal uniform grid. Every check becomes a
// warning with its numbers; a refusal is a BadInputError naming the series and the numbers.
import path from 'node:path'
import { type Image, makeImage, pixelsOf, type PixelArray } from '../image/image.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { HuHistogram, huPlausibility, huPlausibilityOf } from '../measure/hu-plausibility.js'
import { toStorageType } from '../image/storage-type.js'
import { type DicomAcquisition, readDicomAcquisition } from './dicom-acquisition.js'
import { toDcm2niixGrid } from './dicom-grid.js'
import { readDicomSeries, type SeriesGroup } from './dicom-series.js'
import { needsReslice, resliceStack } from './reslice-stack.js'
import { isPlainUncompressed, readUncompressedSeries, streamUncompressedSeries, type VoxelSink } from './uncompressed-series.js'
import { type EnhancedVolume, stackEnhancedFrames } from './enhanced-volume.js'
import { isMosaicSeries } from './is-mosaic-series.js'
import { sliceGeometry, type SliceGeometry } from './slice-geometry.js'

export interface DicomVolumeOptions {
  /** Unevenly spaced slices: resample onto uniform steps (as dcm2niix), refuse, or keep as acquired. */
  nonUniformSpacing?: 'resample' | 'refuse' | 'keep'
  /** Gantry tilt (sheared stack): resample onto an orthogonal grid, refuse, or keep as acquired. */
  gantryTilt?: 'correct' | 'refuse' | 'keep'
  /**
   * Index layout of the output. 'dcm2niix': i = column, j = Rows-1-row, k ascending along the
   * normal (convert, so outputs compare with dcm2niix). 'dicom': j = DICOM row order (LPS for
   * axial HFS; the pipeline's layout).
   */
  layout?: 'dcm2niix' | 'dicom'
  /** Enhanced multi-frame files mixing frame kinds: the FrameType word to stack (default the first kind). */
  frameKind?: string
  /**
   * Where the voxels may go instead of memory: an uncompressed series that needs no reslicing,
   * read in dcm2niix's layout, is streamed there slice by slice (voxelsStreamed says when).
   */
  voxelSink?: VoxelSink
}

export interface SliceCorrection {
  applied: boolean
  reason: string
  method?: string
  stepMm?: number
  slices?: number
  padValue?: number
  maxShiftMm?: number
}

export interface DicomVolumeWarning {
  code: string
  message: string
}

export interface DicomVolume {
  image: Image
  /** Header slice geometry (null for a single file: single slice or multi-frame). */
  geometry: SliceGeometry | null
  /** Acquisition attributes of the first slice by position. */
  acquisition: DicomAcquisition
  correction: SliceCorrection
  /** How the voxels were laid out, in words. */
  layout: string
  warnings: DicomVolumeWarning[]
  /** Time points 2..T of an enhanced 4-D series, on the grid of `image` (not when resliced). */
  laterVolumes?: Image[]
  /** The voxels went to options.voxelSink as they were read: `image` holds the grid and type only (no voxels). */
  voxelsStreamed?: boolean
}

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits

/** HU histograms sampled slice by slice while an uncompressed series was read, by the image read. */
const sampledWhileReading = new WeakMap<Image, HuHistogram>()

/** The padding value in output units (HU for CT), when the series declares one. */
function paddingOutputValue(a: DicomAcquisition): number | undefined {
  return a.pixelPaddingValue !== undefined ? a.pixelPaddingValue * a.rescaleSlope + a.rescaleIntercept : undefined
}

export async function readDicomVolume(group: SeriesGroup, options: DicomVolumeOptions = {}): Promise<DicomVolume> {
  const volume = await decodeDicomVolume(group, options)
  volume.image = toStorageType(volume.image)
  if (group.modality === 'CT') {
    // Plausibility of the Hounsfield units, measured on the decoded values (never changed); the
    // histogram taken while reading holds for the image only if nothing re-laid it since.
    const paddingValue = paddingOutputValue(volume.acquisition)
    const sampled = sampledWhileReading.get(volume.image)
    volume.warnings.push(...(sampled ? huPlausibilityOf(sampled) : huPlausibility(pixelsOf(volume.image), { paddingValue })).warnings)
  }
  return volume
}

async function decodeDicomVolume(group: SeriesGroup, options: DicomVolumeOptions): Promise<DicomVolume> {
  const layoutWanted = options.layout ?? 'dcm2niix'
  const seriesDir = path.dirname(group.headers[0].file)
  const warnings: DicomVolumeWarning[] = []

  // Enhanced multi-frame files carry a whole stack: their frames are the slices.
  let enhanced: EnhancedVolume | undefined
  if (isMosaicSeries(group.headers)) {
    // Siemens mosaics: one volume per file, de-tiled into slices like enhanced frames.
    // dcmjs-based readers are loaded only for the series that need them.
    const { stackMosaicSeries } = await import('./mosaic-volume.js')
    enhanced = await stackMosaicSeries(group.headers, group.seriesInstanceUid)
    warnings.push(...enhanced.warnings)
  } else if (group.headers.some((h) => h.functionalGroups)) {
    const { readEnhancedFile } = await import('./dicom-enhanced.js')
    const files = []
    for (const h of group.headers) files.push(await readEnhancedFile(h.file))
    enhanced = stackEnhancedFrames(files, group.headers, group.seriesInstanceUid, options.frameKind)
    warnings.push(...enhanced.warnings)
  }
  const sliceHeaders = enhanced?.frameHeaders ?? group.headers

  let geometry: SliceGeometry | null = null
  if (sliceHeaders.length > 1) {
    try {
      geometry = sliceGeometry(sliceHeaders)
    } catch (error) {
      throw new BadInputError(`series ${group.seriesInstanceUid}: slice geometry: ${errorMessage(error)}`, { file: seriesDir })
    }
    warnings.push(...geometry.warnings.map((w) => ({ code: w.code, message: w.message })))
  }
  const acquisition = await readDicomAcquisition(enhanced ? group.headers[0].file : geometry?.files[0] ?? group.headers[0].file)
  if (enhanced) Object.assign(acquisition, { rescaleSlope: enhanced.rescale.slope, rescaleIntercept: enhanced.rescale.intercept })
  if (geometry && acquisition.gantryDetectorTilt !== undefined && Math.abs(Math.abs(acquisition.gantryDetectorTilt) - geometry.tilt.degrees) > 0.1) {
    warnings.push({ code: 'gantry-tilt-header', message: `GantryDetectorTilt says ${acquisition.gantryDetectorTilt}° but the slice positions give ${round(geometry.tilt.degrees, 2)}°` })
  }
  const decision = geometry ? decide(geometry, group, seriesDir, options) : { reslice: false, problem: '' }

  const plain = !enhanced && geometry !== null && isPlainUncompressed(group.headers)
  const keepsDicomOrder = !decision.reslice && layoutWanted === 'dicom' && !decision.problem
  // Uncompressed slices are read straight into dcm2niix's layout when that is where they go.
  const readBottomUp = plain && !keepsDicomOrder
  let decoded: Image
  let voxelsStreamed = false
  if (enhanced) decoded = enhanced.image
  else if (plain) {
    // CT: the HU histogram is taken slice by slice as the slices are converted (one pass less).
    const histogram = group.modality === 'CT' ? new HuHistogram(group.headers[0].rows * group.headers[0].columns * geometry!.files.length, paddingOutputValue(acquisition)) : undefined
    const sample = histogram && ((values: PixelArray, from: number, to: number, valuesStart: number) => histogram.add(values, from, to, valuesStart))
    // Streamed only where the voxels are final as read: dcm2niix's layout, nothing to reslice.
    if (options.voxelSink && readBottomUp && !decision.reslice && layoutWanted === 'dcm2niix') {
      ;({ image: decoded, streamed: voxelsStreamed } = await streamUncompressedSeries(group.headers, geometry!, 'bottom-up', options.voxelSink, sample))
    } else decoded = await readUncompressedSeries(group.headers, geometry!, readBottomUp ? 'bottom-up' : 'top-down', sample)
    if (histogram) sampledWhileReading.set(decoded, histogram)
  } else decoded = await readDicomSeries(group)
  if (!geometry) {
    return { image: decoded, geometry, acquisition, warnings, correction: { applied: false, reason: 'no header slice geometry (single file)' }, layout: 'as decoded by GDCM (single-slice or multi-frame file: no header slice geometry)' }
  }
  if (keepsDicomOrder) {
    // Nothing to correct: the decoder's volume with the slice axis from the positions.
    return { image: decoded, laterVolumes: enhanced?.laterVolumes, geometry, acquisition, warnings, correction: { applied: false, reason: 'no tilt, uniform spacing: nothing to correct' }, layout: 'DICOM order: i = column, j = row, k ascending along the slice positions' }
  }

  let laid
  try {
    laid = readBottomUp ? { image: decoded, reversedSlices: false } : toDcm2niixGrid(decoded, geometry)
  } catch (error) {
    throw new BadInputError(`series ${group.seriesInstanceUid}: slice geometry does not match the decoded volume: ${errorMessage(error)}`, { file: seriesDir })
  }
  let image = laid.image
  let layout = `dcm2niix layout from the headers: i = column, j = Rows-1-row, k ascending along the slice normal${laid.reversedSlices ? ' (decoder order reversed)' : ''}`
  let correction: SliceCorrection = { applied: false, reason: 'no tilt, uniform spacing: nothing to correct' }
  if (decision.problem && !decision.reslice) {
    correction = { applied: false, reason: `${decision.problem} left uncorrected (kept as acquired)` }
    warnings.push({ code: 'stack_not_resliced', message: `the stack is kept as acquired: its affine uses the median step ${round(geometry.spacing.medianMm)} mm along the slice normal, so voxel positions differ from the DICOM positions (${decision.problem})` })
  } else if (decision.reslice) {
    const pad = acquisition.pixelPaddingValue !== undefined
      ? acquisition.pixelPaddingValue * acquisition.rescaleSlope + acquisition.rescaleIntercept
      : group.modality === 'CT' ? -1024 : 0
    const resliced = resliceStack(image, geometry, { padValue: pad })
    image = resliced.image
    correction = {
      applied: true,
      reason: `${decision.problem}: resampled onto an orthogonal grid with uniform steps along the slice normal`,
      method: 'bilinear in each slice, linear between the two slices around each output position',
      stepMm: round(resliced.stepMm, 6),
      slices: resliced.slices,
      padValue: resliced.padValue,
      maxShiftMm: round(resliced.maxShiftMm),
    }
    layout += `; resliced to ${resliced.slices} slices of ${round(resliced.stepMm)} mm`
    warnings.push({ code: 'stack_resliced', message: `${decision.problem}: resampled onto ${resliced.slices} orthogonal slices ${round(resliced.stepMm)} mm apart (in-plane shear up to ${round(resliced.maxShiftMm, 2)} mm corrected)` })
  }
  let laterVolumes = decision.reslice ? [] : (enhanced?.laterVolumes ?? []).map((v) => toDcm2niixGrid(v, geometry).image)
  if (layoutWanted === 'dicom') {
    image = flipSecondAxis(image)
    laterVolumes = laterVolumes.map(flipSecondAxis)
    layout = layout.replace('j = Rows-1-row', 'j = row')
  }
  return { image, laterVolumes, geometry, acquisition, warnings, correction, layout, ...(voxelsStreamed && { voxelsStreamed }) }
}

/** What a tilted / unevenly spaced stack gets, by the options; refusals throw with the numbers. */
function decide(geometry: SliceGeometry, group: SeriesGroup, seriesDir: string, options: DicomVolumeOptions): { reslice: boolean; problem: string } {
  if (!needsReslice(geometry)) return { reslice: false, problem: '' }
  const tilt = geometry.tilt.detected ? `gantry tilt ${round(geometry.tilt.degrees, 2)}°` : ''
  const spacing = geometry.spacing.uniform ? '' : 'non-uniform slice spacing'
  const problem = [tilt, spacing].filter(Boolean).join(' and ')
  if (tilt && options.gantryTilt === 'refuse') {
    throw new BadInputError(`series ${group.seriesInstanceUid}: gantry tilt of ${round(geometry.tilt.degrees, 2)}° (slice positions progress away from the slice normal) and dicom.gantry_tilt is "refuse"`, { file: seriesDir, field: 'dicom.gantry_tilt' })
  }
  if (spacing && options.nonUniformSpacing === 'refuse') {
    const s = geometry.spacing
    throw new BadInputError(`series ${group.seriesInstanceUid}: slice spacing varies from ${round(s.minMm)} to ${round(s.maxMm)} mm along the normal (expected uniform ${round(s.medianMm)} mm, tolerance ${s.toleranceMm} mm) and dicom.non_uniform_spacing is "refuse"`, { file: seriesDir, field: 'dicom.non_uniform_spacing' })
  }
  const keep = (tilt && options.gantryTilt === 'keep') || (spacing && options.nonUniformSpacing === 'keep')
  return { reslice: !keep, problem }
}

/** The same voxels indexed with j reversed (origin moved to the other end of that axis). */
function flipSecondAxis(image: Image): Image {
  const [nx, ny, nz] = image.size
  const src = pixelsOf(image)
  const out = new (src.constructor as new (length: number) => PixelArray)(src.length)
  const plane = nx * ny
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
    const from = k * plane + (ny - 1 - j) * nx
    out.set(src.subarray(from, from + nx), k * plane + j * nx)
  }
  const d = Array.from(image.direction as ArrayLike<number>)
  const reach = (ny - 1) * image.spacing[1]
  const origin = [0, 1, 2].map((a) => image.origin[a] + reach * d[a * 3 + 1])
  for (let a = 0; a < 3; a++) d[a * 3 + 1] = -d[a * 3 + 1]
  return makeImage({ size: [...image.size], spacing: [...image.spacing], origin, direction: d }, out, image.name)
}
