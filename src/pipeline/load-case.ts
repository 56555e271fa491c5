// Turn the files of one case into the canonical inputs of the pipeline: the image volume,
// an optional reference segmentation on the image grid, landmarks and warnings.
import path from 'node:path'
import { promises as fs } from 'node:fs'
import { type LandmarkPoint, parseLandmarksFile } from '../measure/landmarks-file.js'
import { orientationCode } from '../image/geometry.js'
import { type Image, gridOf, pixelsOf } from '../image/image.js'
import { type DicomHeader, isDicomFile, isSegmentation, isStructuredReport, pixelDataProblem, readDicomHeader } from '../io/dicom-header.js'
import { frameCount, inventoryDicom } from '../io/dicom-series.js'
import { selectSeries, type SeriesSummary } from '../io/series-selection.js'
import { readDicomVolume } from '../io/dicom-volume.js'
import { isNiftiPath } from '../io/nifti.js'
import { readInputNifti, readInputNiftiArriving } from '../io/read-input-nifti.js'
import type { VoxelArrival } from '../io/voxel-arrival.js'
import { niftiCtPlausibility } from '../measure/nifti-ct-plausibility.js'
import { type Limits, defaultLimits } from './config.js'
import { expandArchives } from './expand-archives.js'
import { checkLabelMap } from './check-label-map.js'
import { dropDuplicateInstances, requireGeometry } from '../io/dicom-series-checks.js'
import { resampleLabels } from '../filters/resample.js'
import { BadInputError, renameBadInput } from './errors.js'
import { defaultConfig, type PipelineConfig } from './config.js'
import type { InputDescription, SeriesFound, Warning } from './report-schema.js'

export interface CaseFile {
  file: string
  /** Object key, for messages users can map back to their upload. */
  key: string
  role: 'auto' | 'labels' | 'prediction' | 'reference_landmarks' | 'prediction_landmarks' | 'moving' | 'moving_labels'
}

export interface LoadedCase {
  image: Image
  modality: string
  description: InputDescription
  reference?: { labels: Image; names: Record<string, string>; source: string }
  /** A segmentation to evaluate against the reference, on the image grid. */
  prediction?: { labels: Image; source: string }
  /** Reference landmarks: the case's SR TID 1500, then a reference landmarks JSON given with it. */
  landmarks: LandmarkPoint[]
  /** Landmarks to compare with the reference ones (a landmarks JSON given with the case). */
  predictedLandmarks?: { points: LandmarkPoint[]; source: string }
  warnings: Warning[]
  /**
   * Voxels of `image` still arriving (loadCase with voxelsMayArrive): what needs all of them
   * awaits `arrival.complete`, which settles the data check and completes `warnings`.
   */
  arrival?: VoxelArrival
}

/** Landmarks files are small; anything bigger is not one. */
const maxLandmarksFileBytes = 16 << 20

export interface LoadCaseOptions {
  /** What to do with tilted or unevenly spaced DICOM stacks (pipeline config `dicom`). */
  dicom: PipelineConfig['dicom']
  /** Resource limits for untrusted input (pipeline config `limits`). */
  limits: Limits
  /**
   * Resolve while a NIfTI image's voxels are still being read where that is possible (the
   * caller starts on the first slices; see LoadedCase.arrival). Default: every voxel is in.
   */
  voxelsMayArrive?: boolean
}

export async function loadCase(caseFiles: CaseFile[], options: LoadCaseOptions = { dicom: defaultConfig.dicom, limits: defaultLimits }): Promise<LoadedCase> {
  const { limits } = options
  const warnings: Warning[] = []
  const files = await expandArchives(caseFiles, limits)
  const niftiImages = files.filter((f) => f.role === 'auto' && isNiftiPath(f.file))
  const niftiLabels = files.filter((f) => f.role === 'labels')
  const niftiPredictions = files.filter((f) => f.role === 'prediction')
  const others = files.filter((f) => f.role === 'auto' && !isNiftiPath(f.file))

  const dicomHeaders: DicomHeader[] = []
  let ignored = 0
  for (const candidate of others) {
    if (await isDicomFile(candidate.file)) {
      const header = await readDicomHeader(candidate.file).catch(unparsable)
      if (header instanceof Error) {
        ignored++
        warnings.push({ code: 'file_ignored', message: `${candidate.key}: unreadable DICOM header (${header.message}), ignored` })
        continue
      }
      const problem = isSegmentation(header) || isStructuredReport(header) ? undefined : pixelDataProblem(header)
      if (problem) {
        ignored++
        warnings.push({ code: 'file_ignored', message: `${candidate.key}: ${problem}, ignored` })
        continue
      }
      dicomHeaders.push({ ...header, file: candidate.file })
    } else {
      ignored++
      warnings.push({ code: 'file_ignored', message: `${candidate.key}: not DICOM or NIfTI, ignored` })
    }
  }
  const keyOf = new Map(files.map((f) => [f.file, f.key]))
  const inventory = dropDuplicateInstances(inventoryDicom(dicomHeaders), warnings, (f) => keyOf.get(f) ?? path.basename(f))

  let loaded: Omit<LoadedCase, 'landmarks' | 'warnings' | 'reference'>
  let imageSeries: { seriesInstanceUid: string; sopInstanceUids: Set<string> } | undefined
  if (inventory.series.length) {
    if (niftiImages.length) warnings.push({ code: 'file_ignored', message: `NIfTI images ignored: the case has a DICOM series` })
    const { chosen: group, found } = selectSeries(inventory, keyOf.get(dicomHeaders[0].file) ?? dicomHeaders[0].file, options.dicom.series_instance_uid)
    requireGeometry(group, (f) => keyOf.get(f) ?? path.basename(f))
    for (const other of inventory.series.filter((g) => g !== group)) {
      warnings.push({ code: 'series_ignored', message: `series ${other.seriesInstanceUid} (${other.headers.length} files) ignored; primary is ${group.seriesInstanceUid}` })
    }
    // Header checks, tilt / spacing decision and reslice: the same function as `voxelflow convert`.
    const firstKey = keyOf.get(group.headers[0].file) ?? group.headers[0].file
    const volume = await readDicomVolume(group, {
      layout: 'dicom',
      gantryTilt: options.dicom.gantry_tilt,
      nonUniformSpacing: options.dicom.non_uniform_spacing,
    }).catch(rename(path.posix.dirname(firstKey)))
    for (const w of volume.warnings) warnings.push(w)
    imageSeries = { seriesInstanceUid: group.seriesInstanceUid, sopInstanceUids: new Set(group.headers.map((h) => h.sopInstanceUid)) }
    const image = volume.image
    loaded = {
      image,
      modality: group.modality || 'OT',
      description: describe(image, 'dicom', group.modality || 'OT', {
        series_instance_uid: group.seriesInstanceUid,
        series_description: group.description || undefined,
        slice_count: frameCount(group),
        files_used: group.headers.length,
        files_ignored: ignored + dicomHeaders.length - group.headers.length - inventory.segmentations.length - inventory.reports.length,
        series_found: found.map(seriesFoundRow),
      }),
    }
  } else if (niftiImages.length === 1) {
    const { file, key } = niftiImages[0]
    const { image, arrival } = await (options.voxelsMayArrive ? readInputNiftiArriving(file, limits, key) : readInputNifti(file, limits, key).then((read) => ({ image: read, arrival: undefined }))).catch(rename(key))
    const modality = (await looksLikeCt(image, arrival).catch(rename(key))) ? 'CT' : 'MR'
    warnings.push({ code: 'modality_guessed', message: `NIfTI carries no modality; treated as ${modality} from its value range` })
    // the HU check needs every voxel: where they are still arriving, its warnings join in this place once they are in
    const plausibilityAt = warnings.length
    const plausibility = () => (modality === 'CT' ? niftiCtPlausibility(pixelsOf(image)).warnings : [])
    if (!arrival) warnings.push(...plausibility())
    const complete = arrival?.complete.then(() => void warnings.splice(plausibilityAt, 0, ...plausibility()), rename(key))
    complete?.catch(() => {}) // awaited by the caller
    loaded = { image, modality, description: describe(image, 'nifti', modality, { files_used: 1, files_ignored: ignored }), ...(arrival && complete && { arrival: { voxels: arrival.voxels, complete } }) }
  } else if (niftiImages.length > 1) {
    throw new BadInputError(`a case holds one image, found ${niftiImages.length} NIfTI files (${niftiImages.map((f) => f.key).join(', ')})`)
  } else {
    throw new BadInputError(`no DICOM image series or NIfTI image among ${files.length} files`, { file: files[0]?.key })
  }

  try {
    const grid = gridOf(loaded.image)
    let reference: LoadedCase['reference']
    if (niftiLabels.length) {
      const labelsFile = niftiLabels[0]
      const checked = checkLabelMap(await readInputNifti(labelsFile.file, limits, labelsFile.key).catch(rename(labelsFile.key)), grid, labelsFile.key, limits)
      const labels = checked.labels
      warnings.push(...checked.warnings)
      reference = { labels: resampleLabels(labels, grid), names: {}, source: labelsFile.key }
    } else if (inventory.segmentations.length) {
      const seg = inventory.segmentations[0]
      const segName = keyOf.get(seg.file) ?? path.basename(seg.file)
      // SEG and SR readers (dcmjs, GDCM's WebAssembly) are loaded only for cases that have such files.
      const [{ checkSegReferences }, { readDicomSeg }] = await Promise.all([import('../io/dicom-seg-references.js'), import('../io/dicom-seg.js')])
      await checkSegReferences(seg.file, segName, { grid, series: imageSeries })
      const { labels, segments, warnings: segWarnings } = await readDicomSeg(seg.file, grid).catch(rename(segName))
      const names: Record<string, string> = {}
      for (const segment of segments) names[String(segment.number)] = segment.label
      reference = { labels, names, source: segName }
      for (const message of segWarnings ?? []) warnings.push({ code: 'segmentation', message })
    }

    let prediction: LoadedCase['prediction']
    if (niftiPredictions.length) {
      const predictionFile = niftiPredictions[0]
      if (!reference) throw new BadInputError('a prediction needs a reference segmentation to be evaluated against', { file: predictionFile.key })
      const checked = checkLabelMap(await readInputNifti(predictionFile.file, limits, predictionFile.key).catch(rename(predictionFile.key)), grid, predictionFile.key, limits)
      const labels = checked.labels
      warnings.push(...checked.warnings)
      prediction = { labels: resampleLabels(labels, grid), source: predictionFile.key }
    }

    const landmarks: LoadedCase['landmarks'] = !inventory.reports.length ? [] : await (await import('./read-case-landmarks.js')).readCaseLandmarks(inventory.reports.map((sr) => ({ file: sr.file, name: keyOf.get(sr.file) ?? path.basename(sr.file) })), warnings)
    for (const file of files.filter((f) => f.role === 'reference_landmarks')) landmarks.push(...(await readLandmarksJson(file)).points)
    const landmarksFile = files.find((f) => f.role === 'prediction_landmarks')
    const predictedLandmarks = landmarksFile ? await readLandmarksJson(landmarksFile) : undefined
    return { ...loaded, reference, prediction, landmarks, ...(predictedLandmarks && { predictedLandmarks }), warnings }
  } catch (error) {
    // the image's own verdict first (its voxels may still be arriving): bad data says more
    await loaded.arrival?.complete
    throw error
  }
}

async function readLandmarksJson(file: CaseFile): Promise<{ points: LandmarkPoint[]; source: string }> {
  const { size } = await fs.stat(file.file)
  if (size > maxLandmarksFileBytes) throw new BadInputError(`landmarks file is ${size} bytes, more than the ${maxLandmarksFileBytes} allowed`, { file: file.key })
  const parsed = parseLandmarksFile(await fs.readFile(file.file, 'utf8'), file.key)
  return { points: parsed.landmarks, source: file.key }
}

function seriesFoundRow(s: SeriesSummary): SeriesFound {
  return {
    series_instance_uid: s.seriesInstanceUid,
    modality: s.modality,
    description: s.description,
    slice_count: s.slices,
    files: s.files,
    rows: s.rows,
    columns: s.columns,
    orientation: s.plane,
    image_orientation_patient: s.imageOrientationPatient,
    group: `${s.group} of ${s.groupsInSeries}`,
    status: s.status,
    reason: s.reason,
  }
}

function describe(image: Image, kind: 'dicom' | 'nifti', modality: string, extra: Partial<InputDescription> & { files_used: number; files_ignored: number }): InputDescription {
  const grid = gridOf(image)
  return {
    kind,
    modality,
    size_voxels: [grid.size[0], grid.size[1], grid.size[2] ?? 1],
    spacing_mm: [grid.spacing[0], grid.spacing[1], grid.spacing[2] ?? 1],
    origin_lps_mm: [grid.origin[0], grid.origin[1], grid.origin[2] ?? 0],
    direction_lps: grid.direction,
    orientation: orientationCode(grid.direction),
    ...extra,
  }
}

/** Voxels looked at between waits for more to arrive. */
const ctSamplePiece = 1 << 20

/**
 * CT has air near -1000 HU; MR intensities are never that negative. Every 97th voxel is looked
 * at: one at or below -500 decides CT, as soon as it has arrived (the first slices, for a CT).
 */
async function looksLikeCt(image: Image, arrival?: VoxelArrival): Promise<boolean> {
  const data = pixelsOf(image)
  for (let i = 0; i < data.length;) {
    const end = Math.min(data.length, i + ctSamplePiece)
    if (arrival) await arrival.voxels(end)
    for (; i < end; i += 97) if (data[i] <= -500) return true
  }
  return false
}

/** dcmjs cannot parse a corrupt header: the file is ignored like any other broken file. File-system faults stay faults. */
function unparsable(error: unknown): Error {
  if ((error as NodeJS.ErrnoException)?.code) throw error
  return error instanceof Error ? error : new Error(String(error))
}

/** Errors about a downloaded scratch file name its object key. */
function rename(key: string) {
  return renameBadInput(() => key)
}
