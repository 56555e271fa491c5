// 3-D volumes on one grid -> one 4-D itk-wasm image (x fastest, time slowest), as NIfTI stores
// a time series. The 4th axis has an identity direction row/column and `timeStep` as spacing
// (seconds between volumes, e.g. the repetition time; NIfTI's pixdim[4]).
import type { Image } from './image.js'
import { componentTypeOf, pixelsOf, allocatePixels } from './image.js'

export function stackTimeSeries(volumes: Image[], timeStep = 1): Image {
  const first = volumes[0]
  const n = pixelsOf(first).length
  const data = allocatePixels(componentTypeOf(pixelsOf(first)), n * volumes.length)
  volumes.forEach((v, t) => {
    if (pixelsOf(v).length !== n) throw new Error('time points differ in size')
    data.set(pixelsOf(v), t * n)
  })
  const d = Array.from(first.direction as ArrayLike<number>)
  const direction = [d[0], d[1], d[2], 0, d[3], d[4], d[5], 0, d[6], d[7], d[8], 0, 0, 0, 0, 1]
  return {
    imageType: { ...first.imageType, dimension: 4 },
    name: first.name,
    origin: [...first.origin, 0],
    spacing: [...first.spacing, timeStep],
    direction: Float64Array.from(direction),
    size: [...first.size, volumes.length],
    metadata: new Map(),
    data,
  } as unknown as Image
}
