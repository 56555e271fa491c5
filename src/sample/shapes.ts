// Solid primitives with exact volumes for the synthetic phantom. Every primitive answers
// "how deep inside is this point" (>= 0 inside, < 0 outside; exact membership at 0), its
// volume in mm^3 and a conservative axis-aligned bounding box in LPS mm.
//
//  - ellipsoid: 4/3 pi a b c, any orientation;
//  - cylinder with flat ends: pi r^2 h;
//  - tube: the set of points within r of a path of straight segments joined by circular
//    fillet arcs (radius > r) -- a bent capsule. While the tube does not touch itself its
//    volume is pi r^2 L + 4/3 pi r^3 (Pappus for the swept disc, two half-balls at the ends).

export type Vec3 = [number, number, number]

export interface Ellipsoid {
  kind: 'ellipsoid'
  center: Vec3
  /** Semi-axes along the local axes. */
  radii: Vec3
  /** Row-major 3x3 rotation; column j is local axis j in LPS. */
  rotation: number[]
}

export interface Cylinder {
  kind: 'cylinder'
  /** Centre of the first flat end. */
  base: Vec3
  /** Unit axis from the first end to the second. */
  axis: Vec3
  height: number
  radius: number
}

export type PathPiece =
  | { kind: 'line'; from: Vec3; to: Vec3 }
  | {
      kind: 'arc'
      center: Vec3
      radius: number
      /** Unit vector from the centre to the arc start. */
      e1: Vec3
      /** Unit tangent at the arc start (perpendicular to e1). */
      e2: Vec3
      angle: number
    }

export interface Tube {
  kind: 'tube'
  radius: number
  /** The waypoints the path was built from (corners are rounded, ends are exact). */
  waypoints: Vec3[]
  pieces: PathPiece[]
}

export type Primitive = Ellipsoid | Cylinder | Tube

export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s]
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
export const norm = (a: Vec3): number => Math.sqrt(dot(a, a))
export const unit = (a: Vec3): Vec3 => scale(a, 1 / norm(a))
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
]

/** Row-major rotation by `angle` radians about a unit axis (right-hand rule). */
export function rotation(axis: Vec3, angle: number): number[] {
  const [x, y, z] = unit(axis)
  const c = Math.cos(angle), s = Math.sin(angle), t = 1 - c
  return [
    t * x * x + c, t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + c, t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + c,
  ]
}

export function ellipsoid(center: Vec3, radii: Vec3, rot: number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1]): Ellipsoid {
  return { kind: 'ellipsoid', center, radii, rotation: rot }
}

export function cylinder(base: Vec3, top: Vec3, radius: number): Cylinder {
  const d = sub(top, base)
  return { kind: 'cylinder', base, axis: unit(d), height: norm(d), radius }
}

/**
 * A tube of `radius` along the polyline through `waypoints`, each interior corner rounded
 * by a circular arc of `fillet` radius (one value for all corners or one per corner).
 */
export function tube(waypoints: Vec3[], radius: number, fillet: number | number[]): Tube {
  if (waypoints.length < 2) throw new Error('a tube needs at least two waypoints')
  const fillets = waypoints.slice(1, -1).map((_, i) => (Array.isArray(fillet) ? fillet[i] : fillet))
  const pieces: PathPiece[] = []
  let start = waypoints[0]
  for (let i = 1; i < waypoints.length - 1; i++) {
    const corner = waypoints[i]
    const u = unit(sub(corner, waypoints[i - 1]))
    const v = unit(sub(waypoints[i + 1], corner))
    const R = fillets[i - 1]
    if (!(R > radius)) throw new Error(`fillet radius ${R} must exceed the tube radius ${radius}`)
    const cosA = Math.min(1, Math.max(-1, dot(u, v)))
    const angle = Math.acos(cosA)
    if (angle < 1e-9) continue
    const t = R * Math.tan(angle / 2)
    const arcStart = sub(corner, scale(u, t))
    const arcEnd = add(corner, scale(v, t))
    if (dot(sub(arcStart, start), u) < -1e-9) {
      throw new Error('tube waypoints too close for the fillet radius')
    }
    const inward = unit(sub(v, scale(u, cosA)))
    const center = add(arcStart, scale(inward, R))
    pieces.push({ kind: 'line', from: start, to: arcStart })
    pieces.push({ kind: 'arc', center, radius: R, e1: scale(inward, -1), e2: u, angle })
    start = arcEnd
  }
  const last = waypoints[waypoints.length - 1]
  if (dot(sub(last, start), sub(last, waypoints[waypoints.length - 2])) < -1e-9) {
    throw new Error('tube waypoints too close for the fillet radius')
  }
  pieces.push({ kind: 'line', from: start, to: last })
  return { kind: 'tube', radius, waypoints, pieces }
}

export function pathLength(t: Tube): number {
  let L = 0
  for (const p of t.pieces) L += p.kind === 'line' ? norm(sub(p.to, p.from)) : p.radius * p.angle
  return L
}

/** Exact volume in mm^3 (for a tube: valid while it does not touch itself). */
export function volumeMm3(p: Primitive): number {
  switch (p.kind) {
    case 'ellipsoid':
      return (4 / 3) * Math.PI * p.radii[0] * p.radii[1] * p.radii[2]
    case 'cylinder':
      return Math.PI * p.radius * p.radius * p.height
    case 'tube':
      return Math.PI * p.radius * p.radius * pathLength(p) + (4 / 3) * Math.PI * p.radius ** 3
  }
}

/** Points along the path (arcs sampled finely), used for bounds and clearance checks. */
export function samplePath(t: Tube, step = 0.5): Vec3[] {
  const out: Vec3[] = []
  for (const p of t.pieces) {
    if (p.kind === 'line') {
      const L = norm(sub(p.to, p.from))
      const n = Math.max(1, Math.ceil(L / step))
      for (let i = 0; i <= n; i++) out.push(add(p.from, scale(sub(p.to, p.from), i / n)))
    } else {
      const n = Math.max(8, Math.ceil((p.radius * p.angle) / step))
      for (let i = 0; i <= n; i++) out.push(arcPoint(p, (p.angle * i) / n))
    }
  }
  return out
}

function arcPoint(p: Extract<PathPiece, { kind: 'arc' }>, phi: number): Vec3 {
  return add(p.center, add(scale(p.e1, p.radius * Math.cos(phi)), scale(p.e2, p.radius * Math.sin(phi))))
}

export interface Box {
  min: Vec3
  max: Vec3
}

export function boundsOf(p: Primitive): Box {
  switch (p.kind) {
    case 'ellipsoid': {
      const half: Vec3 = [0, 0, 0]
      for (let i = 0; i < 3; i++) {
        let s = 0
        for (let j = 0; j < 3; j++) s += (p.rotation[i * 3 + j] * p.radii[j]) ** 2
        half[i] = Math.sqrt(s)
      }
      return { min: sub(p.center, half), max: add(p.center, half) }
    }
    case 'cylinder': {
      const top = add(p.base, scale(p.axis, p.height))
      const min: Vec3 = [0, 0, 0], max: Vec3 = [0, 0, 0]
      for (let i = 0; i < 3; i++) {
        const rim = p.radius * Math.sqrt(Math.max(0, 1 - p.axis[i] ** 2))
        min[i] = Math.min(p.base[i], top[i]) - rim
        max[i] = Math.max(p.base[i], top[i]) + rim
      }
      return { min, max }
    }
    case 'tube': {
      const pts = samplePath(p, 0.25)
      const min: Vec3 = [Infinity, Infinity, Infinity], max: Vec3 = [-Infinity, -Infinity, -Infinity]
      for (const q of pts) {
        for (let i = 0; i < 3; i++) {
          min[i] = Math.min(min[i], q[i])
          max[i] = Math.max(max[i], q[i])
        }
      }
      const r = p.radius + 0.01
      return { min: sub(min, [r, r, r]), max: add(max, [r, r, r]) }
    }
  }
}

/**
 * A fast depth function for the primitive: >= 0 exactly for points inside. The value is the
 * distance to the surface for tubes, a lower bound of it elsewhere; every depth function is
 * 1-Lipschitz, so a point at depth -d has no inside point within distance d.
 */
export function depthFunction(p: Primitive): (x: number, y: number, z: number) => number {
  switch (p.kind) {
    case 'ellipsoid': {
      const [cx, cy, cz] = p.center
      const R = p.rotation
      const [a, b, c] = p.radii
      const minAxis = Math.min(a, b, c)
      return (x, y, z) => {
        const dx = x - cx, dy = y - cy, dz = z - cz
        // local = R^T (p - c)
        const lx = (R[0] * dx + R[3] * dy + R[6] * dz) / a
        const ly = (R[1] * dx + R[4] * dy + R[7] * dz) / b
        const lz = (R[2] * dx + R[5] * dy + R[8] * dz) / c
        return (1 - Math.sqrt(lx * lx + ly * ly + lz * lz)) * minAxis
      }
    }
    case 'cylinder': {
      const [bx, by, bz] = p.base
      const [ux, uy, uz] = p.axis
      const { height: h, radius: r } = p
      return (x, y, z) => {
        const dx = x - bx, dy = y - by, dz = z - bz
        const along = dx * ux + dy * uy + dz * uz
        const radial = Math.sqrt(Math.max(0, dx * dx + dy * dy + dz * dz - along * along))
        return Math.min(r - radial, along, h - along)
      }
    }
    case 'tube': {
      const dist = pathDistanceFunction(p)
      const r = p.radius
      return (x, y, z) => r - dist(x, y, z)
    }
  }
}

/** Distance from a point to the tube's path (its centre line). */
export function pathDistanceFunction(t: Tube): (x: number, y: number, z: number) => number {
  // Pieces packed into one flat array so the hot loop stays monomorphic:
  // line: [0, ax, ay, az, dx, dy, dz, 1/|d|^2, 0...]
  // arc:  [1, cx, cy, cz, e1x, e1y, e1z, e2x, e2y, e2z, nx, ny, nz, R, cos(a), sin(a), s0x, s0y, s0z, s1x, s1y, s1z]
  const W = 22
  const P = new Float64Array(t.pieces.length * W)
  t.pieces.forEach((p, i) => {
    const o = i * W
    if (p.kind === 'line') {
      const d = sub(p.to, p.from)
      const len2 = dot(d, d)
      P.set([0, ...p.from, ...d, len2 > 0 ? 1 / len2 : 0], o)
    } else {
      if (!(p.angle < Math.PI)) throw new Error('arc pieces must turn by less than 180 degrees')
      const n = cross(p.e1, p.e2)
      P.set([1, ...p.center, ...p.e1, ...p.e2, ...n, p.radius, Math.cos(p.angle), Math.sin(p.angle), ...arcPoint(p, 0), ...arcPoint(p, p.angle)], o)
    }
  })
  const count = t.pieces.length
  return (x, y, z) => {
    let best = Infinity
    for (let i = 0; i < count; i++) {
      const o = i * W
      let d2: number
      if (P[o] === 0) {
        const px = x - P[o + 1], py = y - P[o + 2], pz = z - P[o + 3]
        const dx = P[o + 4], dy = P[o + 5], dz = P[o + 6]
        let s = (px * dx + py * dy + pz * dz) * P[o + 7]
        s = s < 0 ? 0 : s > 1 ? 1 : s
        const qx = px - s * dx, qy = py - s * dy, qz = pz - s * dz
        d2 = qx * qx + qy * qy + qz * qz
      } else {
        const wx = x - P[o + 1], wy = y - P[o + 2], wz = z - P[o + 3]
        const u = wx * P[o + 4] + wy * P[o + 5] + wz * P[o + 6]
        const v = wx * P[o + 7] + wy * P[o + 8] + wz * P[o + 9]
        if (v >= 0 && u * P[o + 15] - v * P[o + 14] >= 0) {
          // the projection falls within the arc's angular range
          const h = wx * P[o + 10] + wy * P[o + 11] + wz * P[o + 12]
          const rho = Math.sqrt(u * u + v * v) - P[o + 13]
          d2 = rho * rho + h * h
        } else {
          const ax = x - P[o + 16], ay = y - P[o + 17], az = z - P[o + 18]
          const bx = x - P[o + 19], by = y - P[o + 20], bz = z - P[o + 21]
          d2 = Math.min(ax * ax + ay * ay + az * az, bx * bx + by * by + bz * bz)
        }
      }
      if (d2 < best) best = d2
    }
    return Math.sqrt(best)
  }
}
