// `voxelflow metrics <reference> <prediction>`: every metric of src/metrics per label, as a
// table or as JSON (--json; non-finite values are the strings "Infinity" / "NaN", see
// src/metrics/metrics-schema.ts). Bad input (unreadable file, different grids without
// --resample-prediction, bad option values) throws BadInputError: exit code 2 in main().
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { readNifti } from '../io/nifti.js'
import { compareLabelImages, type LabelMetrics, type MetricsReport } from '../metrics/compare-labels.js'
import { metricsReportToJson, NON_FINITE_ENCODING } from '../metrics/metrics-schema.js'
import { BadInputError } from '../pipeline/errors.js'

export interface MetricsFlags {
  /** "1,2" */
  labels?: string
  /** One or more mm values ("1", "2" or "1,2"). */
  tolerance?: string | string[]
  /** "95" */
  percentile?: string | number
  /** "1=femur,2=pelvis" */
  labelNames?: string
  json?: boolean
  resamplePrediction?: boolean
}

/** Read, compare, print (to `write`); returns the report. Throws BadInputError on bad input. */
export async function runMetricsCommand(
  reference: string,
  prediction: string,
  flags: MetricsFlags = {},
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<MetricsReport> {
  const labels = flags.labels === undefined ? undefined : parseLabels(flags.labels)
  const tolerancesMm = flags.tolerance === undefined ? [1] : parseTolerances(flags.tolerance)
  const percentile = flags.percentile === undefined ? 95 : parsePercentile(flags.percentile)
  const names = flags.labelNames === undefined ? undefined : parseNames(flags.labelNames)
  const [refImage, predImage] = [await readInput(reference), await readInput(prediction)]
  const report = compareLabelImages(refImage, predImage, {
    labels, names, tolerancesMm, percentile, resamplePrediction: flags.resamplePrediction === true,
    files: { reference, prediction },
  })
  write(flags.json ? JSON.stringify(metricsReportToJson(report), null, 2) + '\n' : formatMetricsTable(report))
  return report
}

export function registerMetricsCommand(program: Command): Command {
  program
    .command('metrics')
    .description('compare a predicted segmentation with a reference, per label: Dice, Jaccard, sensitivity, precision, volumes, ' +
      'surface distances as google-deepmind/surface-distance (ASD, Hausdorff 100 / percentile, surface overlap and surface Dice), RAVD and MSSD as CHAOS')
    .argument('<reference>', 'reference label image (.nii / .nii.gz)')
    .argument('<prediction>', 'predicted label image on the same grid')
    .option('--labels <list>', 'labels to compare, e.g. 1,2 (default: every non-zero label of either image)')
    .option('--tolerance <mm...>', 'tolerance(s) in mm for surface overlap and surface Dice (default 1)')
    .option('--percentile <p>', 'percentile of the robust Hausdorff distance (default 95)')
    .option('--label-names <list>', 'label names, e.g. 1=femur,2=pelvis')
    .option('--json', `print the report as JSON (${NON_FINITE_ENCODING})`)
    .option('--resample-prediction', 'resample the prediction onto the reference grid (nearest neighbour) when the grids differ, instead of failing')
    .action(async (reference: string, prediction: string, flags: MetricsFlags) => {
      await runMetricsCommand(reference, prediction, flags)
    })
  return program
}

async function readInput(file: string) {
  try {
    await fs.access(file)
  } catch {
    throw new BadInputError('no such file', { file })
  }
  if (!/\.nii(\.gz)?$/i.test(file)) throw new BadInputError('expected a NIfTI label image (.nii or .nii.gz)', { file })
  return readNifti(path.resolve(file))
}

function parseLabels(text: string): number[] {
  const labels = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number)
  if (!labels.length || labels.some((l) => !Number.isFinite(l) || l === 0)) {
    throw new BadInputError(`--labels must list non-zero label values, e.g. 1,2 (got "${text}")`, { field: 'labels' })
  }
  return [...new Set(labels)]
}

function parseTolerances(value: string | string[]): number[] {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean)
  const mm = parts.map(Number)
  if (!mm.length || mm.some((t) => !Number.isFinite(t) || t < 0)) {
    throw new BadInputError(`--tolerance must be non-negative numbers of mm (got "${parts.join(' ')}")`, { field: 'tolerance' })
  }
  return mm
}

function parsePercentile(value: string | number): number {
  const p = Number(value)
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new BadInputError(`--percentile must be a number within 0..100 (got "${value}")`, { field: 'percentile' })
  return p
}

function parseNames(text: string): Record<number, string> {
  const names: Record<number, string> = {}
  for (const part of text.split(',')) {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*=\s*(.+?)\s*$/.exec(part)
    if (!m) throw new BadInputError(`--label-names must look like 1=femur,2=pelvis (got "${part}")`, { field: 'label-names' })
    names[Number(m[1])] = m[2]
  }
  return names
}

/** Human-readable table: one row per label, then the notes about empty masks. */
export function formatMetricsTable(report: MetricsReport): string {
  const f = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x))
  const tol = report.tolerances_mm
  const header = [
    'label', 'name', 'Dice', 'Jaccard', 'sens', 'prec',
    'ASD r->p', 'ASD p->r', 'HD100', `HD${report.percentile}`,
    ...tol.map((t) => `SD@${t}mm`), 'RAVD %', 'MSSD', 'ref mL', 'dV mL',
  ]
  const row = (l: LabelMetrics): string[] => [
    String(l.label), l.name, f(l.volumetric_dice), f(l.jaccard), f(l.sensitivity), f(l.precision),
    f(l.surface.average_surface_distance_mm.reference_to_prediction, 3), f(l.surface.average_surface_distance_mm.prediction_to_reference, 3),
    f(l.surface.hausdorff_100_mm, 3), f(l.surface.hausdorff_percentile_mm, 3),
    ...l.surface.surface_dice.map((d) => f(d.value)), f(l.ravd_percent, 2), f(l.chaos.mssd_mm, 3),
    f(l.volume_ml.reference, 3), f(l.volume_difference_ml, 3),
  ]
  const rows = [header, ...report.labels.map(row)]
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  const lines = rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
  const ref = report.reference
  const out = [
    `reference ${ref.file ?? ''} (${ref.size_voxels.join(' x ')} voxels, ${ref.spacing_mm.join(' x ')} mm); prediction ${report.prediction.file ?? ''}` +
      (report.prediction.resampled ? ' (resampled onto the reference grid, nearest neighbour)' : ''),
    'distances in mm (surface measures as google-deepmind/surface-distance; RAVD and MSSD as CHAOS); SD = surface Dice at tolerance',
    '',
    ...lines,
  ]
  if (!report.labels.length) out.push('(no labels: both images are empty)')
  for (const l of report.labels) for (const note of l.notes) out.push(`label ${l.label}: ${note}`)
  return out.join('\n') + '\n'
}
