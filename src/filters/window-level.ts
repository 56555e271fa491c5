// Mirrors itk::IntensityWindowingImageFilter: values in [windowMinimum, windowMaximum] map
// linearly onto [outputMinimum, outputMaximum]; values below the window give outputMinimum,
// above give outputMaximum (scale = (outMax - outMin) / (winMax - winMin),
// shift = outMin - winMin * scale, as ITK). Plus CT window presets given as level (centre) and
// width, turned into a window [level - width / 2, level + width / 2].
// Preset values: the common radiology display windows as listed by Radiopaedia's "Windowing (CT)"
// article (W = width, L = level, HU): brain W80 L40, lung W1500 L-600, mediastinum W350 L50,
// soft tissue W400 L40 (Radiopaedia gives W350-400, L20-60), bone W1800 L400, liver W150 L30.
// Differs on purpose: the preset window edges are level +- width/2, not DICOM's VOI LUT LINEAR
// convention (PS3.3 C.11.2.1.2: level - 0.5 +- (width - 1) / 2), which moves each edge by half
// a unit; output is float32 by default (uint8 on request, rounded to nearest, as a display image)
// where ITK casts to the output pixel type. NaN voxels stay NaN (0 in uint8). Pointwise.
import { pixelsOf, withPixels, type Image, type PixelArray } from '../image/image.js'
import { pointwiseFootprint, type Footprint } from '../chunks/footprint.js'

export const windowLevelFootprint: Footprint = pointwiseFootprint

export interface WindowPreset {
  /** Window centre (level), HU. */
  level: number
  /** Window width, HU. */
  width: number
}

export const windowPresets = {
  brain: { level: 40, width: 80 },
  lung: { level: -600, width: 1500 },
  mediastinum: { level: 50, width: 350 },
  'soft-tissue': { level: 40, width: 400 },
  bone: { level: 400, width: 1800 },
  liver: { level: 30, width: 150 },
} as const satisfies Record<string, WindowPreset>

export type WindowPresetName = keyof typeof windowPresets

export function isWindowPresetName(name: string): name is WindowPresetName {
  return Object.prototype.hasOwnProperty.call(windowPresets, name)
}

export interface IntensityWindow {
  windowMinimum: number
  windowMaximum: number
  /** Default 0. */
  outputMinimum?: number
  /** Default 1 for float32 output, 255 for uint8. */
  outputMaximum?: number
  /** float32 (default) or uint8 (display). */
  outputType?: 'float32' | 'uint8'
}

/** [level - width/2, level + width/2]. */
export function windowFromLevel(level: number, width: number): { windowMinimum: number; windowMaximum: number } {
  if (!(width > 0)) throw new Error(`window width must be positive, got ${width}`)
  if (!Number.isFinite(level)) throw new Error(`window level must be a number, got ${level}`)
  return { windowMinimum: level - width / 2, windowMaximum: level + width / 2 }
}

/** IntensityWindowingImageFilter on a pixel array. */
export function intensityWindowPixels(data: ArrayLike<number>, w: IntensityWindow): Float32Array | Uint8Array {
  const { windowMinimum: lo, windowMaximum: hi } = w
  if (!(hi > lo)) throw new Error(`intensity window: maximum ${hi} must be greater than minimum ${lo}`)
  const uint8 = w.outputType === 'uint8'
  const outMin = w.outputMinimum ?? 0
  const outMax = w.outputMaximum ?? (uint8 ? 255 : 1)
  if (uint8 && (outMin < 0 || outMax > 255)) throw new Error('intensity window: uint8 output range must lie in [0, 255]')
  const scale = (outMax - outMin) / (hi - lo)
  const shift = outMin - lo * scale
  const n = data.length
  const out = uint8 ? new Uint8Array(n) : new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const v = data[i]
    const o = v < lo ? outMin : v > hi ? outMax : v * scale + shift
    out[i] = uint8 ? Math.round(o) : o
  }
  return out
}

export function intensityWindow(image: Image, w: IntensityWindow): Image {
  return withPixels(image, intensityWindowPixels(pixelsOf(image), w) as PixelArray)
}

/** A preset (or any level/width) window; output [0, 1] float32 by default. */
export function windowLevel(
  image: Image,
  window: WindowPresetName | WindowPreset,
  output: Omit<IntensityWindow, 'windowMinimum' | 'windowMaximum'> = {},
): Image {
  const preset = typeof window === 'string' ? windowPresets[window] : window
  if (!preset) throw new Error(`unknown window preset '${String(window)}'; known: ${Object.keys(windowPresets).join(', ')}`)
  return intensityWindow(image, { ...windowFromLevel(preset.level, preset.width), ...output })
}
