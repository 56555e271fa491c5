// Does a DICOM SEG segment the images of this case? Checked from its header before decoding:
// the series it references (ReferencedSeriesSequence), the source image of every frame
// (Derivation Image -> Source Image Sequence) and where every frame lies (Plane Position +
// Orientation + Pixel Measures, per frame or shared). A SEG drawn on other images would put
// labels on the wrong voxels, or silently on none, so each mismatch is bad input.
import type { Grid } from '../image/image.js'
import { physicalToIndex } from '../image/geometry.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { readNaturalizedHeader } from './dcmjs-parser.js'

type Item = Record<string, unknown>

export interface SegReferenceTarget {
  /** The case's image grid (ITK: LPS, index order i, j, k). */
  grid: Grid
  /** The case's DICOM series, when the image is one (a NIfTI image has no UIDs to match). */
  series?: { seriesInstanceUid: string; sopInstanceUids: ReadonlySet<string> }
}

const list = (v: unknown): Item[] => (v == null ? [] : ((Array.isArray(v) ? v : [v]) as Item[]))
const numbers = (v: unknown): number[] => (v == null ? [] : (Array.isArray(v) ? v : [v]).map(Number))

/** `name` is how messages call the SEG (its object key or archive entry). */
export async function checkSegReferences(segFile: string, name: string, target: SegReferenceTarget): Promise<void> {
  let ds: Item
  try {
    ds = (await readNaturalizedHeader(segFile)).dataset
  } catch (error) {
    throw new BadInputError(`not a readable DICOM file (${errorMessage(error)})`, { file: name }, { cause: error })
  }
  if (target.series) checkReferencedImages(ds, name, target.series)
  checkFramePositions(ds, name, target.grid)
}

function checkReferencedImages(ds: Item, name: string, series: NonNullable<SegReferenceTarget['series']>): void {
  const referencedSeries = new Set<string>()
  for (const s of list(ds.ReferencedSeriesSequence)) if (s.SeriesInstanceUID) referencedSeries.add(String(s.SeriesInstanceUID))
  if (referencedSeries.size && !referencedSeries.has(series.seriesInstanceUid)) {
    throw new BadInputError(
      `the SEG references series ${[...referencedSeries].join(', ')}, which is not in the case (its image series is ${series.seriesInstanceUid})`,
      { file: name, field: 'ReferencedSeriesSequence' },
    )
  }
  const frames = list(ds.PerFrameFunctionalGroupsSequence)
  const missing: { frame: number; uid: string }[] = []
  frames.forEach((frame, index) => {
    for (const derivation of list(frame.DerivationImageSequence)) {
      for (const source of list(derivation.SourceImageSequence)) {
        const uid = source.ReferencedSOPInstanceUID
        if (uid && !series.sopInstanceUids.has(String(uid))) missing.push({ frame: index + 1, uid: String(uid) })
      }
    }
  })
  if (missing.length) {
    throw new BadInputError(
      `frame ${missing[0].frame} is derived from image ${missing[0].uid}, which is not in series ${series.seriesInstanceUid}` +
        (missing.length > 1 ? ` (${missing.length} frame references are missing)` : ''),
      { file: name, field: 'ReferencedSOPInstanceUID' },
    )
  }
}

/** Every frame must overlap the image: its four corners may not all lie beyond one face of the image box. */
function checkFramePositions(ds: Item, name: string, grid: Grid): void {
  const shared = list(ds.SharedFunctionalGroupsSequence)[0] ?? {}
  const rows = Number(ds.Rows), columns = Number(ds.Columns)
  if (!(rows > 0 && columns > 0)) return // dcmqi refuses such a SEG with its own message
  const frames = list(ds.PerFrameFunctionalGroupsSequence)
  const outside: number[] = []
  let first: number[] | undefined
  frames.forEach((frame, index) => {
    const group = (key: string): Item | undefined => list(frame[key])[0] ?? list(shared[key])[0]
    const position = numbers(group('PlanePositionSequence')?.ImagePositionPatient)
    const orientation = numbers(group('PlaneOrientationSequence')?.ImageOrientationPatient)
    const spacing = numbers(group('PixelMeasuresSequence')?.PixelSpacing)
    if (position.length !== 3 || orientation.length !== 6 || spacing.length !== 2 || ![...position, ...orientation, ...spacing].every(Number.isFinite)) return
    // DICOM: the first direction cosine runs along a row (column index), Pixel Spacing is (between rows, between columns).
    const corner = (c: number, r: number) => [0, 1, 2].map((a) => position[a] + c * spacing[1] * orientation[a] + r * spacing[0] * orientation[3 + a])
    const corners = [corner(0, 0), corner(columns - 1, 0), corner(0, rows - 1), corner(columns - 1, rows - 1)].map((p) => physicalToIndex(grid, p))
    const tolerance = 1e-3
    const misses = [0, 1, 2].some((a) => corners.every((q) => q[a] < -0.5 - tolerance) || corners.every((q) => q[a] > (grid.size[a] ?? 1) - 0.5 + tolerance))
    if (misses) {
      outside.push(index + 1)
      first ??= position
    }
  })
  if (outside.length) {
    throw new BadInputError(
      `${outside.length} of ${frames.length} frames lie outside the image (frame ${outside[0]} at ${first!.map((v) => v.toFixed(1)).join(', ')} mm LPS; ` +
        `the image covers slices 0..${(grid.size[2] ?? 1) - 1})`,
      { file: name, field: 'PlanePositionSequence' },
    )
  }
}
