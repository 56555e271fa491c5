// Header checks on the DICOM files of a case before any pixel is decoded (issue 9):
// - a SOP Instance UID seen twice is one image uploaded twice: the later copy (by key) is
//   dropped with a warning, instead of surfacing as two slices at one position;
// - files of one series with another matrix size are named in a warning (they form their own
//   group and are not stacked with the rest);
// - the chosen series must carry its geometry: Image Position/Orientation Patient and, for
//   single-frame images, Pixel Spacing. ITK would otherwise assume 1 mm and every volume in
//   the report would be silently wrong.
import { BadInputError } from '../pipeline/errors.js'
import type { Warning } from '../pipeline/report-schema.js'
import type { DicomInventory, SeriesGroup } from './dicom-series.js'

type KeyOf = (file: string) => string

export function dropDuplicateInstances(inventory: DicomInventory, warnings: Warning[], keyOf: KeyOf): DicomInventory {
  const firstKey = new Map<string, string>()
  // Keys computed once per file, not in every comparison (path.relative showed in convert's profile).
  const all = inventory.series.flatMap((g) => g.headers).map((header) => ({ header, key: keyOf(header.file) })).sort((a, b) => (a.key < b.key ? -1 : 1))
  const dropped = new Set<string>()
  for (const { header, key } of all) {
    if (!header.sopInstanceUid) continue
    const first = firstKey.get(header.sopInstanceUid)
    if (first === undefined) firstKey.set(header.sopInstanceUid, key)
    else {
      dropped.add(header.file)
      warnings.push({ code: 'duplicate_instance', message: `${key}: SOP Instance UID ${header.sopInstanceUid} already read from ${first}; duplicate ignored` })
    }
  }
  const series = inventory.series.map((g) => ({ ...g, headers: g.headers.filter((h) => !dropped.has(h.file)) })).filter((g) => g.headers.length)
  const sizes = new Map<string, SeriesGroup[]>()
  for (const group of series) sizes.set(group.seriesInstanceUid, [...(sizes.get(group.seriesInstanceUid) ?? []), group])
  for (const [uid, groups] of sizes) {
    const matrices = new Set(groups.map((g) => `${g.headers[0].rows}x${g.headers[0].columns}`))
    if (matrices.size > 1) {
      const detail = groups.map((g) => `${g.headers.length} of ${g.headers[0].rows} x ${g.headers[0].columns} (e.g. ${keyOf(g.headers[0].file)})`).join(', ')
      warnings.push({ code: 'inconsistent_matrix', message: `series ${uid} mixes image sizes: ${detail}; only same-size images are stacked` })
    }
  }
  return { ...inventory, series }
}

export function requireGeometry(group: SeriesGroup, keyOf: KeyOf): void {
  for (const header of group.headers) {
    const file = keyOf(header.file)
    if (!header.imagePositionPatient) throw new BadInputError('no Image Position (Patient) (0020,0032): the slice cannot be placed', { file, field: 'ImagePositionPatient' })
    if (!header.imageOrientationPatient) throw new BadInputError('no Image Orientation (Patient) (0020,0037): the slice cannot be oriented', { file, field: 'ImageOrientationPatient' })
    if (header.numberOfFrames <= 1 && !header.pixelSpacing) throw new BadInputError('no Pixel Spacing (0028,0030): voxel sizes and every volume would be unknown', { file, field: 'PixelSpacing' })
  }
}
