// An uploaded NIfTI: its header checked (sizes against limits, geometry) before ITK allocates
// anything; the voxel data checked (present in full, float voxels finite) before the image is
// used: on a filter thread while ITK reads the file when there is a second core, else first.
// Where the stored bytes are ITK's voxels, the check's inflate also delivers them and ITK reads
// only the header (read-nifti-voxels-directly.ts).
import { type Limits, defaultLimits } from '../pipeline/config.js'
import type { Image } from '../image/image.js'
import { readNifti } from './nifti.js'
import { readNiftiVoxelsDirectly } from './read-nifti-voxels-directly.js'
import { checkNiftiFileHeader, validateNiftiFile } from './validate-nifti-file.js'
import { validateNiftiFileInBackground } from './validate-nifti-in-background.js'

/** @param name what messages call the file (an object key); defaults to the path. */
export async function readInputNifti(file: string, limits: Limits = defaultLimits, name = file): Promise<Image> {
  const header = await checkNiftiFileHeader(file, limits, name)
  const direct = readNiftiVoxelsDirectly(file, header, limits, name)
  if (direct) return (await direct) ?? readNifti(file)
  const dataCheck = validateNiftiFileInBackground(file, limits, name)
  if (!dataCheck) {
    await validateNiftiFile(file, limits, name)
    return readNifti(file)
  }
  // the check's verdict first: ITK's own failure on bad data says less
  const [checked, read] = await Promise.allSettled([dataCheck, readNifti(file)])
  if (checked.status === 'rejected') throw checked.reason
  if (read.status === 'rejected') throw read.reason
  return read.value
}
