// Reading the ITK goldens and comparing voxel arrays, shared by the filter tests.
import { readImageNode } from '@itk-wasm/image-io'
import { expect } from 'vitest'
import type { Image } from '../../src/image/image.js'
import { goldenPath } from './paths.js'

/** An image under ../shared/golden/itk/ (e.g. 'input/ct-pelvis-crop.nii.gz'). */
export function readItkGolden(relative: string): Promise<Image> {
  return readImageNode(goldenPath('itk', relative)) as Promise<Image>
}

/** Largest |a[i] - b[i]|; the arrays must have the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}
