// A label map given with a case (reference or prediction), checked before it is carried onto the
// image grid:
// - float voxels must be whole numbers (a probability map is not a label map); whole-valued
//   floats become integers so every later stage sees one label type;
// - at most limits.max_labels distinct values (thousands of values mean an intensity image was
//   given as labels);
// - a label map on another grid is resampled (nearest neighbour) with a warning, but one that
//   does not overlap the image at all is refused: every label would silently vanish;
// - an all-background label map is kept, with a warning.
import { indexToPhysical } from '../image/geometry.js'
import { type Grid, type Image, type PixelArray, gridOf, pixelsOf, withPixels } from '../image/image.js'
import type { Limits } from './config.js'
import { BadInputError } from './errors.js'
import { exceedsLimit } from './limits.js'
import type { Warning } from './report-schema.js'

export function checkLabelMap(labels: Image, imageGrid: Grid, name: string, limits: Limits): { labels: Image; warnings: Warning[] } {
  const warnings: Warning[] = []
  const data = pixelsOf(labels)
  const values = new Set<number>()
  const float = data instanceof Float32Array || data instanceof Float64Array
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (float && !Number.isInteger(v)) {
      throw new BadInputError(`a label map needs whole-number labels; voxel ${i} holds ${v} (a probability or intensity image?)`, { file: name, field: 'voxels' })
    }
    if (!values.has(v)) {
      values.add(v)
      if (values.size - (values.has(0) ? 1 : 0) > limits.max_labels) {
        throw exceedsLimit(name, 'max_labels', 'distinct label values', `more than ${limits.max_labels}`, limits)
      }
    }
  }
  let out = labels
  if (float) {
    const ints = [...values]
    const fitsUint16 = ints.every((v) => v >= 0 && v <= 65535)
    out = withPixels(labels, (fitsUint16 ? Uint16Array : Int32Array).from(data as ArrayLike<number>) as PixelArray)
    warnings.push({ code: 'labels_converted', message: `${name}: float label map holds whole numbers only; read as ${fitsUint16 ? 'uint16' : 'int32'} labels` })
  }
  if (values.size === 0 || (values.size === 1 && values.has(0))) {
    warnings.push({ code: 'labels_empty', message: `${name}: the label map holds no labels (every voxel is 0)` })
  }
  const grid = gridOf(labels)
  if (!sameGrid(grid, imageGrid)) {
    const [a, b] = [physicalBox(grid), physicalBox(imageGrid)]
    const overlaps = [0, 1, 2].every((d) => a.min[d] <= b.max[d] + 1e-3 && b.min[d] <= a.max[d] + 1e-3)
    if (!overlaps) {
      throw new BadInputError(`the label map does not overlap the image: it spans ${box(a)} mm (LPS), the image ${box(b)} mm`, { file: name, field: 'grid' })
    }
    warnings.push({ code: 'labels_resampled', message: `${name}: the label map's grid (${grid.size.join(' x ')} voxels of ${grid.spacing.map(round).join(' x ')} mm) differs from the image's (${imageGrid.size.join(' x ')} of ${imageGrid.spacing.map(round).join(' x ')} mm); resampled nearest-neighbour` })
  }
  return { labels: out, warnings }
}

function sameGrid(a: Grid, b: Grid): boolean {
  const close = (x: number[], y: number[], tolerance: number) => x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) <= tolerance)
  return close(a.size, b.size, 0) && close(a.spacing, b.spacing, 1e-4) && close(a.origin, b.origin, 1e-3) && close(a.direction, b.direction, 1e-5)
}

/** Axis-aligned LPS box around the centres of the grid's corner voxels. */
function physicalBox(grid: Grid): { min: number[]; max: number[] } {
  const min = [Infinity, Infinity, Infinity]
  const max = [-Infinity, -Infinity, -Infinity]
  for (let corner = 0; corner < 8; corner++) {
    const index = [0, 1, 2].map((d) => ((corner >> d) & 1 ? (grid.size[d] ?? 1) - 1 : 0))
    const p = indexToPhysical(grid, index)
    for (let d = 0; d < 3; d++) {
      min[d] = Math.min(min[d], p[d] ?? 0)
      max[d] = Math.max(max[d], p[d] ?? 0)
    }
  }
  return { min, max }
}

const round = (v: number) => Math.round(v * 1000) / 1000
const box = (b: { min: number[]; max: number[] }) => `[${b.min.map(round).join(', ')}]..[${b.max.map(round).join(', ')}]`
