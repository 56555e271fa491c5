// Intensity centre of mass of an image in LPS mm, the "moments" of ITK's
// CenteredTransformInitializer, with one deliberate difference: the weights are the
// intensities minus the image minimum, so CT air (-1024 HU) weighs nothing instead of
// pulling the centre with negative mass.
import { indexToPhysical } from '../image/geometry.js'
import { gridOf, pixelsOf, type Image } from '../image/image.js'

export function centreOfMass(image: Image): number[] {
  const data = pixelsOf(image)
  const [nx, ny, nz] = image.size
  let lo = Infinity
  for (let i = 0; i < data.length; i++) if (data[i] < lo) lo = data[i]
  let m = 0, si = 0, sj = 0, sk = 0, p = 0
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        const w = data[p] - lo
        if (!(w > 0)) continue
        m += w
        si += w * i
        sj += w * j
        sk += w * k
      }
    }
  }
  const grid = gridOf(image)
  // a constant image has no mass: its geometric centre stands in
  const index = m > 0 ? [si / m, sj / m, sk / m] : [(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2]
  return indexToPhysical(grid, index)
}
