// `voxelflow stats <image> <labels> [--json]`: every per-label statistic of src/measure
// (count, volume, bounding boxes, centroid, sphere-equivalent diameter, intensity mean / sample
// and population std / min / max / median / p05 / p95, principal moments and axis lengths,
// elongation, flatness, surface area, border contact) as a table or as JSON. Label 0 is left out.
// Bad input (missing or unreadable file, label map on another grid than the image) throws
// BadInputError: exit code 2 in main().
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Image } from '../image/image.js'
import { readNifti } from '../io/nifti.js'
import { allLabelStatistics, type FullLabelStatistics } from '../measure/all-label-statistics.js'
import { BadInputError } from '../pipeline/errors.js'

export interface StatsFlags {
  json?: boolean
}

export interface StatsResult {
  image: string
  labels: string
  size_voxels: number[]
  spacing_mm: number[]
  statistics: FullLabelStatistics[]
}

/** Read, measure, print (to `write`); returns what was printed as JSON. */
export async function runStatsCommand(
  image: string,
  labels: string,
  flags: StatsFlags = {},
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<StatsResult> {
  const img = await readInput(image)
  const lab = await readInput(labels)
  checkSameGrid(img, lab, image, labels)
  if ((img.imageType as { components?: number }).components !== undefined && (img.imageType as { components: number }).components !== 1) {
    throw new BadInputError('the intensity image must have one component per voxel', { file: image })
  }
  let statistics: FullLabelStatistics[]
  try {
    statistics = allLabelStatistics(lab, img)
  } catch (error) {
    if (error instanceof Error && /non-integer value/.test(error.message)) throw new BadInputError(error.message, { file: labels })
    throw error
  }
  const result: StatsResult = { image, labels, size_voxels: [...lab.size], spacing_mm: [...lab.spacing], statistics }
  write(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatStatsTable(result))
  return result
}

export function registerStatsCommand(program: Command): Command {
  program
    .command('stats')
    .description('per-label statistics of a label map over an intensity image: volume, bounding box, centroid, ' +
      'intensity mean / std / min / max / median / p05 / p95, principal axes, elongation, flatness, surface area, border contact')
    .argument('<image>', 'intensity image (.nii / .nii.gz)')
    .argument('<labels>', 'label map on the same grid (.nii / .nii.gz)')
    .option('--json', 'print JSON instead of a table')
    .action(async (image: string, labels: string, flags: StatsFlags) => {
      await runStatsCommand(image, labels, flags)
    })
  return program
}

async function readInput(file: string): Promise<Image> {
  try {
    await fs.access(file)
  } catch {
    throw new BadInputError('no such file', { file })
  }
  if (!/\.nii(\.gz)?$/i.test(file)) throw new BadInputError('expected a NIfTI image (.nii or .nii.gz)', { file })
  const image = await readNifti(path.resolve(file))
  if (image.size.length !== 3) throw new BadInputError(`expected a 3-D image, got size ${image.size.join('x')}`, { file })
  return image
}

/** Same size, spacing, origin and direction (to 1e-4 of a voxel / 1e-6 in direction cosines). */
function checkSameGrid(img: Image, lab: Image, imageFile: string, labelsFile: string): void {
  const problems: string[] = []
  if (img.size.some((n, d) => n !== lab.size[d])) problems.push(`size ${img.size.join('x')} vs ${lab.size.join('x')}`)
  if (img.spacing.some((s, d) => Math.abs(s - lab.spacing[d]) > 1e-4 * Math.max(1, Math.abs(s)))) {
    problems.push(`spacing ${img.spacing.join(', ')} vs ${lab.spacing.join(', ')} mm`)
  }
  if (img.origin.some((o, d) => Math.abs(o - lab.origin[d]) > 1e-3 * Math.max(1, Math.abs(lab.spacing[d])))) {
    problems.push(`origin ${img.origin.join(', ')} vs ${lab.origin.join(', ')} mm`)
  }
  const di = img.direction as ArrayLike<number>, dl = lab.direction as ArrayLike<number>
  for (let q = 0; q < 9; q++) {
    if (Math.abs(di[q] - dl[q]) > 1e-6) { problems.push(`direction ${Array.from(di).join(', ')} vs ${Array.from(dl).join(', ')}`); break }
  }
  if (problems.length) {
    throw new BadInputError(
      `the label map ${labelsFile} is not on the grid of the image ${imageFile} (${problems.join('; ')}); resample it onto the image grid first`,
      { file: labelsFile },
    )
  }
}

/** Human-readable table, one row per label. */
export function formatStatsTable(result: StatsResult): string {
  const f = (x: number | null | undefined, digits = 2): string => (x === undefined || x === null ? '-' : Number.isFinite(x) ? x.toFixed(digits) : String(x))
  const header = ['label', 'voxels', 'volume_ml', 'centroid_lps_mm', 'mean', 'std_sample', 'min', 'p05', 'median', 'p95', 'max',
    'axis_lengths_mm', 'elong', 'flat', 'surface_mm2', 'border']
  const rows = result.statistics.map((s) => [
    String(s.label), String(s.voxel_count), f(s.volume_ml, 3), s.centroid_lps.map((x) => f(x, 1)).join(','),
    f(s.mean), f(s.std_sample), f(s.min, 0), f(s.intensity_p05, 1), f(s.intensity_median, 1), f(s.intensity_p95, 1), f(s.max, 0),
    s.principal_axis_lengths_mm.map((x) => f(x, 1)).join(','), f(s.elongation, 3), f(s.flatness, 3), f(s.surface_area_mm2, 1),
    s.touches_border ? 'yes' : 'no',
  ])
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)))
  const line = (cells: string[]): string => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd()
  const lines = [
    `${result.labels} over ${result.image} (${result.size_voxels.join('x')} voxels, spacing ${result.spacing_mm.map((x) => +x.toFixed(4)).join(' x ')} mm)`,
    line(header),
    ...rows.map(line),
  ]
  if (!rows.length) lines.push('(no labels other than 0)')
  return lines.join('\n') + '\n'
}
