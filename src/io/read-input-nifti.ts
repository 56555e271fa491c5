// An uploaded NIfTI: its header checked (sizes against limits, geometry) before ITK allocates
// anything; the voxel data checked (present in full, float voxels finite) before the image is
// used: on a filter thread while ITK reads the file when there is a second core, else first.
// Where the stored bytes are ITK's voxels, the check's inflate also delivers them and ITK reads
// only the header (read-nifti-voxels-directly.ts); a caller that can start on the first slices
// gets them as they arrive (readInputNiftiArriving).
import { type Limits, defaultLimits } from '../pipeline/config.js'
import type { Image } from '../image/image.js'
import { readNifti } from './nifti.js'
import { type ArrivingImage, readNiftiVoxelsArriving } from './read-nifti-voxels-directly.js'
import { checkNiftiFileHeader, validateNiftiFile } from './validate-nifti-file.js'
import { validateNiftiFileInBackground } from './validate-nifti-in-background.js'

/** @param name what messages call the file (an object key); defaults to the path. */
export async function readInputNifti(file: string, limits: Limits = defaultLimits, name = file): Promise<Image> {
  const read = await readInputNiftiArriving(file, limits, name)
  await read.arrival?.complete
  return read.image
}

/**
 * readInputNifti for a caller that can start on the first slices: where the voxels are read
 * directly, resolves once the header is read, with `arrival` (await its `complete` before
 * trusting the image); otherwise after the whole read and its check, without `arrival`.
 */
export async function readInputNiftiArriving(file: string, limits: Limits = defaultLimits, name = file): Promise<Partial<ArrivingImage> & { image: Image }> {
  const header = await checkNiftiFileHeader(file, limits, name)
  const direct = readNiftiVoxelsArriving(file, header, limits, name)
  if (direct) return (await direct) ?? { image: await readNifti(file) }
  const dataCheck = validateNiftiFileInBackground(file, limits, name)
  if (!dataCheck) {
    await validateNiftiFile(file, limits, name)
    return { image: await readNifti(file) }
  }
  // the check's verdict first: ITK's own failure on bad data says less
  const [checked, read] = await Promise.allSettled([dataCheck, readNifti(file)])
  if (checked.status === 'rejected') throw checked.reason
  if (read.status === 'rejected') throw read.reason
  return { image: read.value }
}
