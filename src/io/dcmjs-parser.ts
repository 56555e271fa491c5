// dcmjs, set up once for every DICOM reader of voxelflow.
import dcmjs from 'dcmjs'
import { readFile } from 'node:fs/promises'

// dcmjs warns on every private VR it does not know; those are not the user's problem.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent')

export const { DicomMessage, DicomMetaDictionary } = dcmjs.data

/** A coded concept (code value, coding scheme designator, code meaning). */
export interface CodedConcept {
  value: string
  scheme: string
  meaning: string
}

export interface NaturalizedHeader {
  /** The dataset up to (not including) the pixel data, with keyword keys. */
  dataset: Record<string, unknown>
  /** The file meta information (transfer syntax, media storage class). */
  meta: Record<string, unknown>
  /** The whole file, for checks dcmjs does not make (pixel data extent). */
  bytes: Uint8Array
}

/** A DICOM file's header read with dcmjs, stopping before the pixel data. */
export async function readNaturalizedHeader(file: string): Promise<NaturalizedHeader> {
  const bytes = await readFile(file)
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const message = DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false, ignoreErrors: true })
  return {
    dataset: DicomMetaDictionary.naturalizeDataset(message.dict) as Record<string, unknown>,
    meta: DicomMetaDictionary.naturalizeDataset(message.meta) as Record<string, unknown>,
    bytes,
  }
}
