// The landmarks of a case from its structured reports. Only a TID 1500 "Imaging Measurement
// Report" carries them. Any other SR (a scanner's dose report, TID 10011, sits beside many
// CT series) is skipped with a warning instead of failing a good scan: landmarks feed no
// other number of the report. A TID 1500 SR without points gives a warning for the same reason,
// so an empty landmark list is never silent.
import { readTid1500Landmarks } from '../io/dicom-sr.js'
import { renameBadInput } from './errors.js'
import type { Warning } from './report-schema.js'
import type { LandmarkPoint } from '../measure/landmarks-file.js'

const MEASUREMENT_REPORT_TEMPLATE = '1500'
const MEASUREMENT_REPORT_TITLE = '126000'

/** `reports`: the SR files and the names (object keys) messages use for them. */
export async function readCaseLandmarks(reports: { file: string; name: string }[], warnings: Warning[]): Promise<LandmarkPoint[]> {
  const landmarks: LandmarkPoint[] = []
  for (const { file, name } of reports) {
    // Name the upload, not the temporary copy.
    const sr = await readTid1500Landmarks(file).catch(renameBadInput((f) => (f === file ? name : f)))
    // The template identifier is optional in DICOM; the report title identifies TID 1500 too.
    const isTid1500 = sr.template !== undefined ? sr.template === MEASUREMENT_REPORT_TEMPLATE : sr.title?.value === MEASUREMENT_REPORT_TITLE
    if (!isTid1500) {
      const what = sr.template !== undefined ? `template TID ${sr.template}` : `title "${sr.title?.meaning ?? 'none'}" and no template identifier`
      warnings.push({ code: 'sr_ignored', message: `${name}: structured report with ${what}, not an Imaging Measurement Report (TID 1500); no landmarks read from it` })
      continue
    }
    if (!sr.points.length) {
      const skipped = sr.warnings.length ? ` (${sr.warnings.join('; ')})` : ''
      warnings.push({ code: 'sr_no_points', message: `${name}: the TID 1500 report holds no SCOORD3D POINT or MULTIPOINT; no landmarks${skipped}` })
      continue
    }
    for (const point of sr.points) {
      landmarks.push({
        name: point.name,
        ...(point.code && { code: point.code }),
        ...(point.laterality && { laterality: point.laterality }),
        lps_mm: [point.lps[0], point.lps[1], point.lps[2]],
      })
    }
  }
  return landmarks
}
