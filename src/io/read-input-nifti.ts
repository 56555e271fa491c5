// An uploaded NIfTI: checked (header, extent, finite voxels) before ITK allocates anything.
import { type Limits, defaultLimits } from '../pipeline/config.js'
import type { Image } from '../image/image.js'
import { readNifti } from './nifti.js'
import { validateNiftiFile } from './validate-nifti-file.js'

/** @param name what messages call the file (an object key); defaults to the path. */
export async function readInputNifti(file: string, limits: Limits = defaultLimits, name = file): Promise<Image> {
  await validateNiftiFile(file, limits, name)
  return readNifti(file)
}
