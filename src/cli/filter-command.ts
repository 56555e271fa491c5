// `voxelflow filter <name> <in> <out> [--option value ...]`: one image operation of
// src/filters on a NIfTI file, written as NIfTI. Options are parsed here (not by commander)
// because each filter has its own set; unknown or malformed options are BadInputErrors naming
// the option (exit code 2).
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { gridOf, pixelsOf, withPixels, type Grid, type Image } from '../image/image.js'
import { readNifti, writeNifti } from '../io/nifti.js'
import { BadInputError } from '../pipeline/errors.js'
import { isotropicGrid, resampleAsync, type Interpolator } from '../filters/resample.js'
import { thresholdPixels } from '../filters/binary-threshold.js'
import { ballRadiusFromMm, closeMask, dilateMask, erodeMask, openMask, type BallRadius } from '../filters/binary-morphology.js'
import { otsuThreshold } from '../filters/otsu-threshold.js'
import { laplacianSharpening } from '../filters/laplacian-sharpening.js'
import { adaptiveHistogramEqualization } from '../filters/adaptive-histogram-equalization.js'
import { signedMaurerDistanceAsync } from '../filters/signed-maurer-distance.js'
import { intensityWindow, isWindowPresetName, windowFromLevel, windowPresets } from '../filters/window-level.js'
import { clipIntensity, minMax, percentileNormalize, zScore } from '../filters/intensity-normalization.js'
import { expTransform, logTransform, powerTransform } from '../filters/intensity-transforms.js'
import type { ComponentType } from '../image/image.js'

type OptionType = 'number' | 'integer' | 'boolean' | 'string' | 'triple' | 'file'

interface OptionSpec {
  type: OptionType
  help: string
  choices?: readonly string[]
  /** integer/number lower bound (inclusive) */
  min?: number
  /** number must be > 0 */
  positive?: boolean
}

type Values = Record<string, unknown>

interface FilterSpec {
  help: string
  options: Record<string, OptionSpec>
  run(image: Image, o: Values): Promise<{ image: Image; results?: Record<string, unknown> }> | { image: Image; results?: Record<string, unknown> }
}

const radiusOptions: Record<string, OptionSpec> = {
  radius: { type: 'triple', help: 'ball radius in voxels: r or rx,ry,rz (default 1)', min: 0 },
  'radius-mm': { type: 'number', help: 'ball radius in mm (per-axis voxel radius round(mm / spacing))', positive: true },
  foreground: { type: 'number', help: 'foreground value (default: every non-zero voxel)' },
}

function ballRadius(image: Image, o: Values): BallRadius {
  if (o.radius !== undefined && o['radius-mm'] !== undefined) throw new BadInputError('give --radius or --radius-mm, not both', { field: 'radius' })
  if (o['radius-mm'] !== undefined) return ballRadiusFromMm(o['radius-mm'] as number, image.spacing)
  const r = (o.radius as number[] | undefined) ?? [1, 1, 1]
  return [r[0], r[1], r[2]]
}

function maskOf(image: Image, foreground: unknown): Uint8Array {
  const data = pixelsOf(image)
  const out = new Uint8Array(data.length)
  if (foreground === undefined) for (let i = 0; i < data.length; i++) out[i] = data[i] !== 0 ? 1 : 0
  else for (let i = 0; i < data.length; i++) out[i] = data[i] === foreground ? 1 : 0
  return out
}

const morphology = (op: (m: Uint8Array, size: number[], r: BallRadius) => Uint8Array, help: string): FilterSpec => ({
  help,
  options: radiusOptions,
  run: (image, o) => ({ image: withPixels(image, op(maskOf(image, o.foreground), image.size, ballRadius(image, o))) }),
})

const outputTypes = ['float32', 'float64', 'int16', 'uint16', 'int32', 'uint8', 'same'] as const

export const filters: Record<string, FilterSpec> = {
  resample: {
    help: 'ResampleImageFilter to a new spacing (origin and direction kept, size round(n * s / s\'))',
    options: {
      interpolator: { type: 'string', help: 'nearest | linear | bspline (default bspline)', choices: ['nearest', 'linear', 'bspline'] },
      spacing: { type: 'triple', help: 'output spacing in mm: s (isotropic) or sx,sy,sz (default: smallest in-plane spacing)', positive: true },
      'default-value': { type: 'number', help: 'value outside the input (default -1024; 0 for nearest)' },
      'output-type': { type: 'string', help: 'float32 (default; nearest: same) | float64 | int16 | uint16 | int32 | uint8 | same', choices: outputTypes },
    },
    async run(image, o) {
      const interpolator = ((o.interpolator as string | undefined) ?? 'bspline') as Interpolator
      const spacing = o.spacing as number[] | undefined
      const grid: Grid = !spacing
        ? isotropicGrid(gridOf(image))
        : spacing.every((s) => s === spacing[0])
          ? isotropicGrid(gridOf(image), spacing[0])
          : spacedGrid(gridOf(image), spacing)
      const defaultValue = (o['default-value'] as number | undefined) ?? (interpolator === 'nearest' ? 0 : -1024)
      const requested = (o['output-type'] as string | undefined) ?? (interpolator === 'nearest' ? 'same' : 'float32')
      const outputType = (requested === 'same' ? image.imageType.componentType : requested) as ComponentType
      // linear and B-spline run on the filter thread pool for large outputs (resampleAsync)
      return { image: await resampleAsync(image, grid, { interpolator, defaultValue, outputType }), results: { size: grid.size, spacing: grid.spacing } }
    },
  },
  threshold: {
    help: 'BinaryThresholdImageFilter: 1 where lower <= v <= upper (uint8)',
    options: {
      lower: { type: 'number', help: 'lower bound, inclusive (required)' },
      upper: { type: 'number', help: 'upper bound, inclusive (default +infinity)' },
      inside: { type: 'integer', help: 'inside value (default 1)', min: 0 },
      outside: { type: 'integer', help: 'outside value (default 0)', min: 0 },
    },
    run(image, o) {
      if (o.lower === undefined) throw new BadInputError('threshold needs --lower', { field: 'lower' })
      const upper = (o.upper as number | undefined) ?? Infinity
      if ((o.lower as number) > upper) throw new BadInputError(`--lower ${o.lower} is greater than --upper ${upper}`, { field: 'lower' })
      for (const k of ['inside', 'outside']) if (o[k] !== undefined && (o[k] as number) > 255) throw new BadInputError(`--${k} must fit uint8 (0..255)`, { field: k })
      const mask = thresholdPixels(pixelsOf(image), o.lower as number, upper, (o.inside as number | undefined) ?? 1, (o.outside as number | undefined) ?? 0)
      return { image: withPixels(image, mask) }
    },
  },
  dilate: morphology(dilateMask, 'BinaryDilateImageFilter with a ball (uint8 0/1)'),
  erode: morphology(erodeMask, 'BinaryErodeImageFilter with a ball (uint8 0/1)'),
  open: morphology(openMask, 'BinaryMorphologicalOpeningImageFilter with a ball (uint8 0/1)'),
  close: {
    help: 'BinaryMorphologicalClosingImageFilter with a ball (uint8 0/1; SafeBorder on)',
    options: { ...radiusOptions, 'safe-border': { type: 'boolean', help: 'ITK SafeBorder (default on; --no-safe-border)' } },
    run: (image, o) => ({
      image: withPixels(image, closeMask(maskOf(image, o.foreground), image.size, ballRadius(image, o), (o['safe-border'] as boolean | undefined) ?? true)),
    }),
  },
  otsu: {
    help: 'OtsuThresholdImageFilter: mask 1 where v > threshold (uint8); prints the threshold',
    options: {
      bins: { type: 'integer', help: 'histogram bins (default 128)', min: 2 },
      midpoint: { type: 'boolean', help: 'threshold at the bin midpoint (ITK ReturnBinMidpoint)' },
    },
    run(image, o) {
      const r = otsuThreshold(image, { bins: o.bins as number | undefined, returnBinMidpoint: o.midpoint as boolean | undefined })
      return { image: r.mask, results: { threshold: r.threshold, pixelThreshold: r.pixelThreshold, bin: r.bin } }
    },
  },
  laplacian: {
    help: 'LaplacianSharpeningImageFilter (float32)',
    options: { spacing: { type: 'boolean', help: 'use the image spacing (default on; --no-spacing)' } },
    run: (image, o) => ({ image: laplacianSharpening(image, { useImageSpacing: (o.spacing as boolean | undefined) ?? true }) }),
  },
  ahe: {
    help: 'AdaptiveHistogramEqualizationImageFilter (float32)',
    options: {
      alpha: { type: 'number', help: 'alpha (default 0.3)' },
      beta: { type: 'number', help: 'beta (default 0.3)' },
      radius: { type: 'triple', help: 'box radius in voxels: r or rx,ry,rz (default 5)', min: 0 },
      threads: { type: 'integer', help: 'threads (default: the cores, for large images)', min: 1 },
    },
    async run(image, o) {
      const r = o.radius as number[] | undefined
      return {
        image: await adaptiveHistogramEqualization(image, {
          alpha: o.alpha as number | undefined,
          beta: o.beta as number | undefined,
          radius: r ? [r[0], r[1], r[2]] : undefined,
          threads: o.threads as number | undefined,
        }),
      }
    },
  },
  maurer: {
    help: 'SignedMaurerDistanceMapImageFilter: mm, inside negative (float32)',
    options: {
      squared: { type: 'boolean', help: 'squared distances' },
      'inside-positive': { type: 'boolean', help: 'positive inside, negative outside' },
      background: { type: 'number', help: 'background value (default 0)' },
      spacing: { type: 'boolean', help: 'use the image spacing (default on; --no-spacing: voxel units)' },
      threads: { type: 'integer', help: 'threads (default: the cores, for large images)', min: 1 },
    },
    run: async (image, o) => ({
      image: await signedMaurerDistanceAsync(image, {
        squaredDistance: o.squared as boolean | undefined,
        insideIsPositive: o['inside-positive'] as boolean | undefined,
        backgroundValue: o.background as number | undefined,
        useImageSpacing: o.spacing as boolean | undefined,
        threads: o.threads as number | undefined,
      }),
    }),
  },
  window: {
    help: `IntensityWindowingImageFilter; presets (level/width HU): ${Object.entries(windowPresets).map(([k, p]) => `${k} ${p.level}/${p.width}`).join(', ')}`,
    options: {
      preset: { type: 'string', help: 'window preset', choices: Object.keys(windowPresets) },
      level: { type: 'number', help: 'window centre (with --width)' },
      width: { type: 'number', help: 'window width (with --level)', positive: true },
      min: { type: 'number', help: 'window minimum (with --max)' },
      max: { type: 'number', help: 'window maximum (with --min)' },
      'output-min': { type: 'number', help: 'output minimum (default 0)' },
      'output-max': { type: 'number', help: 'output maximum (default 1; 255 with --uint8)' },
      uint8: { type: 'boolean', help: 'uint8 display output' },
    },
    run(image, o) {
      let window: { windowMinimum: number; windowMaximum: number }
      const given = ['preset', 'level', 'min'].filter((k) => o[k] !== undefined)
      if (given.length !== 1) throw new BadInputError('window needs exactly one of --preset, --level/--width, --min/--max', { field: given[1] ?? 'preset' })
      if (o.preset !== undefined) {
        const name = o.preset as string
        if (!isWindowPresetName(name)) throw new BadInputError(`unknown --preset ${name}`, { field: 'preset' })
        window = windowFromLevel(windowPresets[name].level, windowPresets[name].width)
      } else if (o.level !== undefined) {
        if (o.width === undefined) throw new BadInputError('--level needs --width', { field: 'width' })
        window = windowFromLevel(o.level as number, o.width as number)
      } else {
        if (o.max === undefined) throw new BadInputError('--min needs --max', { field: 'max' })
        if (!((o.max as number) > (o.min as number))) throw new BadInputError('--max must be greater than --min', { field: 'max' })
        window = { windowMinimum: o.min as number, windowMaximum: o.max as number }
      }
      return {
        image: intensityWindow(image, {
          ...window,
          outputMinimum: o['output-min'] as number | undefined,
          outputMaximum: o['output-max'] as number | undefined,
          outputType: o.uint8 ? 'uint8' : 'float32',
        }),
        results: window,
      }
    },
  },
  clip: {
    help: 'ClampImageFilter (HU clipping, default [-1024, 3071])',
    options: { lower: { type: 'number', help: 'lower bound (default -1024)' }, upper: { type: 'number', help: 'upper bound (default 3071)' } },
    run(image, o) {
      const lower = (o.lower as number | undefined) ?? -1024
      const upper = (o.upper as number | undefined) ?? 3071
      if (lower > upper) throw new BadInputError(`--lower ${lower} is greater than --upper ${upper}`, { field: 'lower' })
      return { image: clipIntensity(image, lower, upper) }
    },
  },
  zscore: {
    help: 'NormalizeImageFilter: (v - mean) / sample sigma (float32)',
    options: { mask: { type: 'file', help: 'NIfTI mask: statistics over its non-zero voxels' } },
    async run(image, o) {
      const mask = o.mask ? await readNifti(o.mask as string) : undefined
      if (mask && pixelsOf(mask).length !== pixelsOf(image).length) throw new BadInputError(`mask size ${mask.size.join('x')} differs from the image's ${image.size.join('x')}`, { field: 'mask', file: o.mask as string })
      return { image: zScore(image, { mask }) }
    },
  },
  minmax: {
    help: 'RescaleIntensityImageFilter: [min, max] -> [output-min, output-max] (float32)',
    options: { 'output-min': { type: 'number', help: 'default 0' }, 'output-max': { type: 'number', help: 'default 1' } },
    run: (image, o) => ({ image: minMax(image, { outputMinimum: o['output-min'] as number | undefined, outputMaximum: o['output-max'] as number | undefined }) }),
  },
  percentile: {
    help: 'percentile normalization: [P_lower, P_upper] -> [output-min, output-max], clipped (float32)',
    options: {
      lower: { type: 'number', help: 'lower percentile (default 0.5)', min: 0 },
      upper: { type: 'number', help: 'upper percentile (default 99.5)', min: 0 },
      'output-min': { type: 'number', help: 'default 0' },
      'output-max': { type: 'number', help: 'default 1' },
      clip: { type: 'boolean', help: 'clip beyond the percentiles (default on; --no-clip)' },
    },
    run(image, o) {
      const lower = (o.lower as number | undefined) ?? 0.5
      const upper = (o.upper as number | undefined) ?? 99.5
      if (upper > 100) throw new BadInputError('--upper must be at most 100', { field: 'upper' })
      if (lower >= upper) throw new BadInputError(`--lower ${lower} must be below --upper ${upper}`, { field: 'lower' })
      return {
        image: percentileNormalize(image, {
          lower, upper, clip: o.clip as boolean | undefined,
          outputMinimum: o['output-min'] as number | undefined, outputMaximum: o['output-max'] as number | undefined,
        }),
      }
    },
  },
  log: { help: 'log1p(v - min) (float32)', options: {}, run: (image) => ({ image: logTransform(image) }) },
  power: {
    help: 'sign(z) |z|^gamma of the z-scored image (float32)',
    options: { gamma: { type: 'number', help: 'exponent (required)', positive: true } },
    run(image, o) {
      if (o.gamma === undefined) throw new BadInputError('power needs --gamma', { field: 'gamma' })
      return { image: powerTransform(image, o.gamma as number) }
    },
  },
  exp: { help: 'exp of the z-scored image (float32)', options: {}, run: (image) => ({ image: expTransform(image) }) },
}

const aliases: Record<string, string> = {
  'binary-threshold': 'threshold',
  closing: 'close',
  opening: 'open',
  'otsu-threshold': 'otsu',
  'laplacian-sharpening': 'laplacian',
  'adaptive-histogram-equalization': 'ahe',
  'signed-maurer': 'maurer',
  'signed-maurer-distance': 'maurer',
  'window-level': 'window',
  'z-score': 'zscore',
  'min-max': 'minmax',
}

function spacedGrid(grid: Grid, spacing: number[]): Grid {
  return {
    size: grid.size.map((n, d) => Math.max(1, Math.round((n * grid.spacing[d]) / spacing[d]))),
    spacing: [...spacing],
    origin: [...grid.origin],
    direction: [...grid.direction],
  }
}

export interface FilterCommandResult {
  filter: string
  input: string
  output: string
  options: Values
  results?: Record<string, unknown>
  ms: number
}

interface ParsedArgs {
  name: string
  input: string
  output: string
  options: Values
}

/** Split `name in out --k v --flag --no-flag --k=v` (options anywhere) and validate the options. */
export function parseFilterArgs(args: string[]): ParsedArgs {
  const positional: string[] = []
  const raw: [string, string | undefined][] = []
  const first = args.findIndex((a) => !a.startsWith('--'))
  const name0 = first >= 0 ? args[first] : undefined
  const name = name0 ? aliases[name0] ?? name0 : undefined
  const spec = name ? filters[name] : undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--') continue
    if (!a.startsWith('--')) {
      positional.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const key = eq >= 0 ? a.slice(2, eq) : a.slice(2)
    if (eq >= 0) {
      raw.push([key, a.slice(eq + 1)])
      continue
    }
    const bare = key.startsWith('no-') ? key.slice(3) : key
    const isFlag = spec?.options[bare]?.type === 'boolean' || spec?.options[key]?.type === 'boolean'
    if (isFlag || i + 1 >= args.length) raw.push([key, undefined])
    else raw.push([key, args[++i]])
  }
  if (!name0) throw new BadInputError(`filter: name a filter (${Object.keys(filters).join(', ')})`, { field: 'name' })
  if (!spec) throw new BadInputError(`filter: unknown filter '${name0}'; known: ${Object.keys(filters).join(', ')}`, { field: 'name' })
  if (positional.length !== 3) {
    throw new BadInputError(`filter ${name0}: expected <in> <out> after the name, got ${positional.length - 1} argument(s)${positional.length > 3 ? `: ${positional.slice(1).join(' ')}` : ''}`, { field: 'arguments' })
  }
  const options: Values = {}
  for (const [key, value] of raw) {
    let k = key
    let v: unknown = value
    let opt = spec.options[k]
    if (!opt && k.startsWith('no-') && spec.options[k.slice(3)]?.type === 'boolean') {
      k = k.slice(3)
      opt = spec.options[k]
      if (value !== undefined) throw new BadInputError(`--${key} takes no value`, { field: k })
      v = 'false'
    }
    if (!opt) {
      const known = Object.keys(spec.options)
      throw new BadInputError(`filter ${name}: unknown option --${key}${known.length ? ` (options: ${known.map((o) => `--${o}`).join(', ')})` : ' (it takes no options)'}`, { field: key })
    }
    if (k in options) throw new BadInputError(`option --${k} given twice`, { field: k })
    options[k] = convert(k, opt, v as string | undefined)
  }
  return { name: name as string, input: positional[1], output: positional[2], options }
}

function convert(key: string, opt: OptionSpec, value: string | undefined): unknown {
  const bad = (why: string) => new BadInputError(`option --${key} ${why}`, { field: key })
  if (opt.type === 'boolean') {
    if (value === undefined || value === 'true') return true
    if (value === 'false') return false
    throw bad(`is a flag (true or false), got '${value}'`)
  }
  if (value === undefined) throw bad('needs a value')
  const number = (s: string): number => {
    const n = s.trim() === '' ? NaN : Number(s)
    if (!Number.isFinite(n)) throw bad(`must be a number, got '${value}'`)
    if (opt.type === 'integer' && !Number.isInteger(n)) throw bad(`must be an integer, got '${value}'`)
    if (opt.min !== undefined && n < opt.min) throw bad(`must be at least ${opt.min}, got ${n}`)
    if (opt.positive && !(n > 0)) throw bad(`must be positive, got ${n}`)
    return n
  }
  switch (opt.type) {
    case 'number':
    case 'integer':
      return number(value)
    case 'triple': {
      const parts = value.split(',')
      if (parts.length !== 1 && parts.length !== 3) throw bad(`must be one value or three comma-separated values, got '${value}'`)
      const nums = parts.map(number)
      if (key === 'radius') for (const n of nums) if (!Number.isInteger(n)) throw bad(`must be whole voxels, got '${value}'`)
      return nums.length === 1 ? [nums[0], nums[0], nums[0]] : nums
    }
    case 'string':
    case 'file':
      if (opt.choices && !opt.choices.includes(value)) throw bad(`must be one of ${opt.choices.join(', ')}, got '${value}'`)
      return value
  }
}

/** Run one filter: read <in>, apply, write <out>. */
export async function runFilterCommand(args: string[]): Promise<FilterCommandResult> {
  const { name, input, output, options } = parseFilterArgs(args)
  if (!existsSync(input)) throw new BadInputError('no such file', { file: input })
  const image = await readNifti(input)
  if (image.imageType.components !== 1 || image.size.length !== 3) {
    throw new BadInputError(`expected a 3-D scalar image, got ${image.size.length}-D with ${image.imageType.components} component(s)`, { file: input })
  }
  const started = performance.now()
  let result
  try {
    result = await filters[name].run(image, options)
  } catch (error) {
    // the library's own checks (plain Errors: unusable image, bad parameter) are about the
    // user's input; TypeErrors and the like are faults of ours and stay internal
    if (error instanceof Error && error.constructor === Error) throw new BadInputError(error.message, { file: input }, { cause: error })
    throw error
  }
  const ms = performance.now() - started
  await writeNifti(result.image, output)
  return { filter: name, input, output, options, results: result.results, ms }
}

function filterHelp(): string {
  const lines = ['', 'Filters and their options:']
  for (const [name, spec] of Object.entries(filters)) {
    lines.push(`  ${name}: ${spec.help}`)
    for (const [k, o] of Object.entries(spec.options)) lines.push(`      --${k}  ${o.help}`)
  }
  lines.push('', 'Example: voxelflow filter ahe ct.nii.gz ct-ahe.nii.gz --alpha 0.9 --beta 0.9 --radius 3')
  return lines.join('\n')
}

export function registerFilterCommand(program: Command): Command {
  return program
    .command('filter')
    .description('apply one image operation to a NIfTI file: voxelflow filter <name> <in> <out> [--option value ...]')
    .argument('<name>', `operation: ${Object.keys(filters).join(', ')}`)
    .argument('<in>', 'input .nii / .nii.gz')
    .argument('<out>', 'output .nii / .nii.gz')
    .argument('[options...]', 'filter options (see below)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText('after', filterHelp())
    .action(async (_name: string, _in: string, _out: string, _rest: string[], _flags: unknown, command: Command) => {
      const r = await runFilterCommand(command.args)
      const extra = r.results ? ` ${JSON.stringify(r.results)}` : ''
      console.log(`voxelflow filter ${r.filter}: ${r.input} -> ${r.output} (${(r.ms / 1000).toFixed(2)} s)${extra}`)
    })
}
