// `--reference <dicom-dir|image.nii.gz>` of seg2nii and sr2json: the image whose grid labels and
// landmarks are placed on. A DICOM folder is read exactly as `voxelflow convert` reads it (same
// series choice, dcm2niix layout, tilt/spacing correction), so seg2nii's label map lies on the
// grid of convert's NIfTI voxel for voxel.
import { promises as fs } from 'node:fs'
import type { Image } from '../image/image.js'
import { readDicomHeader } from '../io/dicom-header.js'
import { inventoryDicom } from '../io/dicom-series.js'
import { readDicomVolume } from '../io/dicom-volume.js'
import { isNiftiPath, readNifti } from '../io/nifti.js'
import { selectSeries } from '../io/series-selection.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { discoverDicomFiles } from './convert-command.js'

export interface ReferenceImage {
  image: Image
  /** FrameOfReferenceUID of a DICOM reference (NIfTI has none). */
  frameOfReferenceUid?: string
  kind: 'dicom' | 'nifti'
}

export async function readReferenceImage(reference: string): Promise<ReferenceImage> {
  const stat = await fs.stat(reference).catch(() => {
    throw new BadInputError('no such file or folder', { file: reference, field: '--reference' })
  })
  if (stat.isFile() && isNiftiPath(reference)) return { image: await readNifti(reference), kind: 'nifti' }
  const { files } = await discoverDicomFiles(reference)
  const headers = []
  for (const file of files) {
    try {
      headers.push(await readDicomHeader(file))
    } catch (error) {
      throw new BadInputError(`cannot read DICOM header: ${errorMessage(error)}`, { file })
    }
  }
  const { chosen } = selectSeries(inventoryDicom(headers), reference)
  const volume = await readDicomVolume(chosen, { layout: 'dcm2niix' })
  return { image: volume.image, frameOfReferenceUid: chosen.headers[0].frameOfReferenceUid || undefined, kind: 'dicom' }
}
