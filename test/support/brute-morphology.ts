// Direct (offset by offset) binary morphology with ITK's ball and border conventions: the
// reference the fast morphology tests compare with.
export type R3 = [number, number, number]

/** ITK's ball: offsets with sum (o_d / (R_d + 0.5))^2 <= 1. */
export function ballOffsets(R: R3): number[][] {
  const out: number[][] = []
  for (let z = -R[2]; z <= R[2]; z++) for (let y = -R[1]; y <= R[1]; y++) for (let x = -R[0]; x <= R[0]; x++) {
    if ((x / (R[0] + 0.5)) ** 2 + (y / (R[1] + 0.5)) ** 2 + (z / (R[2] + 0.5)) ** 2 <= 1) out.push([x, y, z])
  }
  return out
}

/** Direct neighbourhood morphology with ITK's border conventions (outside = `outside`). */
export function bruteMorph(mask: Uint8Array, size: R3, R: R3, dilate: boolean): Uint8Array {
  const [nx, ny, nz] = size
  const offs = ballOffsets(R)
  const out = new Uint8Array(mask.length)
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    let v = dilate ? 0 : 1
    for (const [a, b, c] of offs) {
      const X = x + a, Y = y + b, Z = z + c
      const inside = X >= 0 && X < nx && Y >= 0 && Y < ny && Z >= 0 && Z < nz
      const m = inside ? mask[(Z * ny + Y) * nx + X] : dilate ? 0 : 1
      if (dilate && m) v = 1
      if (!dilate && !m) v = 0
    }
    out[(z * ny + y) * nx + x] = v
  }
  return out
}

export function bruteClosingSafeBorder(mask: Uint8Array, size: R3, R: R3): Uint8Array {
  const p: R3 = [size[0] + 2 * R[0], size[1] + 2 * R[1], size[2] + 2 * R[2]]
  const padded = new Uint8Array(p[0] * p[1] * p[2])
  for (let z = 0; z < size[2]; z++) for (let y = 0; y < size[1]; y++) for (let x = 0; x < size[0]; x++) {
    padded[((z + R[2]) * p[1] + y + R[1]) * p[0] + x + R[0]] = mask[(z * size[1] + y) * size[0] + x]
  }
  const closed = bruteMorph(bruteMorph(padded, p, R, true), p, R, false)
  const out = new Uint8Array(mask.length)
  for (let z = 0; z < size[2]; z++) for (let y = 0; y < size[1]; y++) for (let x = 0; x < size[0]; x++) {
    out[(z * size[1] + y) * size[0] + x] = closed[((z + R[2]) * p[1] + y + R[1]) * p[0] + x + R[0]]
  }
  return out
}
