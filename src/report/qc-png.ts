// QC picture: axial, coronal and sagittal views side by side through the labels' centroid
// (or the middle of the volume), intensity windowed to grey, labels blended in colour, with
// orientation letters at the view edges, a scale bar and a colour legend. See qc-views.ts for
// the orientation conventions; this module only draws.
import type { Image } from '../image/image.js'
import { type SlabVolume, asSlabVolume } from '../chunks/slab-volume.js'
import { drawText, textHeight, textWidth } from './bitmap-font.js'
import { encodeRgbaPngSync } from './png-encode.js'
import { qcViews, type QcOrientation, type QcViews, type ViewName } from './qc-views.js'
import { valueRange } from '../image/value-range.js'

export { qcViews, nearestAxes, labelSummary } from './qc-views.js'
export type { QcView, QcViews, QcViewsOptions, ScreenAxis, ViewName, QcOrientation } from './qc-views.js'

export type Rgb = [number, number, number]

export interface QcPngOptions {
  /** The volume, whole or as its slabs (see qcViews). */
  image: Image | SlabVolume
  labels?: Image | SlabVolume | null
  /** Display window in image units (e.g. HU). Default: the image's min..max. */
  window?: { center: number; width: number }
  /** Colour per label value; missing labels get colours from a fixed golden-angle palette. */
  labelColors?: Record<number, Rgb>
  /** Legend text per label value (default: the value). */
  labelNames?: Record<number, string>
  /** Overlay opacity, 0..1 (default 0.45). */
  alpha?: number
  /** See qcViews. */
  center?: [number, number, number]
  mmPerPixel?: number
  orientation?: QcOrientation
  /** See qcViews. */
  labelSummary?: { values: number[]; centroid: number[] | null }
}

export interface QcPanel { name: ViewName; x: number; y: number; width: number; height: number }

export interface QcRaster {
  width: number
  height: number
  /** RGBA, row-major, 4 bytes per pixel. */
  rgba: Uint8Array
  /** Where each view was drawn on the canvas. */
  panels: QcPanel[]
  legend: { label: number; name: string; color: Rgb }[]
  scaleBar: { mm: number; pixels: number }
  views: QcViews
}

const LETTER_COLOR: Rgb = [255, 255, 255]
const TEXT_COLOR: Rgb = [230, 230, 230]
const FONT_SCALE = 2
const MARGIN = textHeight(FONT_SCALE) + 8 // room for the edge letters around each view
const GAP = 6

/** Distinct colours for labels in order of appearance (golden-angle hues, full saturation). */
export function paletteColor(index: number): Rgb {
  const h = ((index * 137.508) % 360) / 60
  const s = 0.85, v = 1
  const c = v * s, x = c * (1 - Math.abs((h % 2) - 1)), m = v - c
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x]
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)]
}

function chooseScaleBar(mmPerPixel: number, maxPixels: number): { mm: number; pixels: number } {
  for (const mm of [200, 100, 50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1]) {
    const pixels = Math.round(mm / mmPerPixel)
    if (pixels <= maxPixels) return { mm, pixels }
  }
  return { mm: 0.1, pixels: Math.max(1, Math.round(0.1 / mmPerPixel)) }
}

/** Draw the QC picture into an RGBA raster (everything renderQcPng does except PNG encoding). */
export function renderQcRgba(options: QcPngOptions): QcRaster {
  const views = qcViews(options)
  const alpha = Math.min(1, Math.max(0, options.alpha ?? 0.45))
  let window = options.window
  if (!window) {
    const ranges = asSlabVolume(options.image).planes.map(valueRange)
    const lo = Math.min(...ranges.map((r) => r.min)), hi = Math.max(...ranges.map((r) => r.max))
    window = { center: (lo + hi) / 2, width: Math.max(hi - lo, 1e-12) }
  }
  if (!(window.width > 0)) throw new Error(`renderQcPng: window width must be > 0, got ${window.width}`)
  const wLow = window.center - window.width / 2

  // legend entries: every nonzero label of the map, colour by rank unless given
  const legend = views.labelValues.map((label, rank) => ({
    label,
    name: options.labelNames?.[label] ?? String(label),
    color: (options.labelColors?.[label] ?? paletteColor(rank)) as Rgb,
  }))

  // ---- layout ----
  const panels: QcPanel[] = []
  let x = 0
  for (const v of views.views) {
    panels.push({ name: v.name, x: x + MARGIN, y: MARGIN, width: v.width, height: v.height })
    x += v.width + 2 * MARGIN + GAP
  }
  const width = x - GAP
  const panelsBottom = MARGIN + Math.max(...views.views.map((v) => v.height)) + MARGIN
  const th = textHeight(FONT_SCALE)
  const scaleBar = chooseScaleBar(views.mmPerPixel, Math.max(1, Math.floor(0.4 * Math.min(...views.views.map((v) => v.width)))))
  const scaleText = `${scaleBar.mm} mm`
  // legend items flow after the scale bar, wrapping to new rows
  const swatch = th
  const itemWidth = (name: string): number => swatch + 4 + textWidth(name, FONT_SCALE) + 14
  const rowHeight = th + 8
  const placed: { x: number; row: number }[] = []
  let cx = MARGIN + scaleBar.pixels + 8 + textWidth(scaleText, FONT_SCALE) + 24
  let row = 0
  for (const e of legend) {
    const w = itemWidth(e.name)
    if (cx + w > width - MARGIN && cx > MARGIN) { row++; cx = MARGIN }
    placed.push({ x: cx, row })
    cx += w
  }
  const height = panelsBottom + (row + 1) * rowHeight + 4

  const rgba = new Uint8Array(width * height * 4)
  // opaque black: one pixel, then copies of ever longer runs of pixels
  rgba.set([0, 0, 0, 255])
  for (let filled = 4; filled < rgba.length; filled *= 2) rgba.copyWithin(filled, 0, Math.min(filled, rgba.length - filled))

  // ---- views ----
  // the blend's constant terms computed once (the same operations, so the same bytes)
  const keep = 1 - alpha
  const tintOf = new Map(legend.map((e) => [e.label, e.color.map((c) => alpha * c)]))
  const unknownTint = [255, 0, 255].map((c) => alpha * c)
  const wWidth = window.width
  views.views.forEach((v, n) => {
    const panel = panels[n]
    let lastLabel = NaN, tint = unknownTint
    for (let r = 0; r < v.height; r++) {
      for (let c = 0, s = r * v.width, o = ((panel.y + r) * width + panel.x) * 4; c < v.width; c++, s++, o += 4) {
        let g = ((v.intensity[s] - wLow) / wWidth) * 255
        g = g < 0 ? 0 : g > 255 ? 255 : g
        const l = v.labels[s]
        if (l !== 0 && alpha > 0) {
          if (l !== lastLabel) { lastLabel = l; tint = tintOf.get(l) ?? unknownTint }
          rgba[o] = Math.round(keep * g + tint[0]); rgba[o + 1] = Math.round(keep * g + tint[1]); rgba[o + 2] = Math.round(keep * g + tint[2])
        } else {
          const grey = Math.round(g)
          rgba[o] = grey; rgba[o + 1] = grey; rgba[o + 2] = grey
        }
      }
    }
    // orientation letters centred on each edge, in the margin
    const lw = textWidth('W', FONT_SCALE)
    const midX = panel.x + Math.floor(v.width / 2) - Math.floor(lw / 2)
    const midY = panel.y + Math.floor(v.height / 2) - Math.floor(th / 2)
    drawText(rgba, width, height, v.letters.top, midX, panel.y - th - 4, LETTER_COLOR, FONT_SCALE)
    drawText(rgba, width, height, v.letters.bottom, midX, panel.y + v.height + 4, LETTER_COLOR, FONT_SCALE)
    drawText(rgba, width, height, v.letters.left, panel.x - lw - 4, midY, LETTER_COLOR, FONT_SCALE)
    drawText(rgba, width, height, v.letters.right, panel.x + v.width + 4, midY, LETTER_COLOR, FONT_SCALE)
  })

  // ---- scale bar (white, with end ticks) ----
  const barY = panelsBottom + Math.floor(rowHeight / 2)
  const fill = (x0: number, y0: number, w: number, h: number, c: Rgb): void => {
    for (let yy = Math.max(0, y0); yy < Math.min(height, y0 + h); yy++) {
      for (let xx = Math.max(0, x0); xx < Math.min(width, x0 + w); xx++) {
        const o = (yy * width + xx) * 4
        rgba[o] = c[0]; rgba[o + 1] = c[1]; rgba[o + 2] = c[2]; rgba[o + 3] = 255
      }
    }
  }
  fill(MARGIN, barY - 1, scaleBar.pixels, 3, [255, 255, 255])
  fill(MARGIN, barY - 5, 2, 11, [255, 255, 255])
  fill(MARGIN + scaleBar.pixels - 2, barY - 5, 2, 11, [255, 255, 255])
  drawText(rgba, width, height, scaleText, MARGIN + scaleBar.pixels + 8, barY - Math.floor(th / 2), TEXT_COLOR, FONT_SCALE)

  // ---- legend ----
  legend.forEach((e, n) => {
    const { x: lx, row: lr } = placed[n]
    const y0 = panelsBottom + lr * rowHeight + 4
    fill(lx, y0, swatch, swatch, e.color)
    drawText(rgba, width, height, e.name, lx + swatch + 4, y0, TEXT_COLOR, FONT_SCALE)
  })

  return { width, height, rgba, panels, legend, scaleBar, views }
}

/** The QC picture as PNG bytes (RGBA, 8 bit; a Buffer, i.e. a Uint8Array). */
export function renderQcPng(options: QcPngOptions): Buffer {
  const raster = renderQcRgba(options)
  return encodeRgbaPngSync(raster.width, raster.height, raster.rgba)
}
