// dcmjs, set up once for every DICOM reader of voxelflow.
import dcmjs from 'dcmjs'

// dcmjs warns on every private VR it does not know; those are not the user's problem.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent')

export const { DicomMessage, DicomMetaDictionary } = dcmjs.data

/** A coded concept (code value, coding scheme designator, code meaning). */
export interface CodedConcept {
  value: string
  scheme: string
  meaning: string
}
