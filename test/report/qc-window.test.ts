// The QC window per modality, tested on what the picture shows: a CT phantom with tissue bands
// of known HU, drawn without overlay so pixel greys are the window's doing.
import { describe, expect, it } from 'vitest'
import { makeImage } from '../../src/image/image.js'
import { renderQcRgba } from '../../src/report/qc-png.js'
import { ctBoneWindow, ctSoftTissueWindow, qcWindow } from '../../src/report/qc-window.js'

// 50 x 20 x 20 voxels; bands along i: air, fat, muscle, cancellous bone, cortical bone.
const BANDS = [-1000, -100, 50, 700, 1100]
const N = [50, 20, 20]
const grid = { size: N, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
const bandOf = (i: number) => Math.floor(i / 10)

function phantom(labelBands: number[]) {
  const hu = new Int16Array(N[0] * N[1] * N[2]), labels = new Uint8Array(hu.length)
  for (let k = 0; k < N[2]; k++) for (let j = 0; j < N[1]; j++) for (let i = 0; i < N[0]; i++) {
    const x = i + N[0] * (j + N[1] * k)
    hu[x] = BANDS[bandOf(i)]
    labels[x] = labelBands.includes(bandOf(i)) && j > 4 && j < 15 && k > 4 && k < 15 ? 1 : 0
  }
  return { image: makeImage(grid, hu), labels: makeImage(grid, labels) }
}

/** Grey level(s) the axial view shows for voxels of each HU value. */
function greysByHu(labelBands: number[], modality = 'CT'): Map<number, Set<number>> {
  const { image, labels } = phantom(labelBands)
  const raster = renderQcRgba({ image, labels, window: qcWindow(image, modality, labels), alpha: 0 })
  const view = raster.views.views[0], panel = raster.panels[0]
  const out = new Map<number, Set<number>>()
  for (let r = 0; r < view.height; r++) for (let c = 0; c < view.width; c++) {
    const hu = view.intensity[r * view.width + c]
    const grey = raster.rgba[((panel.y + r) * raster.width + panel.x + c) * 4]
    if (!out.has(hu)) out.set(hu, new Set())
    out.get(hu)!.add(grey)
  }
  return out
}
const only = (s: Set<number> | undefined) => { expect(s?.size).toBe(1); return [...s!][0] }

describe('QC window', () => {
  it('CT with bone labels: the bone window keeps cancellous and cortical bone apart', () => {
    const { image, labels } = phantom([3, 4])
    expect(qcWindow(image, 'CT', labels)).toEqual(ctBoneWindow)
    const greys = greysByHu([3, 4])
    // L 400 / W 1800 maps -500..1300 HU onto 0..255: 700 HU -> 170, 1100 HU -> 227.
    expect(only(greys.get(700))).toBeCloseTo(170, -1)
    expect(only(greys.get(1100))).toBeCloseTo(227, -1)
    expect(only(greys.get(-1000))).toBe(0)
  })

  it('CT with soft-tissue labels (or none): the soft-tissue window separates fat and muscle, bone saturates', () => {
    for (const bands of [[2], []]) {
      const { image, labels } = phantom(bands)
      expect(qcWindow(image, 'CT', labels)).toEqual(ctSoftTissueWindow)
      const greys = greysByHu(bands)
      // L 40 / W 400 maps -160..240 HU onto 0..255: fat -100 -> 38, muscle 50 -> 134.
      expect(only(greys.get(-100))).toBeCloseTo(38, -1)
      expect(only(greys.get(50))).toBeCloseTo(134, -1)
      expect(only(greys.get(700))).toBe(255)
      expect(only(greys.get(1100))).toBe(255)
    }
    expect(qcWindow(phantom([]).image, 'CT')).toEqual(ctSoftTissueWindow)
  })

  it('MR: the 1st to 99th percentile of the values, so a few hot voxels do not wash the picture out', () => {
    const values = new Float32Array(10_000)
    for (let n = 0; n < values.length; n++) values[n] = n // a ramp: percentile p is value 10000 p
    values[1234] = 1e6 // one hot voxel
    values[1235] = 2e6
    const image = makeImage({ ...grid, size: [100, 10, 10] }, values)
    const window = qcWindow(image, 'MR')
    expect(window.center - window.width / 2).toBe(100)
    expect(window.center + window.width / 2).toBe(9902) // the two hot values moved the ramp's top by two ranks
  })
})
