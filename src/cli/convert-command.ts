// `voxelflow convert <dicom-dir|file> <out.nii.gz> [--series UID] [--json]`: one DICOM image
// series -> NIfTI, plus a JSON sidecar next to it (out.json) saying which series was chosen among
// all found and why, the output geometry, the slice-geometry checks (tilt, spacing, duplicates,
// missing slices) and the rescale. No patient identifiers go into the sidecar.
// Tilted or non-uniformly spaced stacks are resampled onto an orthogonal uniform grid by default
// (src/io/reslice-stack.ts); --no-reslice keeps them as acquired, with a warning.
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { orientationCode } from '../image/geometry.js'
import { gridOf, type Image } from '../image/image.js'
import { readDicomAcquisition } from '../io/dicom-acquisition.js'
import { type DicomHeader, isDicomFile, readDicomHeader } from '../io/dicom-header.js'
import { choosePrimarySeries, type DicomInventory, inventoryDicom, readDicomSeries, type SeriesGroup, seriesRejection } from '../io/dicom-series.js'
import { writeNifti } from '../io/nifti.js'
import { toDcm2niixGrid } from '../io/dicom-grid.js'
import { needsReslice, resliceStack } from '../io/reslice-stack.js'
import { sliceGeometry, type SliceGeometry, summarizeSliceGeometry } from '../io/slice-geometry.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { isArchivePath } from '../io/archive.js'
import { withUnpackedArchive } from '../io/with-unpacked-archive.js'
import { dropDuplicateInstances } from '../io/dicom-series-checks.js'
import { type Limits, defaultLimits } from '../pipeline/config.js'
import { loadConfigFile } from './load-config.js'

export interface ConvertFlags {
  series?: string
  json?: boolean
  /** Resample tilted or non-uniformly spaced stacks onto an orthogonal uniform grid (default true; --no-reslice). */
  reslice?: boolean
  /** Pipeline settings file (--config); only its `limits` apply to convert (archive unpacking). */
  config?: string
  /** Limits for unpacking an archive input (default: --config's, else the defaults). */
  limits?: Limits
}

export interface SeriesSummary {
  seriesInstanceUid: string
  modality: string
  description: string
  files: number
  rows: number
  columns: number
  imageOrientationPatient?: number[]
  status: 'chosen' | 'rejected' | 'not chosen'
  reason: string
}

export interface ConvertSidecar {
  source: string
  output: string
  series: SeriesSummary & { seriesNumber?: number; manufacturer?: string; model?: string; patientPosition?: string }
  seriesFound: SeriesSummary[]
  ignored: { segmentations: number; structuredReports: number; nonDicomFiles: number }
  geometry: { size: number[]; spacing: number[]; origin: number[]; direction: number[]; orientation: string; frame: 'LPS'; layout: string }
  sliceGeometry: Record<string, unknown> | null
  tiltCorrection: {
    applied: boolean
    reason: string
    method?: string
    stepMm?: number
    slices?: number
    padValue?: number
    maxShiftMm?: number
  }
  sliceThickness?: number
  spacingBetweenSlicesHeader?: number
  rescale: { slope: number; intercept: number; type?: string; outputComponentType: string }
  warnings: string[]
}

export interface ConvertResult {
  output: string
  sidecarPath: string
  sidecar: ConvertSidecar
  ms: number
}

/** Every DICOM Part 10 file under `input` (a folder, searched recursively, or one file). */
export async function discoverDicomFiles(input: string): Promise<{ files: string[]; skipped: number }> {
  let stat
  try {
    stat = await fs.stat(input)
  } catch {
    throw new BadInputError('no such file or folder', { file: input })
  }
  const candidates: string[] = []
  if (stat.isDirectory()) {
    const entries = await fs.readdir(input, { recursive: true, withFileTypes: true })
    for (const e of entries) if (e.isFile()) candidates.push(path.join(e.parentPath ?? (e as { path?: string }).path ?? input, e.name))
  } else candidates.push(input)
  candidates.sort()
  const files: string[] = []
  let skipped = 0
  for (const file of candidates) {
    let dicom = false
    try {
      dicom = await isDicomFile(file)
    } catch {
      dicom = false
    }
    if (dicom) files.push(file)
    else skipped++
  }
  if (!files.length) {
    throw new BadInputError(stat.isDirectory() ? 'no DICOM files (Part 10, "DICM" preamble) found in this folder' : 'not a DICOM Part 10 file', { file: input })
  }
  return { files, skipped }
}

function describeGroup(group: SeriesGroup, status: SeriesSummary['status'], reason: string): SeriesSummary {
  const first = group.headers[0]
  return {
    seriesInstanceUid: group.seriesInstanceUid,
    modality: group.modality,
    description: group.description,
    files: group.headers.length,
    rows: first.rows,
    columns: first.columns,
    imageOrientationPatient: first.imageOrientationPatient,
    status,
    reason,
  }
}

/** The group to convert (primary by the documented rule, or the --series UID) and why for each group. */
export function selectSeries(inventory: DicomInventory, source: string, seriesUid?: string): { chosen: SeriesGroup; found: SeriesSummary[] } {
  let chosen: SeriesGroup
  if (seriesUid) {
    const matching = inventory.series.filter((g) => g.seriesInstanceUid === seriesUid)
    if (!matching.length) {
      const uids = [...new Set(inventory.series.map((g) => g.seriesInstanceUid))].join(', ')
      throw new BadInputError(`series ${seriesUid} not found; series found: ${uids || 'none'}`, { file: source, field: 'series' })
    }
    const usable = matching.filter((g) => !seriesRejection(g))
    if (!usable.length) throw new BadInputError(`series ${seriesUid} cannot be converted: ${seriesRejection(matching[0])}`, { file: source, field: 'series' })
    chosen = usable.sort((a, b) => b.headers.length - a.headers.length)[0]
  } else chosen = choosePrimarySeries(inventory, source)
  const found = inventory.series.map((g) => {
    if (g === chosen) {
      const why = seriesUid ? `requested with --series` : `primary series: ${g.modality === 'CT' || g.modality === 'MR' ? `${g.modality} image series` : 'image series'} with the most slices (${g.headers.length})`
      return describeGroup(g, 'chosen', why)
    }
    const rejection = seriesRejection(g)
    if (rejection) return describeGroup(g, 'rejected', rejection)
    if (seriesUid) return describeGroup(g, 'not chosen', `--series ${seriesUid} requested`)
    if (g.seriesInstanceUid === chosen.seriesInstanceUid) return describeGroup(g, 'not chosen', `another orientation/size group of the chosen series with fewer slices (${g.headers.length})`)
    const rank = (x: SeriesGroup) => (x.modality === 'CT' || x.modality === 'MR' ? 1 : 0)
    return describeGroup(g, 'not chosen', rank(g) < rank(chosen) ? `modality ${g.modality || 'unknown'} ranks below CT/MR` : `fewer slices (${g.headers.length}) than the chosen series (${chosen.headers.length})`)
  })
  return { chosen, found }
}

export function sidecarPathFor(output: string): string {
  return output.replace(/\.nii(\.gz)?$/i, '') + '.json'
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits

export async function runConvertCommand(input: string, output: string, flags: ConvertFlags = {}, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<ConvertResult> {
  const started = performance.now()
  if (!/\.nii(\.gz)?$/i.test(output)) throw new BadInputError('output must end in .nii or .nii.gz', { file: output })
  if (isArchivePath(input)) {
    const limits = flags.limits ?? (flags.config ? (await loadConfigFile(flags.config)).limits : defaultLimits)
    return withUnpackedArchive(input, limits, (folder) => convertFolder(folder, output, flags, write, started, input))
  }
  return convertFolder(input, output, flags, write, started)
}

/**
 * Convert the series found under `input`. For an unpacked archive, messages and the sidecar name
 * the archive and its entries (case.zip!/ct/1.dcm), never the temporary folder.
 */
async function convertFolder(input: string, output: string, flags: ConvertFlags, write: (text: string) => void, started: number, archive?: string): Promise<ConvertResult> {
  const nameOf = (file: string): string => {
    if (!archive) return file
    const entry = path.relative(input, file).split(path.sep).join('/')
    return entry ? `${archive}!/${entry}` : archive
  }
  const { files, skipped } = await discoverDicomFiles(input).catch(renamed(nameOf))

  const headers: DicomHeader[] = []
  for (const file of files) {
    try {
      headers.push(await readDicomHeader(file))
    } catch (error) {
      throw new BadInputError(`cannot read DICOM header: ${errorMessage(error)}`, { file: nameOf(file) })
    }
  }
  const headerWarnings: { code: string; message: string }[] = []
  const inventory = dropDuplicateInstances(inventoryDicom(headers), headerWarnings, (f) => (archive ? nameOf(f) : path.relative(input, f) || path.basename(f)))
  const { chosen, found } = selectSeries(inventory, nameOf(input), flags.series)

  // Slice geometry from the headers, before decoding any pixel.
  let geometry: SliceGeometry | null = null
  const warnings: string[] = headerWarnings.map((w) => w.message)
  if (chosen.headers.length > 1) {
    try {
      geometry = sliceGeometry(chosen.headers)
    } catch (error) {
      throw new BadInputError(`slice geometry: ${errorMessage(error)}`, { file: nameOf(path.dirname(chosen.headers[0].file)) })
    }
    warnings.push(...geometry.warnings.map((w) => w.message))
  }
  const firstFile = geometry?.files[0] ?? chosen.headers[0].file
  const acquisition = await readDicomAcquisition(firstFile).catch(renamed(nameOf))
  if (geometry && acquisition.gantryDetectorTilt !== undefined && Math.abs(Math.abs(acquisition.gantryDetectorTilt) - geometry.tilt.degrees) > 0.1) {
    warnings.push(`GantryDetectorTilt says ${acquisition.gantryDetectorTilt}° but the slice positions give ${round(geometry.tilt.degrees, 2)}°`)
  }

  const decoded: Image = await readDicomSeries(chosen).catch(renamed(nameOf))
  let image = decoded
  let tiltCorrection: ConvertSidecar['tiltCorrection'] = { applied: false, reason: geometry ? 'no tilt, uniform spacing: nothing to correct' : 'no header slice geometry (single file)' }
  let layout = 'as decoded by GDCM (single-slice or multi-frame file: no header slice geometry)'
  if (geometry) {
    try {
      const laid = toDcm2niixGrid(decoded, geometry)
      image = laid.image
      layout = `dcm2niix layout from the headers: i = column, j = Rows-1-row, k ascending along the slice normal${laid.reversedSlices ? ' (decoder order reversed)' : ''}`
    } catch (error) {
      throw new BadInputError(`slice geometry does not match the decoded volume: ${errorMessage(error)}`, { file: nameOf(path.dirname(chosen.headers[0].file)) })
    }
    if (needsReslice(geometry)) {
      const problem = [geometry.tilt.detected ? `gantry tilt ${round(geometry.tilt.degrees, 2)}°` : '', geometry.spacing.uniform ? '' : 'non-uniform slice spacing'].filter(Boolean).join(' and ')
      if (flags.reslice === false) {
        tiltCorrection = { applied: false, reason: `${problem} left uncorrected (--no-reslice)` }
        warnings.push(`the stack is written uncorrected (--no-reslice): its affine uses the median step ${round(geometry.spacing.medianMm, 4)} mm along the slice normal, so voxel positions differ from the DICOM positions (${problem})`)
      } else {
        const pad = acquisition.pixelPaddingValue !== undefined
          ? acquisition.pixelPaddingValue * acquisition.rescaleSlope + acquisition.rescaleIntercept
          : chosen.modality === 'CT' ? -1024 : 0
        const resliced = resliceStack(image, geometry, { padValue: pad })
        image = resliced.image
        tiltCorrection = {
          applied: true,
          reason: `${problem}: resampled onto an orthogonal grid with uniform steps along the slice normal`,
          method: 'bilinear in each slice, linear between the two slices around each output position',
          stepMm: round(resliced.stepMm, 6),
          slices: resliced.slices,
          padValue: resliced.padValue,
          maxShiftMm: round(resliced.maxShiftMm, 4),
        }
        layout += `; resliced to ${resliced.slices} slices of ${round(resliced.stepMm, 4)} mm`
      }
    }
  }
  const grid = gridOf(image)
  await writeNifti(image, output)

  const chosenSummary = found.find((s) => s.status === 'chosen') as SeriesSummary
  const sidecar: ConvertSidecar = {
    source: path.resolve(archive ?? input),
    output: path.resolve(output),
    series: {
      ...chosenSummary,
      seriesNumber: acquisition.seriesNumber,
      manufacturer: acquisition.manufacturer,
      model: acquisition.manufacturerModelName,
      patientPosition: acquisition.patientPosition,
    },
    seriesFound: found,
    ignored: { segmentations: inventory.segmentations.length, structuredReports: inventory.reports.length, nonDicomFiles: skipped },
    geometry: {
      size: grid.size,
      spacing: grid.spacing.map((v) => round(v)),
      origin: grid.origin.map((v) => round(v)),
      direction: grid.direction.map((v) => round(v)),
      orientation: orientationCode(grid.direction),
      frame: 'LPS',
      layout,
    },
    sliceGeometry: geometry ? { ...summarizeSliceGeometry(geometry), gantryDetectorTiltHeader: acquisition.gantryDetectorTilt ?? null } : null,
    tiltCorrection,
    sliceThickness: acquisition.sliceThickness,
    spacingBetweenSlicesHeader: acquisition.spacingBetweenSlices,
    rescale: {
      slope: acquisition.rescaleSlope,
      intercept: acquisition.rescaleIntercept,
      type: acquisition.rescaleType,
      outputComponentType: String(image.imageType.componentType),
    },
    warnings,
  }
  const sidecarPath = sidecarPathFor(output)
  const text = JSON.stringify(sidecar, null, 2) + '\n'
  await fs.writeFile(sidecarPath, text)
  if (flags.json) write(text)
  return { output, sidecarPath, sidecar, ms: performance.now() - started }
}

/** A BadInputError about a file of the unpacked archive, re-addressed to the name users know. */
function renamed(nameOf: (file: string) => string) {
  return (error: unknown): never => {
    if (error instanceof BadInputError && error.file) throw new BadInputError(error.message.slice(error.file.length + 2), { file: nameOf(error.file), field: error.field }, { cause: error })
    throw error
  }
}

export function registerConvertCommand(program: Command): Command {
  return program
    .command('convert')
    .description('convert one DICOM image series to NIfTI with a JSON sidecar (series chosen, geometry, tilt, spacing warnings, rescale)')
    .argument('<input>', 'DICOM folder (searched recursively, files with or without extension), one DICOM file, or a .zip/.tar/.tar.gz of them')
    .argument('<output>', 'output .nii or .nii.gz (the sidecar goes next to it as .json)')
    .option('--series <uid>', 'SeriesInstanceUID to convert instead of the primary series')
    .option('--json', 'print the sidecar JSON on stdout')
    .option('-c, --config <file.json>', 'pipeline settings (JSON); convert uses their limits when unpacking an archive')
    .option('--no-reslice', 'keep tilted or non-uniformly spaced stacks as acquired (default: resample onto an orthogonal uniform grid)')
    .action(async (input: string, output: string, flags: ConvertFlags) => {
      const r = await runConvertCommand(input, output, flags)
      if (!flags.json) {
        const w = r.sidecar.warnings.length ? ` (${r.sidecar.warnings.length} warnings: ${r.sidecar.warnings.join('; ')})` : ''
        console.log(`voxelflow convert: ${input} -> ${r.output} + ${r.sidecarPath} (${(r.ms / 1000).toFixed(2)} s)${w}`)
      }
    })
}
