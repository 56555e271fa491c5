// Display window of the QC picture: a soft-tissue window for CT (labels are usually organs or
// bone, both readable in it), the 1st-99th percentile range for other modalities.
import { type Image, pixelsOf } from '../image/image.js'

export interface DisplayWindow {
  center: number
  width: number
}

export const ctQcWindow: DisplayWindow = { center: 150, width: 1000 }

export function qcWindow(image: Image, modality: string): DisplayWindow {
  if (modality === 'CT') return ctQcWindow
  const data = pixelsOf(image)
  const step = Math.max(1, Math.floor(data.length / 200_000))
  const sample: number[] = []
  for (let i = 0; i < data.length; i += step) sample.push(data[i])
  sample.sort((a, b) => a - b)
  const low = sample[Math.floor(sample.length * 0.01)] ?? 0
  const high = sample[Math.floor(sample.length * 0.99)] ?? 1
  return { center: (low + high) / 2, width: Math.max(high - low, 1e-6) }
}
