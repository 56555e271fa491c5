// The synthetic pelvis phantom behind the bundled sample: five bones made of primitives
// with exact volumes (see shapes.ts), a soft-tissue body ellipse, landmarks, and the CT grid.
// Everything is a pure function of (caseIndex, seed).
import type { Grid } from '../image/image.js'
import { indexToPhysical } from '../image/geometry.js'
import { makeRandom, deterministicUid, type Random } from './random.js'
import {
  add, boundsOf, cylinder, depthFunction, ellipsoid, rotation, scale, tube, volumeMm3,
  type Primitive, type Vec3,
} from './shapes.js'

export interface Code {
  value: string
  scheme: string
  meaning: string
}

export interface BoneTruth {
  /** Label value in the label map and segment number in the SEG (1..5). */
  value: number
  /** Machine name, e.g. "hip_left". */
  name: string
  /** Human label, the DICOM SegmentLabel. */
  label: string
  description: string
  category: Code
  type: Code
  typeModifier?: Code
  color: [number, number, number]
  /** Disjoint primitives; the bone's volume is the sum of theirs. */
  primitives: Primitive[]
  /** Analytic volume in mL. */
  volumeMl: number
}

export interface LandmarkTruth {
  /** Machine name, e.g. "femoral_head_left". */
  key: string
  /** Human name, the SR Tracking Identifier. */
  name: string
  code?: Code
  laterality?: Code
  lps: Vec3
}

export interface SampleUids {
  study: string
  series: string
  frameOfReference: string
  segSeries: string
  seg: string
  srSeries: string
  sr: string
  /** SOP Instance UID of CT slice k (k in grid order: 0 = lowest z). */
  slice(k: number): string
}

export interface SampleTruth {
  caseIndex: number
  seed: number
  caseId: string
  patientId: string
  /** The CT grid (ITK convention: index k grows with z; direction identity, HFS axial). */
  grid: Grid
  sliceThickness: number
  body: { center: [number, number]; semiAxes: [number, number] }
  /** HU per class; noise is zero-mean with standard deviation noiseSigma, bounded to +-3 sigma. */
  hu: { air: number; softTissue: number; bone: number; cortical: number; corticalDepthMm: number; noiseSigma: number }
  bones: BoneTruth[]
  landmarks: LandmarkTruth[]
  uids: SampleUids
}

export const SAMPLE_SIZE = [160, 128, 80] as const
export const SAMPLE_SPACING = [1.4, 1.4, 2.5] as const

const SCT = 'SCT'
const codes = {
  anatomicalStructure: { value: '91723000', scheme: SCT, meaning: 'Anatomical Structure' },
  hip: { value: '29836001', scheme: SCT, meaning: 'Hip' },
  femur: { value: '71341001', scheme: SCT, meaning: 'Femur' },
  sacrum: { value: '54735007', scheme: SCT, meaning: 'Sacrum' },
  left: { value: '7771000', scheme: SCT, meaning: 'Left' },
  right: { value: '24028007', scheme: SCT, meaning: 'Right' },
  femoralHead: { value: '2812003', scheme: SCT, meaning: 'Femoral head' },
  symphysisPubis: { value: '82561000', scheme: SCT, meaning: 'Symphysis pubis' },
} satisfies Record<string, Code>

export function caseIdOf(caseIndex: number): string {
  return `pelvis-${String(caseIndex + 1).padStart(3, '0')}`
}

/** x rounded to a multiple of step, as the double nearest that decimal (so DS strings are exact). */
const round = (x: number, step: number): number => Number((Math.round(x / step) * step).toFixed(6))
const jitter = (rng: Random, amount: number): number => rng.uniform(-amount, amount)
const jitter3 = (rng: Random, a: number): Vec3 => [jitter(rng, a), jitter(rng, a), jitter(rng, a)]

/**
 * The ground truth of sample case `caseIndex` (0-based; case id pelvis-001 is index 0) for
 * `seed`: grid, per-bone label value, name and analytic volume in mL, landmarks in LPS mm.
 */
export function sampleTruth(caseIndex: number, seed = 1): SampleTruth {
  if (!Number.isInteger(caseIndex) || caseIndex < 0) throw new Error(`caseIndex must be a non-negative integer, got ${caseIndex}`)
  const rng = makeRandom(seed, caseIndex)
  const [nx, ny, nz] = SAMPLE_SIZE
  const [sx, sy, sz] = SAMPLE_SPACING

  // Field of view centred left-right, a table height and a couch position that vary a little.
  const fovCenter: Vec3 = [round(jitter(rng, 2), 0.05), round(10 + jitter(rng, 2), 0.05), round(-180 + jitter(rng, 20), 0.25)]
  const origin: Vec3 = [
    round(fovCenter[0] - ((nx - 1) * sx) / 2, 0.01),
    round(fovCenter[1] - ((ny - 1) * sy) / 2, 0.01),
    round(fovCenter[2] - ((nz - 1) * sz) / 2, 0.01),
  ]
  const grid: Grid = { size: [nx, ny, nz], spacing: [sx, sy, sz], origin, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }

  const s = rng.uniform(0.95, 1.05) // overall size
  const C: Vec3 = add(fovCenter, add([0, -5, -5], jitter3(rng, 3))) // pelvis centre
  const local = (p: Vec3, side = 1, shift: Vec3 = [0, 0, 0]): Vec3 => add(C, add(shift, scale([side * p[0], p[1], p[2]], s)))

  const body = {
    center: [C[0], C[1] + 5] as [number, number],
    semiAxes: [104 * rng.uniform(0.98, 1.02), 74 * rng.uniform(0.98, 1.02)] as [number, number],
  }

  const bones: BoneTruth[] = []
  const landmarks: LandmarkTruth[] = []
  const sides = [
    { side: 1, suffix: 'left', lat: codes.left, color: [221, 180, 140] as [number, number, number], femurColor: [185, 102, 83] as [number, number, number] },
    { side: -1, suffix: 'right', lat: codes.right, color: [144, 238, 144] as [number, number, number], femurColor: [111, 184, 210] as [number, number, number] },
  ]
  const hips: Primitive[] = []
  const femurs: Primitive[] = []
  for (const { side, lat } of sides) {
    // Each side moves rigidly a little; shapes vary by +-5 %.
    const shift: Vec3 = [jitter(rng, 1), jitter(rng, 1.5), jitter(rng, 1.5)]
    const rh = 11 * s * rng.uniform(0.97, 1.03)
    const hip = tube(
      [
        local([76, 16, 72], side, shift), // iliac crest
        local([42, 8, 40], side, shift), // above the acetabulum
        local([14, -4, 8], side, shift), // medial to the femoral head
        local([16, -38, -16], side, shift), // pubic body at the symphysis
      ],
      rh,
      [30 * s, 18 * s],
    )
    const rf = 12 * s * rng.uniform(0.97, 1.03)
    const head = local([50, 0, 0], side, shift)
    const neck = local([74, 2, -9], side, shift)
    const shaft = local([76 + jitter(rng, 2), 6, -61 * rng.uniform(0.97, 1.03)], side, shift)
    const femur = tube([head, neck, shaft], rf, 20 * s)
    hips.push(hip)
    femurs.push(femur)
    landmarks.push({
      key: `femoral_head_${side > 0 ? 'left' : 'right'}`,
      name: `femoral head centre ${side > 0 ? 'left' : 'right'}`,
      code: codes.femoralHead,
      laterality: lat,
      lps: head,
    })
  }

  // Sacrum: an ellipsoid tilted so its base faces up and forward; the lowest lumbar
  // vertebral body a cylinder on the same axis above it, separated by a disc-sized gap.
  const tilt = ((30 + jitter(rng, 3)) * Math.PI) / 180
  const R = rotation([1, 0, 0], tilt)
  const axisZ: Vec3 = [R[2], R[5], R[8]]
  const sacrumCenter = local([0, 36, 16])
  const radii: Vec3 = [24 * s * rng.uniform(0.97, 1.03), 16 * s * rng.uniform(0.97, 1.03), 38 * s * rng.uniform(0.97, 1.03)]
  const sacrum = ellipsoid(sacrumCenter, radii, R)
  const l5Base = add(sacrumCenter, scale(axisZ, radii[2] + 6 * s))
  const l5 = cylinder(l5Base, add(l5Base, scale(axisZ, 22 * s * rng.uniform(0.97, 1.03))), 18 * s * rng.uniform(0.97, 1.03))
  const promontoryLocal: Vec3 = [0, -radii[1] / Math.SQRT2, radii[2] / Math.SQRT2]
  const promontory: Vec3 = add(sacrumCenter, [
    R[0] * promontoryLocal[0] + R[1] * promontoryLocal[1] + R[2] * promontoryLocal[2],
    R[3] * promontoryLocal[0] + R[4] * promontoryLocal[1] + R[5] * promontoryLocal[2],
    R[6] * promontoryLocal[0] + R[7] * promontoryLocal[1] + R[8] * promontoryLocal[2],
  ])

  const bone = (value: number, name: string, label: string, description: string, type: Code, color: [number, number, number], primitives: Primitive[], typeModifier?: Code): BoneTruth => ({
    value, name, label, description, category: codes.anatomicalStructure, type, typeModifier, color, primitives,
    volumeMl: primitives.reduce((acc, p) => acc + volumeMm3(p), 0) / 1000,
  })
  bones.push(
    bone(1, 'hip_left', 'Left hip bone', 'hip bone (ilium, ischium, pubis), left', codes.hip, sides[0].color, [hips[0]], codes.left),
    bone(2, 'hip_right', 'Right hip bone', 'hip bone (ilium, ischium, pubis), right', codes.hip, sides[1].color, [hips[1]], codes.right),
    bone(3, 'femur_left', 'Left femur', 'proximal femur, left', codes.femur, sides[0].femurColor, [femurs[0]], codes.left),
    bone(4, 'femur_right', 'Right femur', 'proximal femur, right', codes.femur, sides[1].femurColor, [femurs[1]], codes.right),
    bone(5, 'sacrum', 'Sacrum', 'sacrum with the lowest lumbar vertebra (L5)', codes.sacrum, [241, 214, 145], [sacrum, l5]),
  )

  const hipEnd = (t: Primitive): Vec3 => (t.kind === 'tube' ? t.waypoints[t.waypoints.length - 1] : [0, 0, 0])
  const pl = hipEnd(hips[0]), pr = hipEnd(hips[1])
  landmarks.push(
    { key: 'pubic_symphysis', name: 'pubic symphysis', code: codes.symphysisPubis, lps: scale(add(pl, pr), 0.5) },
    { key: 'sacral_promontory', name: 'sacral promontory', lps: promontory },
  )

  const caseId = caseIdOf(caseIndex)
  const uids: SampleUids = {
    study: deterministicUid(seed, caseIndex, 'study'),
    series: deterministicUid(seed, caseIndex, 'ct-series'),
    frameOfReference: deterministicUid(seed, caseIndex, 'frame-of-reference'),
    segSeries: deterministicUid(seed, caseIndex, 'seg-series'),
    seg: deterministicUid(seed, caseIndex, 'seg'),
    srSeries: deterministicUid(seed, caseIndex, 'sr-series'),
    sr: deterministicUid(seed, caseIndex, 'sr'),
    slice: (k: number) => deterministicUid(seed, caseIndex, 'ct-slice', k),
  }

  const truth: SampleTruth = {
    caseIndex, seed, caseId,
    patientId: `VF-${caseId.toUpperCase()}`,
    grid,
    sliceThickness: sz,
    body,
    hu: { air: -1000, softTissue: 40, bone: 700, cortical: 1100, corticalDepthMm: 1.5, noiseSigma: 20 },
    bones,
    landmarks,
    uids,
  }
  checkFits(truth)
  return truth
}

/** Every bone lies inside the grid with a margin of at least two voxels. */
function checkFits(t: SampleTruth): void {
  const lo = indexToPhysical(t.grid, [0, 0, 0])
  const hi = indexToPhysical(t.grid, t.grid.size.map((n) => n - 1))
  for (const b of t.bones) {
    for (const p of b.primitives) {
      const box = boundsOf(p)
      for (let i = 0; i < 3; i++) {
        const margin = 2 * t.grid.spacing[i]
        if (box.min[i] < lo[i] + margin || box.max[i] > hi[i] - margin) {
          throw new Error(`sample case ${t.caseId}: ${b.name} does not fit in the grid along axis ${i}`)
        }
      }
    }
  }
}

export interface RasterizedSample {
  /** Stored CT values (HU + 1024) as int16, x fastest, k = 0 is the lowest slice. */
  stored: Int16Array
  /** Label map on the same grid (0 background, 1..5 bones). */
  labels: Uint8Array
}

const RESCALE_INTERCEPT = -1024

/** Voxelise the phantom: a voxel belongs to a bone when its centre is inside. */
export function rasterizeSample(t: SampleTruth, opts: { noise?: boolean } = {}): RasterizedSample {
  const [nx, ny, nz] = t.grid.size
  const [sx, sy, sz] = t.grid.spacing
  const [ox, oy, oz] = t.grid.origin
  const n = nx * ny * nz
  const stored = new Int16Array(n)
  const labels = new Uint8Array(n)
  const toStored = (hu: number): number => Math.round(hu - RESCALE_INTERCEPT)

  // Body: soft tissue inside an elliptic cylinder along z, air outside.
  const [bcx, bcy] = t.body.center
  const [ba, bb] = t.body.semiAxes
  const slice = new Int16Array(nx * ny)
  for (let j = 0; j < ny; j++) {
    const y = (oy + j * sy - bcy) / bb
    for (let i = 0; i < nx; i++) {
      const x = (ox + i * sx - bcx) / ba
      slice[j * nx + i] = toStored(x * x + y * y <= 1 ? t.hu.softTissue : t.hu.air)
    }
  }
  for (let k = 0; k < nz; k++) stored.set(slice, k * nx * ny)
  const boneValue = toStored(t.hu.bone), corticalValue = toStored(t.hu.cortical)

  for (const bone of t.bones) {
    for (const prim of bone.primitives) {
      const box = boundsOf(prim)
      const depth = depthFunction(prim)
      const i0 = Math.max(0, Math.floor((box.min[0] - ox) / sx)), i1 = Math.min(nx - 1, Math.ceil((box.max[0] - ox) / sx))
      const j0 = Math.max(0, Math.floor((box.min[1] - oy) / sy)), j1 = Math.min(ny - 1, Math.ceil((box.max[1] - oy) / sy))
      const k0 = Math.max(0, Math.floor((box.min[2] - oz) / sz)), k1 = Math.min(nz - 1, Math.ceil((box.max[2] - oz) / sz))
      for (let k = k0; k <= k1; k++) {
        const z = oz + k * sz
        for (let j = j0; j <= j1; j++) {
          const y = oy + j * sy
          const row = (k * ny + j) * nx
          for (let i = i0; i <= i1; i++) {
            const d = depth(ox + i * sx, y, z)
            if (d < 0) {
              // Depth functions are 1-Lipschitz: no point closer than -d can be inside.
              const skip = Math.ceil((-d - 1e-9) / sx) - 1
              if (skip > 0) i += skip
              continue
            }
            const v = row + i
            if (labels[v] !== 0 && labels[v] !== bone.value) {
              throw new Error(`sample case ${t.caseId}: bones ${labels[v]} and ${bone.value} overlap at voxel ${i},${j},${k}`)
            }
            labels[v] = bone.value
            stored[v] = d < t.hu.corticalDepthMm ? corticalValue : boneValue
          }
        }
      }
    }
  }

  if (opts.noise !== false) {
    // Noise = sigma * rng.bell() rounded to whole HU; the bell value is a function of the sum
    // of three 10-bit uniforms, so the rounded noise is tabulated once over that sum.
    const sigma = t.hu.noiseSigma
    const table = new Int16Array(3 * 1023 + 1)
    for (let sum = 0; sum < table.length; sum++) table[sum] = Math.round(sigma * 2 * ((sum + 1.5) / 1024 - 1.5))
    const rng = makeRandom(t.seed, t.caseIndex, 'noise')
    for (let v = 0; v < n; v++) {
      const z = rng.next32()
      stored[v] += table[(z & 1023) + ((z >>> 10) & 1023) + ((z >>> 20) & 1023)]
    }
  }
  return { stored, labels }
}
