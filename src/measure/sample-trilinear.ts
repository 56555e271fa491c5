// The image value at a continuous voxel index by trilinear interpolation, as ITK's
// LinearInterpolateImageFunction: a point counts as inside when every index coordinate lies in
// [-0.5, size - 0.5) (the voxel footprints), and neighbours past the last voxel are clamped to it.
import { type Image, pixelsOf } from '../image/image.js'

/** Value at `index` (i, j, k), or null when the point is outside the image. */
export function sampleTrilinear(image: Image, index: ArrayLike<number>): number | null {
  const size = image.size
  const data = pixelsOf(image)
  const lower = [0, 0, 0]
  const upper = [0, 0, 0]
  const weight = [0, 0, 0]
  for (let d = 0; d < 3; d++) {
    const n = size[d] ?? 1
    const x = index[d]
    if (!(x >= -0.5 && x < n - 0.5)) return null
    const base = Math.floor(x)
    weight[d] = x - base
    lower[d] = Math.min(Math.max(base, 0), n - 1)
    upper[d] = Math.min(Math.max(base + 1, 0), n - 1)
  }
  const nx = size[0]
  const nxy = size[0] * size[1]
  let value = 0
  for (let corner = 0; corner < 8; corner++) {
    let w = 1
    let offset = 0
    for (let d = 0; d < 3; d++) {
      const high = (corner >> d) & 1
      w *= high ? weight[d] : 1 - weight[d]
      offset += (high ? upper[d] : lower[d]) * (d === 0 ? 1 : d === 1 ? nx : nxy)
    }
    if (w !== 0) value += w * data[offset]
  }
  return value
}
