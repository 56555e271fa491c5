// Mirrors itk::LaplacianSharpeningImageFilter (UseImageSpacing on by default, float output):
// L = 7-point Laplacian, weights 1/h_d^2 on the 6 face neighbours and -sum_d 2/h_d^2 at the
// centre, zero-flux Neumann boundary (edge voxels replicated); L is rescaled linearly onto the
// input's range, L' = (L - min L) / (max L - min L) * (max I - min I) + min I; e = I - L';
// output = e - mean(e) + mean(I), clamped to [min I, max I]. It is not I - lap(I).
// Differs on purpose: no intermediate Laplacian image is stored. A first pass gathers min, max
// and sum of L and I; since mean(e) = mean(I) - mean(L') the second pass recomputes L and writes
// the output directly (ITK's double-precision sums, same formula; agrees to float32 rounding).
// A constant image (max L = min L) returns the input unchanged instead of ITK's NaNs.
// The output is float32, or float64 for float64 input.
import { pixelsOf, withPixels, type Image } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'

/** Global: the rescaling uses the whole image's min, max and mean. */
export const laplacianSharpeningFootprint: Footprint = globalFootprint

export interface LaplacianSharpeningOptions {
  /** Weight the second differences by 1/spacing^2 (ITK's UseImageSpacing); default true. */
  useImageSpacing?: boolean
}

export function laplacianSharpening(image: Image, options: LaplacianSharpeningOptions = {}): Image {
  return laplacianSharpeningWith(image, laplacianSharpeningStatistics(image, options), options)
}

/** The global half of the filter: min, max and sum of the image I and of its Laplacian L. */
export interface LaplacianSharpeningStatistics {
  count: number
  minI: number
  maxI: number
  sumI: number
  minL: number
  maxL: number
  sumL: number
}

/** Pass 1 over the whole image. */
export function laplacianSharpeningStatistics(image: Image, options: LaplacianSharpeningOptions = {}): LaplacianSharpeningStatistics {
  const { data, nx, ny, nz, w } = laplacianSetup(image, options)
  const row = new Float64Array(nx)
  let minI = Infinity, maxI = -Infinity, sumI = 0
  let minL = Infinity, maxL = -Infinity, sumL = 0
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      laplacianRow(data, nx, ny, nz, y, z, w, row)
      const base = (z * ny + y) * nx
      for (let x = 0; x < nx; x++) {
        const l = row[x]
        if (l < minL) minL = l
        if (l > maxL) maxL = l
        sumL += l
        const v = data[base + x]
        if (v < minI) minI = v
        if (v > maxI) maxI = v
        sumI += v
      }
    }
  }
  return { count: data.length, minI, maxI, sumI, minL, maxL, sumL }
}

/**
 * Pass 2 with given statistics: on the whole image, or on a slab of it whose halo holds one plane
 * beyond each cut (the slab's first and last planes are then only context).
 */
export function laplacianSharpeningWith(image: Image, stats: LaplacianSharpeningStatistics, options: LaplacianSharpeningOptions = {}): Image {
  const { data, nx, ny, nz, w } = laplacianSetup(image, options)
  const { count: n, minI, maxI, minL, maxL, sumL } = stats
  const row = new Float64Array(nx)
  const out = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length)
  const scaleL = maxL - minL
  if (!(scaleL > 0)) {
    out.set(data)
    return withPixels(image, out)
  }
  const scaleI = maxI - minI
  // L' = L * a + b; e = I - L'; output = e - mean(e) + mean(I) = I - L' + mean(L')
  const a = scaleI / scaleL
  const b = minI - minL * a
  const meanLp = ((sumL - n * minL) / scaleL) * scaleI / n + minI
  const shift = meanLp - b
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      laplacianRow(data, nx, ny, nz, y, z, w, row)
      const base = (z * ny + y) * nx
      for (let x = 0; x < nx; x++) {
        const v = data[base + x] - row[x] * a + shift
        out[base + x] = v < minI ? minI : v > maxI ? maxI : v
      }
    }
  }
  return withPixels(image, out)
}

function laplacianSetup(image: Image, options: LaplacianSharpeningOptions) {
  const data = pixelsOf(image)
  const [nx, ny, nz] = [image.size[0], image.size[1], image.size[2] ?? 1]
  if (data.length !== nx * ny * nz) throw new Error(`laplacianSharpening: expected a 3-D scalar image, got size ${image.size.join('x')}`)
  const useSpacing = options.useImageSpacing ?? true
  const w = [0, 1, 2].map((d) => {
    const h = useSpacing ? image.spacing[d] ?? 1 : 1
    if (!(h > 0)) throw new Error(`laplacianSharpening: image spacing ${h} on axis ${d} must be positive`)
    return 1 / (h * h)
  })
  return { data, nx, ny, nz, w }
}

/** The Laplacian of one x row with replicated edges, into `row`. */
function laplacianRow(
  d: ArrayLike<number>, nx: number, ny: number, nz: number, y: number, z: number, w: number[], row: Float64Array,
): void {
  const base = (z * ny + y) * nx
  const plane = nx * ny
  const ym = y > 0 ? base - nx : base
  const yp = y < ny - 1 ? base + nx : base
  const zm = z > 0 ? base - plane : base
  const zp = z < nz - 1 ? base + plane : base
  const wx = w[0], wy = w[1], wz = w[2]
  const c = -2 * (wx + wy + wz)
  // the two end voxels replicate themselves along x; the interior needs no test
  const last = nx - 1
  row[0] = c * d[base] + wx * (d[base] + d[base + (last > 0 ? 1 : 0)]) + wy * (d[ym] + d[yp]) + wz * (d[zm] + d[zp])
  if (last > 0) {
    row[last] = c * d[base + last] + wx * (d[base + last - 1] + d[base + last])
      + wy * (d[ym + last] + d[yp + last]) + wz * (d[zm + last] + d[zp + last])
  }
  for (let x = 1; x < last; x++) {
    row[x] = c * d[base + x]
      + wx * (d[base + x - 1] + d[base + x + 1])
      + wy * (d[ym + x] + d[yp + x])
      + wz * (d[zm + x] + d[zp + x])
  }
}
