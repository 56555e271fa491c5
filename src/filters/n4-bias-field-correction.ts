// Mirrors itk::N4BiasFieldCorrectionImageFilter (ITK 5.2) as the goldens drive it (see
// ../shared/golden/itk/README.md, (b)): (1) if min(input) <= 0 the offset 1 - min is added;
// (2) mask = shifted image > Otsu threshold (200 bins, OtsuThresholdImageFilter conventions,
// see otsu-threshold.ts); (3) image and mask are shrunk by subsampling (ShrinkImageFilter: size
// floor(n / f), output grid centred on the input grid, shrunk voxel a = input voxel
// f a + round((n - 1 - f (m - 1)) / 2)); (4) N4 on the shrunk image: log intensities inside the
// mask; per iteration the histogram of the log image (triangular Parzen window, bins over
// [min, max] of the mask as ITK finds them) is sharpened by Wiener deconvolution of a Gaussian
// of FWHM `biasFwhm` (zero-padded FFT, as ITK's SharpenImage), the residual log image minus its
// sharpened version is fitted by a single-level cubic B-spline approximation (see
// bspline-scattered-fit.ts) whose control points are added to the running lattice; convergence
// = coefficient of variation of exp(change of the log bias) over the mask; the lattice is
// refined x2 between levels; (5) the final lattice is evaluated on the full-resolution grid
// (its parametric domain stretched over first-to-last voxel centre, as GetLogBiasFieldAsImage /
// BSplineControlPointImageFilter on the input grid); (6) corrected = (input + offset) / bias - offset.
// ITK quirks kept: the histogram range scan's `else if` (the first mask voxel only updates the
// maximum), the log taken only inside the mask, the Wiener filter's real part, the lattice not
// refined after the last level, the final lattice evaluated over the full-resolution domain.
// Differs on purpose: float64 arithmetic throughout (ITK's RealType is float), so the results
// agree with ITK to rounding rather than bit for bit (mr-t1-head: bias within 1.7e-4 relative,
// same iterations per level); spline order 3 only; no confidence image; a caller's mask
// replaces the Otsu mask (any non-zero voxel counts, ITK's UseMaskLabel off). 8- and 16-bit
// input is shifted on the fly (same values as ITK's float copy, no copy of the volume), other
// input into a float32 copy (n4ShrunkInputs); steps 5-6 run plane by plane without storing the
// log bias. The bias field is returned at full resolution (float32), made from the lattice when
// first read (the same float32 values as computed alongside): callers that only want the
// corrected image (the pipeline) then hold one full-size float32 volume instead of two, which
// was the filter's memory peak (~600 MiB for a 512x512x200 CT with its int16 input).
// n4BiasFieldCorrectionAsync runs steps 5-6 (exp and division on every voxel: after the separable
// fit, most of the time) on the filter thread pool too, plane blocks pulled from a shared counter.
import { componentTypeOf, gridOf, makeImage, pixelsOf, withPixels, type Grid, type Image, type PixelArray } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'
import { ScratchBuffers, emptyLattice, evaluateLattice, fitLattice, latticePlanes, refineLattice, type ControlLattice } from './bspline-scattered-fit.js'
import { otsuThresholdValue } from './otsu-threshold.js'
import { asShared, defaultThreadCount, runOnThreads, sharedCounter } from './filter-threads.js'

/** Global: the histogram, the mask and the B-spline fit use the whole volume. */
export const n4BiasFieldCorrectionFootprint: Footprint = globalFootprint

export interface N4Options {
  /** Subsampling factor for the fit (ShrinkImageFilter); default 4. */
  shrinkFactor?: number
  /** Maximum iterations per fitting level; its length is the number of levels. Default [50, 50, 30, 20]. */
  iterations?: number[]
  /** Stop a level when the convergence measure is <= this; default 0.001. */
  convergenceThreshold?: number
  /** B-spline order; only 3 is supported. */
  splineOrder?: number
  /** Control points per axis at the first level (spans + order); default 4. */
  controlPoints?: number
  /** Histogram bins for the sharpening; default 200. */
  histogramBins?: number
  /** Wiener filter noise; default 0.01. */
  wienerNoise?: number
  /** Full width at half maximum of the Gaussian bias blur in log intensity; default 0.15. */
  biasFwhm?: number
  /** A mask on the input grid (non-zero = used); default the Otsu mask of the shifted image. */
  mask?: Image
}

export interface N4Result {
  /** (input + offset) / bias - offset, float32. */
  corrected: Image
  /** exp(log bias) on the full-resolution grid, float32, made from the fitted lattice when first read. */
  biasField: Image
  /** The mask used (uint8 0/1, full resolution), made from the input (or the caller's mask) when first read. */
  mask: Image
  /** Iterations run at each level. */
  iterationsRun: number[]
  /** Convergence measure after the last iteration of each level. */
  convergence: number[]
  /** Otsu threshold in input units (before the offset); NaN when a mask was given. */
  threshold: number
  /** The offset added before the logarithm (0 when min(input) > 0). */
  offset: number
}

/** Step 1: 1 - min when min <= 0, else 0. */
export function n4Offset(data: ArrayLike<number>): number {
  let min = Infinity
  for (let i = 0; i < data.length; i++) if (data[i] < min) min = data[i]
  return min <= 0 ? 1 - min : 0
}

/**
 * The input plus the offset as ITK's float image holds it. Integer input whose shifted range fits
 * int16 stays int16 (same values, a quarter of the memory of the float copy, and the Otsu
 * histogram can count values instead of voxels).
 */
export function shiftedImage(image: Image, offset: number): Image {
  const data = pixelsOf(image)
  const type = componentTypeOf(data)
  let out: Float32Array | Int16Array = new Float32Array(0)
  if (type !== 'float32' && type !== 'float64' && Number.isInteger(offset)) {
    let min = Infinity, max = -Infinity
    for (let i = 0; i < data.length; i++) {
      const v = data[i]
      if (v < min) min = v
      if (v > max) max = v
    }
    if (min + offset >= -32768 && max + offset <= 32767) out = new Int16Array(data.length)
  }
  if (out.length === 0 && data.length > 0) out = new Float32Array(data.length)
  for (let i = 0; i < data.length; i++) out[i] = data[i] + offset
  return withPixels(image, out)
}

/**
 * Step 2: Otsu mask (value > threshold) of the shifted image; threshold in shifted units, cast
 * to float32 as ITK's filter on the float image does.
 */
export function n4OtsuMask(shifted: Image, bins = 200): { mask: Image; threshold: number } {
  const { mask, threshold } = otsuMaskOf(pixelsOf(shifted), 0, bins)
  return { mask: withPixels(shifted, mask), threshold }
}

/** The same over values + shift (threshold in shifted units). */
function otsuMaskOf(data: ArrayLike<number>, shift: number, bins: number): { mask: Uint8Array; threshold: number } {
  const threshold = otsuThresholdOf(data, shift, bins)
  return { mask: maskAbove(data, threshold - shift), threshold }
}

/** The Otsu threshold of values + shift, cast to float32 as ITK's filter on the float image does. */
function otsuThresholdOf(data: ArrayLike<number>, shift: number, bins: number): number {
  return Math.fround(otsuThresholdValue(data, { bins, valueOffset: shift }).threshold)
}

/** 1 where data > below (below = the float32 threshold minus the shift: exact, an integer of at most 17 bits). */
function maskAbove(data: ArrayLike<number>, below: number): Uint8Array {
  const mask = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i++) if (data[i] > below) mask[i] = 1
  return mask
}

export interface ShrinkPlan {
  grid: Grid
  /** Input index of shrunk voxel 0 per axis; shrunk a -> input factor * a + start. */
  start: number[]
  factor: number
}

/** Step 3: ShrinkImageFilter's output grid (size floor(n / f), centred on the input grid). */
export function n4ShrinkPlan(grid: Grid, factor: number): ShrinkPlan {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`n4: shrink factor must be a positive integer, got ${factor}`)
  const size: number[] = []
  const start: number[] = []
  const shift: number[] = []
  for (let d = 0; d < 3; d++) {
    const n = grid.size[d]
    const m = Math.max(1, Math.floor(n / factor))
    const exact = (n - 1 - factor * (m - 1)) / 2
    size.push(m)
    shift.push(exact)
    start.push(Math.floor(exact + 0.5))
  }
  const D = grid.direction
  const origin = [0, 1, 2].map((r) => grid.origin[r] + [0, 1, 2].reduce((s, c) => s + D[3 * r + c] * shift[c] * grid.spacing[c], 0))
  return {
    grid: { size, spacing: grid.spacing.map((s) => s * factor), origin, direction: [...D] },
    start,
    factor,
  }
}

/** Subsamples `data` (on `inputSize`) at the plan's voxels. */
export function shrinkPixels<T extends ArrayLike<number>>(data: ArrayLike<number>, inputSize: number[], plan: ShrinkPlan, out: { length: number; [i: number]: number } & T): T {
  const [nx, ny] = inputSize
  const [mx, my, mz] = plan.grid.size
  const f = plan.factor
  let k = 0
  for (let c = 0; c < mz; c++) {
    const z = f * c + plan.start[2]
    for (let b = 0; b < my; b++) {
      const y = f * b + plan.start[1]
      const row = (z * ny + y) * nx + plan.start[0]
      for (let a = 0; a < mx; a++) out[k++] = data[row + f * a]
    }
  }
  return out
}

/** In-place radix-2 complex FFT; inverse uses exp(+i) and does not divide by n (as vnl). */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1
    for (; j & bit; bit >>= 1) j ^= bit
    j ^= bit
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t
      t = im[i]; im[i] = im[j]; im[j] = t
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len
    const wr = Math.cos(ang), wi = Math.sin(ang)
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0
      for (let j = 0; j < len / 2; j++) {
        const a = i + j, b = a + len / 2
        const xr = re[b] * cr - im[b] * ci
        const xi = re[b] * ci + im[b] * cr
        re[b] = re[a] - xr; im[b] = im[a] - xi
        re[a] += xr; im[a] += xi
        const t = cr * wr - ci * wi
        ci = cr * wi + ci * wr
        cr = t
      }
    }
  }
}

/** ITK's SharpenImage: writes the sharpened log intensities of the mask voxels into `out`. */
export function sharpenLogImage(
  log: Float64Array, mask: Uint8Array, out: Float64Array,
  bins: number, fwhm: number, wienerNoise: number,
): void {
  const n = log.length
  // ITK's min/max scan (an `else if`, so the first voxel only ever sets the maximum)
  let binMax = -Infinity, binMin = Number.MAX_VALUE
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue
    const v = log[i]
    if (v > binMax) binMax = v
    else if (v < binMin) binMin = v
  }
  const slope = (binMax - binMin) / (bins - 1)
  const H = new Float64Array(bins)
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue
    const c = (log[i] - binMin) / slope
    const idx = Math.floor(c)
    if (idx < 0) continue // ITK's unsigned wrap-around drops it
    const off = c - idx
    if (off === 0) H[idx] += 1
    else if (idx < bins - 1) {
      H[idx] += 1 - off
      H[idx + 1] += off
    }
  }
  const exponent = Math.ceil(Math.log(bins) / Math.log(2)) + 1
  const P = Math.floor(Math.pow(2, exponent) + 0.5)
  const hOff = Math.floor(0.5 * (P - bins))
  const vr = new Float64Array(P), vi = new Float64Array(P)
  for (let k = 0; k < bins; k++) vr[k + hOff] = H[k]
  fft(vr, vi, false)
  const scaledFwhm = fwhm / slope
  const expFactor = (4 * Math.log(2)) / (scaledFwhm * scaledFwhm)
  const scaleFactor = (2 * Math.sqrt(Math.log(2) / Math.PI)) / scaledFwhm
  const fr = new Float64Array(P), fi = new Float64Array(P)
  fr[0] = scaleFactor
  const half = Math.floor(0.5 * P)
  for (let k = 1; k <= half; k++) fr[k] = fr[P - k] = scaleFactor * Math.exp(-k * k * expFactor)
  fft(fr, fi, false)
  // Wiener filter G = conj(F) / (conj(F) F + noise); U = V * Re(G)
  const ur = new Float64Array(P), ui = new Float64Array(P)
  for (let k = 0; k < P; k++) {
    const a = fr[k], b = -fi[k] // c = conj(F)
    const dr = a * fr[k] - b * fi[k] + wienerNoise
    const di = a * fi[k] + b * fr[k]
    const g = (a * dr + b * di) / (dr * dr + di * di) // Re(c / d)
    ur[k] = vr[k] * g
    ui[k] = vi[k] * g
  }
  fft(ur, ui, true)
  for (let k = 0; k < P; k++) {
    ur[k] = Math.max(ur[k], 0)
    ui[k] = 0
  }
  const nr = new Float64Array(P), ni = new Float64Array(P)
  for (let k = 0; k < P; k++) nr[k] = (binMin + (k - hOff) * slope) * ur[k]
  const smooth = (xr: Float64Array, xi: Float64Array) => {
    fft(xr, xi, false)
    for (let k = 0; k < P; k++) {
      const a = xr[k], b = xi[k]
      xr[k] = a * fr[k] - b * fi[k]
      xi[k] = a * fi[k] + b * fr[k]
    }
    fft(xr, xi, true)
  }
  smooth(nr, ni)
  smooth(ur, ui)
  const E = new Float64Array(bins)
  for (let k = 0; k < bins; k++) {
    const den = ur[k + hOff]
    E[k] = den !== 0 ? nr[k + hOff] / den : 0
  }
  for (let i = 0; i < n; i++) {
    if (!mask[i]) {
      out[i] = 0
      continue
    }
    const c = (log[i] - binMin) / slope
    const idx = Math.floor(c)
    out[i] = idx >= 0 && idx < bins - 1 ? E[idx] + (E[idx + 1] - E[idx]) * (c - idx) : E[bins - 1]
  }
}

/** Coefficient of variation of exp(a - b) over the mask (ITK's running mean / variance). */
function convergenceMeasure(a: Float64Array, b: Float64Array, mask: Uint8Array): number {
  let mu = 0, sigma = 0, N = 0
  for (let i = 0; i < a.length; i++) {
    if (!mask[i]) continue
    const p = Math.exp(a[i] - b[i])
    N += 1
    if (N > 1) sigma += ((p - mu) * (p - mu) * (N - 1)) / N
    mu = mu * (1 - 1 / N) + p / N
  }
  return Math.sqrt(sigma / (N - 1)) / mu
}

export interface N4FitResult {
  lattice: ControlLattice
  /** The log bias on the shrunk grid after the last iteration (inside n4Fit's workspace when given one: valid until that is reused). */
  logBias: Float64Array
  iterationsRun: number[]
  convergence: number[]
}

/**
 * Step 4 on a (shrunk) image: `values` > 0 inside `mask`. `workspace`, when given, holds the six
 * work arrays (6 x values.length float64, from offset 0); the returned logBias lives there.
 */
export function n4Fit(values: ArrayLike<number>, mask: Uint8Array, size: number[], options: N4Options = {}, workspace?: ArrayBufferLike): N4FitResult {
  const iterations = options.iterations ?? [50, 50, 30, 20]
  const threshold = options.convergenceThreshold ?? 0.001
  const bins = options.histogramBins ?? 200
  const fwhm = options.biasFwhm ?? 0.15
  const noise = options.wienerNoise ?? 0.01
  const cp = options.controlPoints ?? 4
  const n = values.length
  const work = (k: number) => (workspace ? new Float64Array(workspace, 8 * k * n, n) : new Float64Array(n))
  const logInput = work(0)
  for (let i = 0; i < n; i++) logInput[i] = mask[i] && values[i] > 0 ? Math.log(values[i]) : values[i]
  let logUncorrected = work(1)
  logUncorrected.set(logInput)
  let logBias: Float64Array = work(2).fill(0)
  let spare: Float64Array = work(3)
  const sharpened = work(4)
  const residual = work(5)
  let lattice: ControlLattice = emptyLattice([cp, cp, cp])
  const iterationsRun: number[] = []
  const convergence: number[] = []
  const scratch = new ScratchBuffers() // no per-iteration garbage: see ScratchBuffers
  for (let level = 0; level < iterations.length; level++) {
    let elapsed = 0
    let measure = Number.MAX_VALUE
    while (elapsed < iterations[level] && measure > threshold) {
      elapsed++
      sharpenLogImage(logUncorrected, mask, sharpened, bins, fwhm, noise)
      for (let i = 0; i < n; i++) residual[i] = logUncorrected[i] - sharpened[i]
      const phi = fitLattice(residual, mask, size, lattice.size, scratch)
      for (let j = 0; j < phi.values.length; j++) lattice.values[j] += phi.values[j]
      const newLogBias = evaluateLattice(lattice, size, spare, scratch) as Float64Array
      measure = convergenceMeasure(logBias, newLogBias, mask)
      spare = logBias // two log-bias buffers in turn: no allocation per iteration
      logBias = newLogBias
      for (let i = 0; i < n; i++) logUncorrected[i] = logInput[i] - logBias[i]
    }
    iterationsRun.push(elapsed)
    convergence.push(measure)
    if (level < iterations.length - 1) lattice = refineLattice(lattice)
  }
  return { lattice, logBias, iterationsRun, convergence }
}

export interface N4ThreadOptions extends N4Options {
  /** Threads in total for the full-resolution steps 5-6 (the calling one included); default: the available cores for large images. */
  threads?: number
}

export function n4BiasFieldCorrection(image: Image, options: N4Options = {}): N4Result {
  const { fitted, args } = fitIntoOutputs(image, options, false)
  n4CorrectKernel(args)
  return n4Result(image, fitted, args)
}

/** The same, steps 5-6 (the full-resolution field: most of the time left) on `threads` threads; identical results. */
export async function n4BiasFieldCorrectionAsync(image: Image, options: N4ThreadOptions = {}): Promise<N4Result> {
  const threads = options.threads ?? (pixelsOf(image).length >= 1 << 21 ? defaultThreadCount() : 1)
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`n4BiasFieldCorrection: threads must be an integer >= 1, got ${threads}`)
  const { fitted, args } = fitIntoOutputs(image, options, threads > 1)
  if (threads > 1) await runOnThreads({ module: import.meta.url, name: 'n4CorrectKernel', args }, threads, n4CorrectKernel)
  else n4CorrectKernel(args)
  return n4Result(image, fitted, args)
}

interface ShrunkFit {
  fit: N4FitResult
  mask: Image
  threshold: number
  offset: number
}

/**
 * Steps 1-4, the outputs allocated before the fit: the fit's work arrays and the shrunk image
 * (7 float64 arrays of the shrunk grid, ~45 MiB for a CT) then live in the corrected image's memory, which steps
 * 5-6 overwrite, instead of being garbage that V8 has not collected yet when the full-size
 * float32 output is written (the filter's memory peak).
 */
function fitIntoOutputs(image: Image, options: N4Options, shared: boolean): { fitted: ShrunkFit; args: N4CorrectArgs } {
  if ((options.splineOrder ?? 3) !== 3) throw new Error('n4BiasFieldCorrection: only spline order 3 is supported')
  const iterations = options.iterations ?? [50, 50, 30, 20]
  if (iterations.length < 1 || iterations.some((k) => !Number.isInteger(k) || k < 0)) throw new Error(`n4BiasFieldCorrection: bad iterations ${iterations}`)
  const args = planCorrection(image, shared)
  const workspace = args.corrected.buffer
  const inputs = n4ShrunkInputs(image, options, workspace)
  const inWorkspace = inputs.small.buffer === workspace
  const fit = n4Fit(inputs.small, inputs.smallMask, inputs.plan.grid.size, { ...options, iterations }, inWorkspace ? workspace : undefined)
  args.latticeSize = fit.lattice.size
  args.lattice = fit.lattice.values
  args.offset = inputs.offset
  // the full mask's getter alone: holding `inputs` would keep its shrunk arrays alive
  const readMask = Object.getOwnPropertyDescriptor(inputs, 'mask')!.get!
  const fitted: ShrunkFit = { fit, threshold: inputs.threshold, offset: inputs.offset, get mask() { return readMask() as Image } }
  return { fitted, args }
}

export interface N4ShrunkInputs {
  offset: number
  /** The mask on the input grid (uint8 0/1): the caller's, or the Otsu mask. */
  mask: Image
  /** Otsu threshold in input units; NaN when a mask was given. */
  threshold: number
  plan: ShrinkPlan
  /** The shifted image and the mask, shrunk. */
  small: Float64Array
  smallMask: Uint8Array
}

/**
 * Steps 1-3 (shared with the two-phase form, n4-two-phase.ts); `workspace`: see fitIntoOutputs. 8- and 16-bit integer input is
 * shifted on the fly (the Otsu histogram, the mask test and the shrunk copy add the offset, all
 * exact in float64), so no shifted copy of the volume is made; other input as shiftedImage.
 */
export function n4ShrunkInputs(image: Image, options: Pick<N4Options, 'mask' | 'histogramBins' | 'shrinkFactor'>, workspace?: ArrayBufferLike): N4ShrunkInputs {
  const data = pixelsOf(image)
  const size = [image.size[0], image.size[1], image.size[2] ?? 1]
  if (data.length !== size[0] * size[1] * size[2]) throw new Error(`n4BiasFieldCorrection: expected a 3-D scalar image, got size ${image.size.join('x')}`)
  const offset = n4Offset(data)
  const type = componentTypeOf(data)
  const onTheFly = ['int8', 'uint8', 'int16', 'uint16'].includes(type)
  // the values the fit sees: the input plus the offset (a copy only when that needs rounding)
  const values = onTheFly ? data : pixelsOf(shiftedImage(image, offset))
  const shift = onTheFly ? offset : 0
  const plan = n4ShrinkPlan(gridOf(image), options.shrinkFactor ?? 4)
  const shrunkCount = plan.grid.size[0] * plan.grid.size[1] * plan.grid.size[2]
  // with a workspace large enough for n4Fit's six work arrays and this one, `small` goes after them
  const inWorkspace = workspace !== undefined && 7 * 8 * shrunkCount <= workspace.byteLength
  const small = shrinkPixels(values, size, plan, inWorkspace ? new Float64Array(workspace, 6 * 8 * shrunkCount, shrunkCount) : new Float64Array(shrunkCount))
  // The fit needs the mask at the shrunk voxels only: it is tested there (subsampling commutes
  // with a per-voxel test), and the full-resolution mask is made only if a caller reads it
  // (50 MiB for a CT-sized volume, which would otherwise be alive next to the corrected image
  // and the bias field: the filter's peak).
  let threshold = NaN
  let smallMask: Uint8Array
  let fullMask: () => Uint8Array
  const callerMask = options.mask
  if (callerMask) {
    const m = pixelsOf(callerMask)
    if (m.length !== data.length) throw new Error('n4BiasFieldCorrection: the mask must be on the input grid')
    const picked = shrinkPixels(m, size, plan, new Float64Array(shrunkCount)) // any type: non-zero counts
    smallMask = new Uint8Array(shrunkCount)
    for (let i = 0; i < shrunkCount; i++) smallMask[i] = picked[i] ? 1 : 0
    fullMask = () => {
      const u = new Uint8Array(m.length)
      for (let i = 0; i < m.length; i++) u[i] = m[i] ? 1 : 0
      return u
    }
  } else {
    const shifted = otsuThresholdOf(values, shift, options.histogramBins ?? 200)
    threshold = shifted - offset
    const below = shifted - shift
    smallMask = new Uint8Array(shrunkCount)
    // small still holds the unshifted subsampled values: the full mask's test, voxel for voxel
    for (let i = 0; i < shrunkCount; i++) if (small[i] > below) smallMask[i] = 1
    // made again from the input when read, so that no float copy is kept alive for it
    fullMask = () => maskAbove(onTheFly ? data : pixelsOf(shiftedImage(image, offset)), below)
  }
  if (shift !== 0) for (let i = 0; i < shrunkCount; i++) small[i] += shift
  let made: Image | undefined
  const inputs = { offset, threshold, plan, small, smallMask } as N4ShrunkInputs
  Object.defineProperty(inputs, 'mask', { enumerable: true, get: () => (made ??= withPixels(image, fullMask())) })
  return inputs
}

/** Arguments of the steps 5-6 kernel; typed arrays over SharedArrayBuffers when threaded. */
export interface N4CorrectArgs {
  data: PixelArray
  size: [number, number, number]
  latticeSize: [number, number, number]
  lattice: Float64Array
  offset: number
  corrected: Float32Array
  /** planes per work item */
  planes: number
  /** [next work item] */
  next: Int32Array
}

/** The kernel's arguments with the outputs allocated; the lattice and offset are filled in after the fit. */
function planCorrection(image: Image, shared: boolean): N4CorrectArgs {
  const data = pixelsOf(image)
  const size: [number, number, number] = [image.size[0], image.size[1], image.size[2] ?? 1]
  const floats = () => (shared ? new Float32Array(new SharedArrayBuffer(4 * data.length)) : new Float32Array(data.length))
  return {
    data: shared ? asShared(data) : data,
    size,
    latticeSize: [0, 0, 0],
    lattice: new Float64Array(0),
    offset: 0,
    corrected: floats(),
    planes: 4,
    next: shared ? sharedCounter() : new Int32Array(1),
  }
}

/**
 * Steps 5-6 plane by plane, work items pulled from args.next: log bias from the lattice,
 * corrected = (input + offset) / exp(log bias) - offset (float32, as ITK's float image).
 */
export function n4CorrectKernel(args: N4CorrectArgs): void {
  const { data, size, offset, corrected, planes, next } = args
  const planeSize = size[0] * size[1]
  const logPlane = new Float64Array(planeSize)
  const evaluate = latticePlanes({ size: args.latticeSize, values: args.lattice }, size)
  for (;;) {
    const z0 = Atomics.add(next, 0, 1) * planes
    if (z0 >= size[2]) break
    for (let z = z0; z < Math.min(size[2], z0 + planes); z++) {
      evaluate(z, logPlane, 0)
      const base = z * planeSize
      for (let j = 0; j < planeSize; j++) corrected[base + j] = Math.fround(data[base + j] + offset) / Math.exp(logPlane[j]) - offset
    }
  }
}

/** Step 5 alone: exp(log bias) on every voxel of the grid, float32 (the bias the kernel divides by). */
function biasFieldOf(size: [number, number, number], latticeSize: [number, number, number], lattice: Float64Array): Float32Array {
  const planeSize = size[0] * size[1]
  const bias = new Float32Array(planeSize * size[2])
  const logPlane = new Float64Array(planeSize)
  const evaluate = latticePlanes({ size: latticeSize, values: lattice }, size)
  for (let z = 0; z < size[2]; z++) {
    evaluate(z, logPlane, 0)
    const base = z * planeSize
    for (let j = 0; j < planeSize; j++) bias[base + j] = Math.exp(logPlane[j])
  }
  return bias
}

function n4Result(image: Image, fitted: ShrunkFit, { corrected, size, latticeSize, lattice }: N4CorrectArgs): N4Result {
  const { fit, threshold, offset } = fitted
  let bias: Image | undefined
  return {
    corrected: makeImage(gridOf(image), corrected, `${image.name}-n4`),
    get biasField() { return (bias ??= makeImage(gridOf(image), biasFieldOf(size, latticeSize, lattice), `${image.name}-n4-bias`)) },
    get mask() { return fitted.mask }, // made when read (see n4ShrunkInputs)
    iterationsRun: fit.iterationsRun,
    convergence: fit.convergence,
    threshold,
    offset,
  }
}
