// Mirrors itk::LaplacianSharpeningImageFilter (UseImageSpacing on by default, float output):
// L = 7-point Laplacian, weights 1/h_d^2 on the 6 face neighbours and -sum_d 2/h_d^2 at the
// centre, zero-flux Neumann boundary (edge voxels replicated); L is rescaled linearly onto the
// input's range, L' = (L - min L) / (max L - min L) * (max I - min I) + min I; e = I - L';
// output = e - mean(e) + mean(I), clamped to [min I, max I]. It is not I - lap(I).
// Differs on purpose: no intermediate Laplacian image is stored. A first pass gathers min, max
// and sum of L and I; since mean(e) = mean(I) - mean(L') the second pass recomputes L and writes
// the output directly (ITK's double-precision sums, same formula; agrees to float32 rounding).
// The sums are taken plane by plane and the plane sums added in plane order, so that
// laplacianSharpeningAsync (both passes on the filter thread pool, planes pulled from shared
// counters) gives the same bits as the one-thread filter.
// A constant image (max L = min L) returns the input unchanged instead of ITK's NaNs.
// The output is float32, or float64 for float64 input.
import { pixelsOf, withPixels, type Image, type PixelArray } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'
import { asShared, defaultThreadCount, runOnThreads, sharedCounter } from './filter-threads.js'

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
  const args = laplacianArgs(image, options, false, false)
  laplacianPlaneStatisticsKernel(args)
  return combinePlaneStatistics(args.planeStats, args.data.length)
}

/**
 * Pass 2 with given statistics: on the whole image, or on a slab of it whose halo holds one plane
 * beyond each cut (the slab's first and last planes are then only context).
 */
export function laplacianSharpeningWith(image: Image, stats: LaplacianSharpeningStatistics, options: LaplacianSharpeningOptions = {}): Image {
  const args = laplacianArgs(image, options, false)
  if (!(stats.maxL - stats.minL > 0)) return withPixels(image, constantResult(args.data))
  laplacianSharpenKernel({ ...args, stats })
  return withPixels(image, args.out)
}

export interface LaplacianThreadOptions extends LaplacianSharpeningOptions {
  /** Threads in total (the calling one included); default: the available cores for large images. */
  threads?: number
}

/** The same filter, both passes on `threads` threads; identical results. The output is then a SharedArrayBuffer view. */
export async function laplacianSharpeningAsync(image: Image, options: LaplacianThreadOptions = {}): Promise<Image> {
  const threads = options.threads ?? (pixelsOf(image).length >= 1 << 21 ? defaultThreadCount() : 1)
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`laplacianSharpening: threads must be an integer >= 1, got ${threads}`)
  if (threads === 1) return laplacianSharpening(image, options)
  const args = laplacianArgs(image, options, true)
  await runOnThreads({ module: import.meta.url, name: 'laplacianPlaneStatisticsKernel', args }, threads, laplacianPlaneStatisticsKernel)
  const stats = combinePlaneStatistics(args.planeStats, args.data.length)
  if (!(stats.maxL - stats.minL > 0)) return withPixels(image, constantResult(args.data))
  const pass2 = { ...args, stats, next: sharedCounter() }
  await runOnThreads({ module: import.meta.url, name: 'laplacianSharpenKernel', args: pass2 }, threads, laplacianSharpenKernel)
  return withPixels(image, args.out)
}

/** Arguments of the two kernels; typed arrays over SharedArrayBuffers when threaded. */
export interface LaplacianArgs {
  data: PixelArray
  dims: [number, number, number]
  /** 1 / h^2 per axis */
  w: [number, number, number]
  /** Per plane: min I, max I, sum I, min L, max L, sum L (pass 1's result). */
  planeStats: Float64Array
  out: Float32Array | Float64Array
  /** [next plane] */
  next: Int32Array
  /** Pass 2 only. */
  stats?: LaplacianSharpeningStatistics
}

/** The kernels' arguments; the output (of the image's size) only with `output`. */
function laplacianArgs(image: Image, options: LaplacianSharpeningOptions, shared: boolean, output = true): LaplacianArgs {
  const { data, nx, ny, nz, w } = laplacianSetup(image, options)
  const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))
  const n = output ? data.length : 0
  return {
    data: shared ? asShared(data) : data,
    dims: [nx, ny, nz],
    w: [w[0], w[1], w[2]],
    planeStats: new Float64Array(buffer(8 * 6 * nz)),
    out: data instanceof Float64Array ? new Float64Array(buffer(8 * n)) : new Float32Array(buffer(4 * n)),
    next: shared ? sharedCounter() : new Int32Array(1),
  }
}

/** A constant Laplacian: the input unchanged (ITK would give NaNs). */
function constantResult(data: PixelArray): Float32Array | Float64Array {
  return data instanceof Float64Array ? Float64Array.from(data) : Float32Array.from(data as ArrayLike<number>)
}

/** Pass 1 kernel: per plane pulled from args.next, min, max and sum of I and of L. */
export function laplacianPlaneStatisticsKernel(args: LaplacianArgs): void {
  const { data, dims: [nx, ny, nz], w, planeStats, next } = args
  const row = new Float64Array(nx)
  for (let z = Atomics.add(next, 0, 1); z < nz; z = Atomics.add(next, 0, 1)) {
    let minI = Infinity, maxI = -Infinity, sumI = 0
    let minL = Infinity, maxL = -Infinity, sumL = 0
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
    planeStats.set([minI, maxI, sumI, minL, maxL, sumL], 6 * z)
  }
}

/** The whole image's statistics from the plane statistics, summed in plane order. */
function combinePlaneStatistics(planeStats: Float64Array, count: number): LaplacianSharpeningStatistics {
  const s = { count, minI: Infinity, maxI: -Infinity, sumI: 0, minL: Infinity, maxL: -Infinity, sumL: 0 }
  for (let p = 0; p < planeStats.length; p += 6) {
    s.minI = Math.min(s.minI, planeStats[p]); s.maxI = Math.max(s.maxI, planeStats[p + 1]); s.sumI += planeStats[p + 2]
    s.minL = Math.min(s.minL, planeStats[p + 3]); s.maxL = Math.max(s.maxL, planeStats[p + 4]); s.sumL += planeStats[p + 5]
  }
  return s
}

/** Pass 2 kernel: output planes pulled from args.next (args.stats set, with max L > min L). */
export function laplacianSharpenKernel(args: LaplacianArgs): void {
  const { data, dims: [nx, ny, nz], w, out, next } = args
  const { count: n, minI, maxI, minL, maxL, sumL } = args.stats!
  const row = new Float64Array(nx)
  const scaleL = maxL - minL
  const scaleI = maxI - minI
  // L' = L * a + b; e = I - L'; output = e - mean(e) + mean(I) = I - L' + mean(L')
  const a = scaleI / scaleL
  const b = minI - minL * a
  const meanLp = ((sumL - n * minL) / scaleL) * scaleI / n + minI
  const shift = meanLp - b
  for (let z = Atomics.add(next, 0, 1); z < nz; z = Atomics.add(next, 0, 1)) {
    for (let y = 0; y < ny; y++) {
      laplacianRow(data, nx, ny, nz, y, z, w, row)
      const base = (z * ny + y) * nx
      for (let x = 0; x < nx; x++) {
        const v = data[base + x] - row[x] * a + shift
        out[base + x] = v < minI ? minI : v > maxI ? maxI : v
      }
    }
  }
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
