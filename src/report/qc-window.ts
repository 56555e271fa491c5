// Display window of the QC picture, per modality.
// - CT: a fixed preset in HU. The bone window (L 400 / W 1800) when the labelled voxels are bone
//   on average (mean >= 300 HU: cancellous bone and denser; organs and vessels with contrast stay
//   below), so cortex and marrow stay apart instead of both saturating white; otherwise the
//   soft-tissue window (L 40 / W 400), which separates fat, fluid and muscle. No labels: soft tissue.
// - Other modalities have no absolute scale: the 1st to 99th percentile of the voxel values
//   (nearest rank on at most ~200k evenly spaced samples), so a few very bright voxels do not
//   wash out the picture.
import type { Image } from '../image/image.js'
import { type SlabVolume, asSlabVolume } from '../chunks/slab-volume.js'

export interface DisplayWindow {
  center: number
  width: number
}

export const ctSoftTissueWindow: DisplayWindow = { center: 40, width: 400 }
export const ctBoneWindow: DisplayWindow = { center: 400, width: 1800 }
/** Mean HU of the labelled voxels from which on the bone window is chosen. */
export const boneMeanHu = 300

export function qcWindow(image: Image | SlabVolume, modality: string, labels?: Image | SlabVolume | null): DisplayWindow {
  return qcWindowForLabelledMean(image, modality, () => labelledMean(image, labels))
}

/** qcWindow with the labelled mean known already (e.g. from label partials); only CT asks for it. */
export function qcWindowForLabelledMean(image: Image | SlabVolume, modality: string, mean: () => number): DisplayWindow {
  if (modality === 'CT') return mean() >= boneMeanHu ? ctBoneWindow : ctSoftTissueWindow
  return percentileWindow(image, 0.01, 0.99)
}

/** Mean image value over the non-zero label voxels; -Infinity when there are none. */
function labelledMean(image: Image | SlabVolume, labels?: Image | SlabVolume | null): number {
  if (!labels) return -Infinity
  const values = asSlabVolume(image).planes
  const masks = asSlabVolume(labels).planes
  let sum = 0
  let count = 0
  // plane after plane, in the voxel order of the whole array: the same sum in the same order
  for (let k = 0; k < masks.length; k++) {
    const mask = masks[k], value = values[k]
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] !== 0) {
        sum += value[i]
        count++
      }
    }
  }
  return count ? sum / count : -Infinity
}

export function percentileWindow(image: Image | SlabVolume, low: number, high: number): DisplayWindow {
  const { planes } = asSlabVolume(image)
  const planeVoxels = planes[0].length
  const total = planeVoxels * planes.length
  const step = Math.max(1, Math.floor(total / 200_000))
  const sample: number[] = []
  for (let i = 0; i < total; i += step) sample.push(planes[Math.floor(i / planeVoxels)][i % planeVoxels])
  sample.sort((a, b) => a - b)
  const lo = sample[Math.floor(sample.length * low)] ?? 0
  const hi = sample[Math.min(sample.length - 1, Math.floor(sample.length * high))] ?? 1
  return { center: (lo + hi) / 2, width: Math.max(hi - lo, 1e-6) }
}
