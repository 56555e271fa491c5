// A 3-D NIfTI volume named on the command line; anything else is bad input naming the file.
import { existsSync } from 'node:fs'
import type { Image } from '../image/image.js'
import { isNiftiPath, readNifti } from '../io/nifti.js'
import { BadInputError } from '../pipeline/errors.js'

export async function readVolume(file: string): Promise<Image> {
  if (!existsSync(file)) throw new BadInputError('no such file', { file })
  if (!isNiftiPath(file)) throw new BadInputError('expected a NIfTI image (.nii or .nii.gz)', { file })
  const image = await readNifti(file)
  if (image.size.length !== 3) throw new BadInputError(`expected a 3-D image, got size ${image.size.join('x')}`, { file })
  return image
}
