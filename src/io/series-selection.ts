// Which image series group a case or a conversion uses, and why for every group found: the
// primary one by the documented rule (src/io/dicom-series.ts: CT/MR first, then most slices;
// localizers, secondary captures, dose reports and screen captures rejected), or the one the
// user named by SeriesInstanceUID. The summaries go into sidecars and reports.
import { BadInputError } from '../pipeline/errors.js'
import { choosePrimarySeries, type DicomInventory, frameCount, type SeriesGroup, seriesRejection } from './dicom-series.js'

export interface SeriesSummary {
  seriesInstanceUid: string
  modality: string
  description: string
  files: number
  /** Slices (frames of all files). */
  slices: number
  rows: number
  columns: number
  imageOrientationPatient?: number[]
  /** AXIAL, CORONAL, SAGITTAL or OBLIQUE, from the slice normal. */
  plane: string
  /** 1-based group number within its series (a localizer with three orientations is three groups). */
  group: number
  groupsInSeries: number
  status: 'chosen' | 'rejected' | 'not chosen'
  reason: string
}

/** The group to use (primary, or the `seriesUid` one) and why for each group found. */
export function selectSeries(inventory: DicomInventory, source: string, seriesUid?: string | null): { chosen: SeriesGroup; found: SeriesSummary[] } {
  let chosen: SeriesGroup
  if (seriesUid) {
    const matching = inventory.series.filter((g) => g.seriesInstanceUid === seriesUid)
    if (!matching.length) {
      const uids = [...new Set(inventory.series.map((g) => g.seriesInstanceUid))].join(', ')
      throw new BadInputError(`series ${seriesUid} not found; series found: ${uids || 'none'}`, { file: source, field: 'series' })
    }
    const usable = matching.filter((g) => !seriesRejection(g))
    if (!usable.length) throw new BadInputError(`series ${seriesUid} cannot be used: ${seriesRejection(matching[0])}`, { file: source, field: 'series' })
    chosen = usable.sort((a, b) => frameCount(b) - frameCount(a))[0]
  } else chosen = choosePrimarySeries(inventory, source)
  const rank = (x: SeriesGroup) => (x.modality === 'CT' || x.modality === 'MR' ? 1 : 0)
  const found = inventory.series.map((g) => {
    if (g === chosen) {
      const why = seriesUid ? 'requested by SeriesInstanceUID' : `primary series: ${rank(g) ? `${g.modality} image series` : 'image series'} with the most slices (${frameCount(g)})`
      return describeGroup(inventory, g, 'chosen', why)
    }
    const rejection = seriesRejection(g)
    if (rejection) return describeGroup(inventory, g, 'rejected', rejection)
    if (seriesUid) return describeGroup(inventory, g, 'not chosen', `series ${seriesUid} requested`)
    if (g.seriesInstanceUid === chosen.seriesInstanceUid) return describeGroup(inventory, g, 'not chosen', `another orientation/size group of the chosen series with fewer slices (${frameCount(g)})`)
    return describeGroup(inventory, g, 'not chosen', rank(g) < rank(chosen) ? `modality ${g.modality || 'unknown'} ranks below CT/MR` : `fewer slices (${frameCount(g)}) than the chosen series (${frameCount(chosen)})`)
  })
  return { chosen, found }
}

function describeGroup(inventory: DicomInventory, group: SeriesGroup, status: SeriesSummary['status'], reason: string): SeriesSummary {
  const first = group.headers[0]
  const siblings = inventory.series.filter((g) => g.seriesInstanceUid === group.seriesInstanceUid)
  return {
    seriesInstanceUid: group.seriesInstanceUid,
    modality: group.modality,
    description: group.description,
    files: group.headers.length,
    slices: frameCount(group),
    rows: first.rows,
    columns: first.columns,
    imageOrientationPatient: first.imageOrientationPatient,
    plane: planeOf(first.imageOrientationPatient),
    group: siblings.indexOf(group) + 1,
    groupsInSeries: siblings.length,
    status,
    reason,
  }
}

/** Acquisition plane from Image Orientation Patient: the axis the slice normal is closest to (within 10°). */
export function planeOf(iop?: number[]): string {
  if (iop?.length !== 6) return 'UNKNOWN'
  const n = [iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3]]
  const length = Math.hypot(n[0], n[1], n[2]) || 1
  const axis = n.map((v) => Math.abs(v) / length)
  const best = axis.indexOf(Math.max(...axis))
  if (axis[best] < Math.cos((10 * Math.PI) / 180)) return 'OBLIQUE'
  return ['SAGITTAL', 'CORONAL', 'AXIAL'][best]
}
