// The QC picture's label summary and window read off reduced slab partials: checked against a
// phantom whose centroid and labelled mean are known by construction, and against the
// whole-volume passes they replace (labelSummary, qcWindow), over uneven slab cuts.
import { describe, expect, it } from 'vitest'
import { extractSlab } from '../../src/chunks/slab-image.js'
import { makeImage } from '../../src/image/image.js'
import { labelPartials } from '../../src/measure/label-partials.js'
import { reducePartials } from '../../src/measure/reduce-partials.js'
import { labelledMeanFromPartials, labelSummaryFromPartials } from '../../src/report/qc-from-partials.js'
import { labelSummary } from '../../src/report/qc-views.js'
import { qcWindow, qcWindowForLabelledMean } from '../../src/report/qc-window.js'

const size = [30, 24, 20]
const grid = { size, spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
const at = (i: number, j: number, k: number) => i + size[0] * (j + size[1] * k)

/** Label 2: box i 4..9, j 5..14, k 3..8 at `boneHu`; label 5: box i 20..25, j 2..7, k 10..17 at 100 HU. */
function phantom(boneHu: number) {
  const image = new Int16Array(size[0] * size[1] * size[2]).fill(-1000)
  const labels = new Uint8Array(image.length)
  const fill = (lo: number[], hi: number[], label: number, hu: number) => {
    for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) {
      labels[at(i, j, k)] = label
      image[at(i, j, k)] = hu
    }
  }
  fill([4, 5, 3], [9, 14, 8], 2, boneHu)
  fill([20, 2, 10], [25, 7, 17], 5, 100)
  return { image: makeImage(grid, image), labels: makeImage(grid, labels) }
}

function slabPartials(image: ReturnType<typeof phantom>['image'], labels: ReturnType<typeof phantom>['labels'], cuts: number[]) {
  const parts = []
  for (let n = 0; n + 1 < cuts.length; n++) {
    parts.push(labelPartials(extractSlab(labels, cuts[n], cuts[n + 1]), extractSlab(image, cuts[n], cuts[n + 1]), { kOffset: cuts[n] }))
  }
  return reducePartials(parts)
}

describe('QC summary from label partials', () => {
  // box 2: 6 x 10 x 6 = 360 voxels, centre (6.5, 9.5, 5.5); box 5: 6 x 6 x 8 = 288, centre (22.5, 4.5, 13.5)
  const n2 = 360, n5 = 288
  const centroid = [(n2 * 6.5 + n5 * 22.5) / (n2 + n5), (n2 * 9.5 + n5 * 4.5) / (n2 + n5), (n2 * 5.5 + n5 * 13.5) / (n2 + n5)]
  for (const cuts of [[0, 20], [0, 1, 2, 9, 10, 20], [0, 7, 13, 20]]) {
    it(`slabs cut at ${cuts.join(',')}: labels, centroid and mean as constructed, and as the whole-volume passes`, () => {
      const { image, labels } = phantom(700)
      const reduced = slabPartials(image, labels, cuts)
      const summary = labelSummaryFromPartials(reduced)
      expect(summary.values).toEqual([2, 5])
      summary.centroid!.forEach((c, d) => expect(c).toBeCloseTo(centroid[d], 12))
      expect(summary).toEqual(labelSummary(labels))
      expect(labelledMeanFromPartials(reduced)).toBeCloseTo((n2 * 700 + n5 * 100) / (n2 + n5), 12)
    })
  }

  it('the window flips at the 300 HU bone threshold exactly as qcWindow decides it', () => {
    // mean = (360 b + 288 * 100) / 648 >= 300  <=>  b >= 460
    for (const [boneHu, expected] of [[460, 'bone'], [459, 'soft']] as const) {
      const { image, labels } = phantom(boneHu)
      const window = qcWindowForLabelledMean(image, 'CT', () => labelledMeanFromPartials(slabPartials(image, labels, [0, 4, 20])))
      expect(window).toEqual(qcWindow(image, 'CT', labels))
      expect(window.width).toBe(expected === 'bone' ? 1800 : 400)
    }
  })

  it('no foreground: no centroid, mean -Infinity (soft-tissue window)', () => {
    const { image } = phantom(700)
    const empty = makeImage(grid, new Uint8Array(image.data!.length))
    const reduced = slabPartials(image, empty, [0, 10, 20])
    expect(labelSummaryFromPartials(reduced)).toEqual({ values: [], centroid: null })
    expect(labelledMeanFromPartials(reduced)).toBe(-Infinity)
  })
})
