// The frames of enhanced multi-frame files (one or several files of one series) stacked into
// one 3-D volume: frames of the first kind (FrameType / complex component, e.g. Philips
// magnitude before field map) in file order, one frame per position along the slice normal
// (the first temporal position when a position repeats, as in 4-D fMRI), rescaled with each
// frame's own Pixel Value Transformation. The volume is in DICOM order (i = column, j = row,
// k ascending along the normal) and comes with per-frame pseudo headers, so the same slice
// geometry checks and reslicing apply as to single-frame series.
import { gridOf, makeImage, type Image, type PixelArray } from '../image/image.js'
import { BadInputError } from '../pipeline/errors.js'
import type { DicomHeader } from './dicom-header.js'
import type { EnhancedFile, EnhancedFrame } from './dicom-enhanced.js'

export interface EnhancedVolume {
  /** Stacked frames, DICOM order, origin at the first frame by position, slice step = median step. */
  image: Image
  /** One pseudo header per stacked frame (file "<path>#<frame>") for the slice-geometry checks. */
  frameHeaders: DicomHeader[]
  rescale: { slope: number; intercept: number; perFrame: boolean }
  kind: string
  /** Time points 2..T of a 4-D series, on the grid of `image` (empty for a 3-D series). */
  laterVolumes: Image[]
  warnings: { code: string; message: string }[]
}

const positionTolerance = 0.01

/** `frameKind`: a word of the FrameType / complex component (e.g. "FIELD_MAP") selecting the frames to stack; default the first kind. */
export function stackEnhancedFrames(files: EnhancedFile[], headers: DicomHeader[], seriesUid: string, frameKind?: string): EnhancedVolume {
  const warnings: EnhancedVolume['warnings'] = []
  const { rows, columns } = files[0]
  const odd = files.find((f) => f.rows !== rows || f.columns !== columns)
  if (odd) throw new BadInputError(`series ${seriesUid}: frames of ${odd.rows} x ${odd.columns} beside ${rows} x ${columns}`, { file: odd.file, field: 'Rows' })

  const all = files.flatMap((f, fileIndex) => f.frames.map((frame) => ({ frame, fileIndex })))
  const kinds = [...new Set(all.map((f) => f.frame.kind))]
  const counts = kinds.map((k) => `${label(k)} (${all.filter((f) => f.frame.kind === k).length} frames)`)
  const wanted = frameKind?.toUpperCase()
  const kind = wanted ? kinds.find((k) => k.split('|').includes(wanted)) : kinds[0]
  if (kind === undefined) throw new BadInputError(`series ${seriesUid} has no frames of kind ${frameKind}; its frames: ${counts.join(', ')}`, { file: files[0].file, field: 'FrameType' })
  if (kinds.length > 1) {
    warnings.push({ code: 'frame_kinds', message: `series ${seriesUid} holds ${kinds.length} kinds of frames: ${counts.join(', ')}; ${wanted ? 'the requested' : 'the first'}, ${label(kind)}, is used` })
  }
  const ofKind = all.filter((f) => f.frame.kind === kind)
  const iop = ofKind[0].frame.iop
  const row = iop.slice(0, 3)
  const column = iop.slice(3, 6)
  const normal = [row[1] * column[2] - row[2] * column[1], row[2] * column[0] - row[0] * column[2], row[0] * column[1] - row[1] * column[0]]
  const along = (f: EnhancedFrame) => f.ipp[0] * normal[0] + f.ipp[1] * normal[1] + f.ipp[2] * normal[2]

  // One frame per position: the first temporal position (then file, then frame order).
  const sorted = [...ofKind].sort((a, b) => along(a.frame) - along(b.frame))
  const positions: (typeof sorted)[] = []
  for (const f of sorted) {
    const last = positions.at(-1)
    if (last && Math.abs(along(f.frame) - along(last[0].frame)) < positionTolerance) last.push(f)
    else positions.push([f])
  }
  const inTimeOrder = positions.map((group) =>
    [...group].sort((a, b) => (a.frame.temporalPositionIndex ?? 0) - (b.frame.temporalPositionIndex ?? 0) || a.fileIndex - b.fileIndex || a.frame.frame - b.frame.frame),
  )
  const chosen = inTimeOrder.map((group) => group[0])
  const perPosition = positions.map((g) => g.length)
  const volumes = Math.max(...perPosition)
  if (volumes > 1) {
    const uneven = perPosition.some((n) => n !== volumes) ? ` (uneven: ${Math.min(...perPosition)} to ${volumes} frames per position)` : ''
    warnings.push({ code: 'multiple_volumes', message: `series ${seriesUid}: ${volumes} frames at each of ${positions.length} positions (a ${volumes}-volume series)${uneven}; the first temporal position is the 3-D volume` })
  }

  const spacing = chosen[0].frame.pixelSpacing
  if (chosen.some((c) => Math.abs(c.frame.pixelSpacing[0] - spacing[0]) > 1e-4 || Math.abs(c.frame.pixelSpacing[1] - spacing[1]) > 1e-4)) {
    throw new BadInputError(`series ${seriesUid}: PixelSpacing differs between frames`, { file: files[0].file, field: 'PixelMeasuresSequence' })
  }

  const slopes = new Set(chosen.map((c) => c.frame.rescaleSlope))
  const intercepts = new Set(chosen.map((c) => c.frame.rescaleIntercept))
  const integral = chosen.every((c) => Number.isInteger(c.frame.rescaleSlope) && Number.isInteger(c.frame.rescaleIntercept))
  const plane = rows * columns
  const stack = (frames: typeof chosen): PixelArray => {
    const out = allocateOutput(integral, frames.length * plane, files, chosen)
    frames.forEach((c, k) => {
      const src = files[c.fileIndex].pixels
      const from = c.frame.frame * plane
      const { rescaleSlope: m, rescaleIntercept: b } = c.frame
      for (let p = 0; p < plane; p++) out[k * plane + p] = src[from + p] * m + b
    })
    return out
  }
  const out = stack(chosen)

  const steps = chosen.slice(1).map((c, k) => along(c.frame) - along(chosen[k].frame))
  const sliceStep = steps.length ? [...steps].sort((a, b) => a - b)[steps.length >> 1] : 1
  const image = makeImage(
    {
      size: [columns, rows, chosen.length],
      // PixelSpacing is (between rows, between columns): i steps across columns.
      spacing: [spacing[1], spacing[0], sliceStep],
      origin: [...chosen[0].frame.ipp],
      direction: [row[0], column[0], normal[0], row[1], column[1], normal[1], row[2], column[2], normal[2]],
    },
    out,
  )
  // A complete time series (the same number of frames at every position): the later volumes too.
  const laterVolumes = volumes > 1 && perPosition.every((n) => n === volumes)
    ? Array.from({ length: volumes - 1 }, (_, t) => makeImage(gridOf(image), stack(inTimeOrder.map((group) => group[t + 1]))))
    : []
  const headerOf = new Map(headers.map((h) => [h.file, h]))
  const frameHeaders = chosen.map((c): DicomHeader => ({
    ...(headerOf.get(c.frame.file) as DicomHeader),
    file: `${c.frame.file}#${c.frame.frame + 1}`,
    imagePositionPatient: [...c.frame.ipp],
    imageOrientationPatient: [...c.frame.iop],
    numberOfFrames: 1,
  }))
  return {
    image,
    frameHeaders,
    rescale: { slope: chosen[0].frame.rescaleSlope, intercept: chosen[0].frame.rescaleIntercept, perFrame: slopes.size > 1 || intercepts.size > 1 },
    kind: label(kind),
    laterVolumes,
    warnings,
  }
}

/** Integer rescale: the narrowest signed type holding every stored value rescaled; otherwise float32. */
function allocateOutput(integral: boolean, count: number, files: EnhancedFile[], chosen: { frame: EnhancedFrame; fileIndex: number }[]): PixelArray {
  if (!integral) return new Float32Array(count)
  let lo = Infinity
  let hi = -Infinity
  for (const c of chosen) {
    const src = files[c.fileIndex].pixels
    const [min, max] = storedRange(src)
    for (const v of [min * c.frame.rescaleSlope + c.frame.rescaleIntercept, max * c.frame.rescaleSlope + c.frame.rescaleIntercept]) {
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
    }
  }
  if (lo >= -32768 && hi <= 32767) return new Int16Array(count)
  if (lo >= -2147483648 && hi <= 2147483647) return new Int32Array(count)
  return new Float32Array(count)
}

function storedRange(values: ArrayLike<number>): [number, number] {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i]
    if (values[i] > max) max = values[i]
  }
  return [min, max]
}

function label(kind: string): string {
  return kind.split('|').filter(Boolean).join(' ') || 'unlabelled'
}
