// Exact mirror of an image across the plane through its centre perpendicular to an LPS axis:
// the index axis whose direction is closest to that LPS axis is reversed, the grid is kept
// (no interpolation, so flipping twice gives the input back bit for bit). On an axis-aligned
// grid this is the reflection x -> 2 c - x along that patient axis; on an oblique grid it is
// the reflection along the chosen index axis.
import { pixelsOf, withPixels, allocatePixels, componentTypeOf, type Image } from '../image/image.js'

/** Patient axes: left-right (LPS x), anterior-posterior (y), superior-inferior (z). */
export type PatientAxis = 'LR' | 'AP' | 'SI'

export const patientAxes: readonly PatientAxis[] = ['LR', 'AP', 'SI']

/** The index axis (0, 1, 2) running most nearly along the patient axis. */
export function indexAxisAlong(image: Image, axis: PatientAxis): number {
  const row = patientAxes.indexOf(axis)
  if (row < 0) throw new Error(`flip: unknown patient axis '${String(axis)}' (LR, AP or SI)`)
  const d = image.direction as ArrayLike<number>
  let best = 0
  for (let c = 1; c < 3; c++) if (Math.abs(d[row * 3 + c]) > Math.abs(d[row * 3 + best])) best = c
  return best
}

/** Reverse index axis `axis` (0, 1 or 2) of a 3-D image; same grid, same pixel type. */
export function flipIndexAxis(image: Image, axis: number): Image {
  const [nx, ny, nz] = image.size
  const src = pixelsOf(image)
  const out = allocatePixels(componentTypeOf(src), src.length)
  for (let k = 0; k < nz; k++) {
    const kk = axis === 2 ? nz - 1 - k : k
    for (let j = 0; j < ny; j++) {
      const jj = axis === 1 ? ny - 1 - j : j
      const from = (kk * ny + jj) * nx, to = (k * ny + j) * nx
      if (axis === 0) for (let i = 0; i < nx; i++) out[to + i] = src[from + nx - 1 - i]
      else out.set(src.subarray(from, from + nx), to)
    }
  }
  return withPixels(image, out)
}

export function flipAlong(image: Image, axis: PatientAxis): Image {
  return flipIndexAxis(image, indexAxisAlong(image, axis))
}
