// The sample's CT series: one CT Image Storage file per slice, int16 stored values with
// RescaleSlope 1 / RescaleIntercept -1024, written head to feet (slice-0001 is the top).
import { indexToPhysical } from '../image/geometry.js'
import type { SampleTruth } from './phantom.js'
import { codeItem, ds, dsList, encodePart10, Part10Series, type Dataset } from './part10.js'

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'

export const SAMPLE_DATE = '20200101'
export const SAMPLE_TIME = '120000'

/** Patient, study and equipment attributes shared by every object of a sample case. */
export function commonAttributes(t: SampleTruth): Dataset {
  return {
    PatientName: [{ Alphabetic: 'VOXELFLOW^SAMPLE' }],
    PatientID: t.patientId,
    PatientBirthDate: '',
    PatientSex: 'O',
    PatientIdentityRemoved: 'YES',
    DeidentificationMethod: 'synthetic phantom, no patient data',
    StudyInstanceUID: t.uids.study,
    StudyDate: SAMPLE_DATE,
    StudyTime: SAMPLE_TIME,
    ReferringPhysicianName: '',
    StudyID: t.caseId,
    AccessionNumber: '',
    StudyDescription: 'voxelflow synthetic pelvis CT',
    Manufacturer: 'voxelflow',
    ManufacturerModelName: 'synthetic pelvis phantom',
    DeviceSerialNumber: '0',
    SoftwareVersions: '1',
    InstitutionName: 'voxelflow sample',
  }
}

/** The file name of slice k (grid order, 0 = lowest z): slice-0001 is the most superior. */
export function sliceFileName(t: SampleTruth, k: number): string {
  const fileIndex = t.grid.size[2] - k
  return `slice-${String(fileIndex).padStart(4, '0')}.dcm`
}

/** Attributes shared by every slice of the case's CT series. */
function sharedSliceAttributes(t: SampleTruth): Dataset {
  const [nx, ny] = t.grid.size
  return {
    ...commonAttributes(t),
    SOPClassUID: CT_IMAGE_STORAGE,
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    InstanceCreationDate: SAMPLE_DATE,
    InstanceCreationTime: SAMPLE_TIME,
    SeriesDate: SAMPLE_DATE,
    SeriesTime: SAMPLE_TIME,
    AcquisitionDate: SAMPLE_DATE,
    AcquisitionTime: SAMPLE_TIME,
    ContentDate: SAMPLE_DATE,
    ContentTime: SAMPLE_TIME,
    Modality: 'CT',
    SeriesInstanceUID: t.uids.series,
    SeriesNumber: 1,
    SeriesDescription: 'synthetic pelvis CT',
    BodyPartExamined: 'PELVIS',
    PatientPosition: 'HFS',
    FrameOfReferenceUID: t.uids.frameOfReference,
    PositionReferenceIndicator: '',
    AcquisitionNumber: 1,
    ImageOrientationPatient: dsList([1, 0, 0, 0, 1, 0]),
    PixelSpacing: dsList([t.grid.spacing[1], t.grid.spacing[0]]), // row spacing \ column spacing
    SliceThickness: ds(t.sliceThickness),
    KVP: ds(120),
    ConvolutionKernel: 'SYNTHETIC',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    RescaleIntercept: ds(-1024),
    RescaleSlope: ds(1),
    RescaleType: 'HU',
    WindowCenter: dsList([40, 400]),
    WindowWidth: dsList([400, 1800]),
    WindowCenterWidthExplanation: ['SOFT TISSUE', 'BONE'],
    AnatomicRegionSequence: [codeItem({ value: '12921003', scheme: 'SCT', meaning: 'Pelvis' })],
  }
}

/** Attributes of slice k alone. */
function ownSliceAttributes(t: SampleTruth, k: number): Dataset {
  const position = indexToPhysical(t.grid, [0, 0, k])
  return {
    SOPInstanceUID: t.uids.slice(k),
    InstanceNumber: t.grid.size[2] - k,
    ImagePositionPatient: dsList(position),
    SliceLocation: ds(position[2]),
  }
}

function slicePixels(t: SampleTruth, stored: Int16Array, k: number): Int16Array {
  const n = t.grid.size[0] * t.grid.size[1]
  return stored.subarray(k * n, (k + 1) * n)
}

/** Encode slice k of the CT series on its own. `stored` holds int16 stored values for the whole grid. */
export function encodeCtSlice(t: SampleTruth, stored: Int16Array, k: number): Uint8Array {
  return encodePart10({ ...sharedSliceAttributes(t), ...ownSliceAttributes(t, k) }, { vr: 'OW', data: slicePixels(t, stored, k) })
}

/** An encoder for all slices of the series (same bytes as encodeCtSlice, much faster). */
export function ctSliceEncoder(t: SampleTruth, stored: Int16Array): (k: number) => Uint8Array {
  const series = new Part10Series(sharedSliceAttributes(t))
  return (k) => series.encode(ownSliceAttributes(t, k), { vr: 'OW', data: slicePixels(t, stored, k) })
}
