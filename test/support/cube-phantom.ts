// A tiny CT-like NIfTI with an analytically known bone volume: a cube of `edge` voxels at
// +1000 HU in -1000 HU air, 1 mm isotropic. Thresholding at 200 HU and a closing with a
// radius-1 ball leave a cube unchanged, so its label volume is edge³ mm³.
import { makeImage } from '../../src/image/image.js'
import { writeNifti } from '../../src/io/nifti.js'

export interface CubePhantom {
  size: number
  edge: number
  volumeMl: number
}

export async function writeCubePhantom(file: string, size = 16, edge = 6, offset = 0): Promise<CubePhantom> {
  const data = new Int16Array(size * size * size).fill(-1000)
  const start = Math.floor((size - edge) / 2) + offset
  for (let k = start; k < start + edge; k++)
    for (let j = start; j < start + edge; j++)
      for (let i = start; i < start + edge; i++) data[i + size * (j + size * k)] = 1000
  const image = makeImage({ size: [size, size, size], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
  await writeNifti(image, file)
  return { size, edge, volumeMl: edge ** 3 / 1000 }
}
