// Slice geometry of one DICOM series group, from headers only (before any pixel decoding):
// slice normal from Image Orientation Patient (row x column), slice positions projected on it,
// order by that projection (never file name or InstanceNumber), the steps between consecutive
// slices, and the checks a radiologist needs: duplicate positions, missing slices, non-uniform
// spacing and gantry tilt. Every warning carries its numbers.
import type { DicomHeader } from './dicom-header.js'

export type Vec3 = [number, number, number]

export type SliceGeometryWarningCode =
  | 'duplicate-positions'
  | 'missing-slices'
  | 'non-uniform-spacing'
  | 'gantry-tilt'
  | 'missing-position'
  | 'mixed-orientation'

export interface SliceGeometryWarning {
  code: SliceGeometryWarningCode
  message: string
  /** The numbers behind the message (mm, degrees, counts). */
  values: Record<string, number | number[] | string[]>
}

export interface SliceGeometryOptions {
  /** Two positions closer than this along the normal are duplicates (mm). Default 0.01. */
  duplicateToleranceMm?: number
  /** A step differing from the first one by more than this is non-uniform (mm). Default 0.2, as dcm2niix. */
  uniformToleranceMm?: number
  /** Tilt angles below this are not reported (degrees). Default 0.01. */
  tiltToleranceDegrees?: number
}

export interface SliceGeometry {
  /** Number of slices (files) with a position. */
  sliceCount: number
  /** Row direction, column direction and slice normal (row x column), LPS. */
  rowDirection: Vec3
  columnDirection: Vec3
  normal: Vec3
  /** Files ordered by position along the normal (ascending). */
  files: string[]
  /** Projection of each ordered slice's IPP on the normal (mm, ascending). */
  positionsMm: number[]
  /** IPP of each ordered slice (LPS mm). */
  ipps: Vec3[]
  /** IPP of the first and last ordered slice (LPS mm). */
  firstPosition: Vec3
  lastPosition: Vec3
  /** Distance along the normal between consecutive ordered slices (mm). */
  stepsMm: number[]
  /** Euclidean IPP distance from the first slice, per slice (dcm2niix's "dx=[0 ...]"). */
  distanceFromFirstMm: number[]
  spacing: {
    /** Median step along the normal: the slice spacing to use (never SliceThickness). */
    medianMm: number
    minMm: number
    maxMm: number
    uniform: boolean
    toleranceMm: number
  }
  duplicates: Array<{ positionMm: number; files: string[] }>
  /** Gaps of about k >= 2 median steps: k - 1 slices missing there. */
  missing: Array<{ afterIndex: number; gapMm: number; missingSlices: number }>
  tilt: {
    detected: boolean
    /** Angle between the slice normal and the direction of the IPP progression (degrees). */
    degrees: number
    /** Unit direction from first to last IPP (LPS). */
    progression: Vec3
    /** Along-normal / Euclidean step ratio, cos(tilt). */
    cosine: number
  }
  warnings: SliceGeometryWarning[]
}

/** Slice geometry of one series group (headers of single-frame slices sharing one orientation). */
export function sliceGeometry(headers: DicomHeader[], options: SliceGeometryOptions = {}): SliceGeometry {
  const duplicateTolerance = options.duplicateToleranceMm ?? 0.01
  const uniformTolerance = options.uniformToleranceMm ?? 0.2
  const tiltTolerance = options.tiltToleranceDegrees ?? 0.01
  const warnings: SliceGeometryWarning[] = []

  const placed = headers.filter((h) => h.imagePositionPatient?.length === 3 && h.imageOrientationPatient?.length === 6)
  const unplaced = headers.filter((h) => !placed.includes(h))
  if (unplaced.length) {
    warnings.push({
      code: 'missing-position',
      message: `${unplaced.length} of ${headers.length} files have no Image Position/Orientation Patient and were left out`,
      values: { count: unplaced.length, files: unplaced.map((h) => h.file) },
    })
  }
  if (!placed.length) throw new Error('no slice with Image Position and Orientation Patient')

  const iop = placed[0].imageOrientationPatient as number[]
  const rowDirection = unit([iop[0], iop[1], iop[2]])
  const columnDirection = unit([iop[3], iop[4], iop[5]])
  const normal = unit(cross(rowDirection, columnDirection))

  const mixed = placed.filter((h) => maxAbsDifference(h.imageOrientationPatient as number[], iop) > 1e-4)
  if (mixed.length) {
    warnings.push({
      code: 'mixed-orientation',
      message: `${mixed.length} slices have an orientation different from the first slice's`,
      values: { count: mixed.length, files: mixed.map((h) => h.file) },
    })
  }

  const slices = placed
    .map((h) => ({ file: h.file, ipp: h.imagePositionPatient as Vec3, along: dot(h.imagePositionPatient as number[], normal) }))
    .sort((a, b) => a.along - b.along || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  const positionsMm = slices.map((s) => s.along)
  const stepsMm = positionsMm.slice(1).map((p, i) => p - positionsMm[i])

  // Duplicates: runs of positions closer than the tolerance.
  const duplicates: SliceGeometry['duplicates'] = []
  for (let i = 0; i < slices.length; ) {
    let j = i + 1
    while (j < slices.length && slices[j].along - slices[j - 1].along < duplicateTolerance) j++
    if (j - i > 1) duplicates.push({ positionMm: round(slices[i].along, 4), files: slices.slice(i, j).map((s) => s.file) })
    i = j
  }
  if (duplicates.length) {
    const count = duplicates.reduce((n, d) => n + d.files.length - 1, 0)
    warnings.push({
      code: 'duplicate-positions',
      message: `${count} slices duplicate another slice's position (${duplicates.length} positions, e.g. ${duplicates[0].positionMm} mm along the normal: ${duplicates[0].files.length} files)`,
      values: { duplicateSlices: count, positionsMm: duplicates.map((d) => d.positionMm) },
    })
  }

  // Spacing statistics over the distinct steps (duplicates excluded).
  const distinctSteps = stepsMm.filter((s) => s >= duplicateTolerance)
  const medianMm = distinctSteps.length ? median(distinctSteps) : 0
  const minMm = distinctSteps.length ? Math.min(...distinctSteps) : 0
  const maxMm = distinctSteps.length ? Math.max(...distinctSteps) : 0

  // Missing slices: a gap of about k >= 2 median steps.
  const missing: SliceGeometry['missing'] = []
  if (medianMm > 0) {
    stepsMm.forEach((step, i) => {
      const k = Math.round(step / medianMm)
      if (k >= 2 && Math.abs(step - k * medianMm) <= Math.max(uniformTolerance, 0.1 * medianMm)) {
        missing.push({ afterIndex: i, gapMm: round(step, 4), missingSlices: k - 1 })
      }
    })
  }
  if (missing.length) {
    const count = missing.reduce((n, m) => n + m.missingSlices, 0)
    warnings.push({
      code: 'missing-slices',
      message: `about ${count} slices missing: ${missing.map((m) => `gap of ${m.gapMm} mm after slice ${m.afterIndex}`).join(', ')} (median step ${round(medianMm, 4)} mm)`,
      values: { missingSlices: count, gapsMm: missing.map((m) => m.gapMm), afterIndex: missing.map((m) => m.afterIndex), medianStepMm: round(medianMm, 4) },
    })
  }

  const uniform = distinctSteps.every((s) => Math.abs(s - distinctSteps[0]) <= uniformTolerance)
  if (!uniform) {
    const distinct = distinctValues(distinctSteps, uniformTolerance).map((v) => round(v, 4))
    warnings.push({
      code: 'non-uniform-spacing',
      message:
        `Interslice distance varies in this volume (incompatible with NIfTI format): steps along the normal ` +
        `from ${round(minMm, 4)} to ${round(maxMm, 4)} mm (median ${round(medianMm, 4)} mm; distinct steps ${distinct.join(', ')} mm)`,
      values: { minStepMm: round(minMm, 4), maxStepMm: round(maxMm, 4), medianStepMm: round(medianMm, 4), distinctStepsMm: distinct },
    })
  }

  // Gantry tilt: angle between the normal and the direction in which the IPPs progress.
  const first = slices[0].ipp
  const last = slices[slices.length - 1].ipp
  const travel = sub(last, first)
  const travelLength = norm(travel)
  const progression: Vec3 = travelLength > 0 ? scale(travel, 1 / travelLength) : [...normal]
  const cosine = Math.min(1, Math.abs(dot(progression, normal)))
  const degrees = (Math.acos(cosine) * 180) / Math.PI
  const tiltDetected = slices.length > 1 && degrees > tiltTolerance
  if (tiltDetected) {
    warnings.push({
      code: 'gantry-tilt',
      message: `gantry tilt: slice positions progress ${round(degrees, 2)}° away from the slice normal (a sheared, non-orthogonal stack)`,
      values: { degrees: round(degrees, 4) },
    })
  }

  return {
    sliceCount: slices.length,
    rowDirection,
    columnDirection,
    normal,
    files: slices.map((s) => s.file),
    positionsMm,
    ipps: slices.map((s) => [...s.ipp] as Vec3),
    firstPosition: [...first] as Vec3,
    lastPosition: [...last] as Vec3,
    stepsMm,
    distanceFromFirstMm: slices.map((s) => norm(sub(s.ipp, first))),
    spacing: { medianMm, minMm, maxMm, uniform, toleranceMm: uniformTolerance },
    duplicates,
    missing,
    tilt: { detected: tiltDetected, degrees, progression, cosine },
    warnings,
  }
}

/** Compact, JSON-friendly summary (rounded numbers, no per-file list) for sidecars and reports. */
export function summarizeSliceGeometry(g: SliceGeometry): Record<string, unknown> {
  return {
    sliceCount: g.sliceCount,
    normal: g.normal.map((v) => round(v, 6)),
    spacingMm: { median: round(g.spacing.medianMm, 4), min: round(g.spacing.minMm, 4), max: round(g.spacing.maxMm, 4), uniform: g.spacing.uniform },
    stepsMm: g.stepsMm.map((s) => round(s, 4)),
    distanceFromFirstMm: g.distanceFromFirstMm.map((s) => round(s, 4)),
    duplicates: g.duplicates.length,
    missingSlices: g.missing.reduce((n, m) => n + m.missingSlices, 0),
    tilt: { detected: g.tilt.detected, degrees: round(g.tilt.degrees, 4) },
    warnings: g.warnings.map((w) => ({ code: w.code, message: w.message, values: w.values })),
  }
}

function distinctValues(values: number[], tolerance: number): number[] {
  const out: number[] = []
  for (const v of values) if (!out.some((o) => Math.abs(o - v) <= tolerance)) out.push(v)
  return out
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
const sub = (a: ArrayLike<number>, b: ArrayLike<number>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s]
const norm = (a: Vec3) => Math.hypot(a[0], a[1], a[2])
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const unit = (a: Vec3): Vec3 => scale(a, 1 / (norm(a) || 1))
const maxAbsDifference = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))))
