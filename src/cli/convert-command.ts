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
import { gridOf } from '../image/image.js'
import { stackTimeSeries } from '../image/time-series.js'
import { type DicomHeader, isDicomFile, readDicomHeader } from '../io/dicom-header.js'
import { inventoryDicom } from '../io/dicom-series.js'
import { selectSeries, type SeriesSummary } from '../io/series-selection.js'
import { readDicomVolume, type SliceCorrection } from '../io/dicom-volume.js'
import { writeNiftiPlain } from '../io/write-nifti-plain.js'
import { niftiVoxelSink } from '../io/nifti-voxel-sink.js'
import { summarizeSliceGeometry } from '../io/slice-geometry.js'
import { BadInputError, errorMessage, renameBadInput } from '../pipeline/errors.js'
import { isArchivePath } from '../io/archive.js'
import { withUnpackedArchive } from '../io/with-unpacked-archive.js'
import { dropDuplicateInstances } from '../io/dicom-series-checks.js'
import type { Limits } from '../pipeline/config.js'

export interface ConvertFlags {
  series?: string
  json?: boolean
  /** Resample tilted or non-uniformly spaced stacks onto an orthogonal uniform grid (default true; --no-reslice). */
  reslice?: boolean
  /** Enhanced multi-frame: the frame kind to convert (a FrameType word such as FIELD_MAP). */
  frameType?: string
  /** Pipeline settings file (--config); only its `limits` apply to convert (archive unpacking). */
  config?: string
  /** Limits for unpacking an archive input (default: --config's, else the defaults). */
  limits?: Limits
}

export interface ConvertSidecar {
  source: string
  output: string
  series: SeriesSummary & { seriesNumber?: number; manufacturer?: string; model?: string; patientPosition?: string }
  seriesFound: SeriesSummary[]
  ignored: { segmentations: number; structuredReports: number; nonDicomFiles: number }
  geometry: { size: number[]; spacing: number[]; origin: number[]; direction: number[]; orientation: string; frame: 'LPS'; layout: string; timeStepSeconds?: number }
  sliceGeometry: Record<string, unknown> | null
  tiltCorrection: SliceCorrection
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

export { selectSeries, type SeriesSummary }

export function sidecarPathFor(output: string): string {
  return output.replace(/\.nii(\.gz)?$/i, '') + '.json'
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits

export async function runConvertCommand(input: string, output: string, flags: ConvertFlags = {}, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<ConvertResult> {
  const started = performance.now()
  if (!/\.nii(\.gz)?$/i.test(output)) throw new BadInputError('output must end in .nii or .nii.gz', { file: output })
  if (isArchivePath(input)) {
    // Settings (zod) load only for archives: they are all convert takes from them.
    const limits = flags.limits ?? (flags.config ? (await (await import('./load-config.js')).loadConfigFile(flags.config)).limits : (await import('../pipeline/config.js')).defaultLimits)
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

  // Geometry from the headers, the tilt/spacing decision and the reslice: one library function.
  // A plain .nii output may receive the voxels as they are read (nifti-voxel-sink.ts).
  const sink = niftiVoxelSink(output)
  const volume = await readDicomVolume(chosen, {
    layout: 'dcm2niix',
    gantryTilt: flags.reslice === false ? 'keep' : 'correct',
    nonUniformSpacing: flags.reslice === false ? 'keep' : 'resample',
    frameKind: flags.frameType,
    voxelSink: sink,
  }).catch((error: unknown) => {
    sink?.discard()
    return renamed(nameOf)(error)
  })
  const { image, geometry, acquisition, layout } = volume
  const warnings = [...headerWarnings, ...volume.warnings].map((w) => w.message)
  const tiltCorrection = volume.correction
  const grid = gridOf(image)
  // A 4-D series (enhanced or mosaic time points) is written 4-D, as dcm2niix does, with the
  // repetition time in seconds as the time step (pixdim[4]).
  const timePoints = [image, ...(volume.laterVolumes ?? [])]
  const timeStep = acquisition.repetitionTime && acquisition.repetitionTime > 0 ? acquisition.repetitionTime / 1000 : 1
  if (volume.voxelsStreamed) sink!.finish()
  else await writeNiftiPlain(timePoints.length > 1 ? stackTimeSeries(timePoints, timeStep) : image, output)

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
      size: timePoints.length > 1 ? [...grid.size, timePoints.length] : grid.size,
      spacing: grid.spacing.map((v) => round(v)),
      origin: grid.origin.map((v) => round(v)),
      direction: grid.direction.map((v) => round(v)),
      orientation: orientationCode(grid.direction),
      frame: 'LPS',
      layout,
      ...(timePoints.length > 1 && { timeStepSeconds: timeStep }),
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
  return renameBadInput((file) => (file ? nameOf(file) : undefined))
}

export function registerConvertCommand(program: Command): Command {
  return program
    .command('convert')
    .description('convert one DICOM image series to NIfTI with a JSON sidecar (series chosen, geometry, tilt, spacing warnings, rescale)')
    .argument('<input>', 'DICOM folder (searched recursively, files with or without extension), one DICOM file, or a .zip/.tar/.tar.gz of them')
    .argument('<output>', 'output .nii or .nii.gz (the sidecar goes next to it as .json)')
    .option('--series <uid>', 'SeriesInstanceUID to convert instead of the primary series')
    .option('--json', 'print the sidecar JSON on stdout')
    .option('--frame-type <word>', 'enhanced multi-frame files mixing frame kinds: convert the frames whose FrameType holds this word (e.g. FIELD_MAP)')
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
