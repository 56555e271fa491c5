// The sample's DICOM SEG: a BINARY Segmentation Storage object with one segment per bone,
// frames only where a segment is present, each frame tied to its CT slice by position
// (Plane Position) and by reference (Derivation Image), written with dcmjs.
import { indexToPhysical } from '../image/geometry.js'
import type { SampleTruth, Code } from './phantom.js'
import { commonAttributes, CT_IMAGE_STORAGE, SAMPLE_DATE, SAMPLE_TIME } from './ct.js'
import { codeItem, ds, dsList, encodeElementFast, encodePart10, encodePart10With, type Dataset } from './part10.js'

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4'

const DCM = 'DCM'
const sourceImagePurpose: Code = { value: '121322', scheme: DCM, meaning: 'Source image for image processing operation' }
const segmentationDerivation: Code = { value: '113076', scheme: DCM, meaning: 'Segmentation' }

/**
 * sRGB (0..255) to DICOM's scaled CIELab (L* 0..100 -> 0..65535, a*, b* -128..127 -> 0..65535).
 * Uses the D65 white point without chromatic adaptation, as DCMTK (and so dcmqi) does, so
 * the colour reads back unchanged there.
 */
export function rgbToDicomLab([r, g, b]: [number, number, number]): [number, number, number] {
  const lin = (c: number): number => {
    const x = c / 255
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4
  }
  const [R, G, B] = [lin(r), lin(g), lin(b)]
  const X = 0.4124564 * R + 0.3575761 * G + 0.1804375 * B
  const Y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B
  const Z = 0.0193339 * R + 0.119192 * G + 0.9503041 * B
  const f = (t: number): number => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29)
  const fx = f(X / 0.95047), fy = f(Y / 1.0), fz = f(Z / 1.08883)
  const L = 116 * fy - 16, a = 500 * (fx - fy), bb = 200 * (fy - fz)
  const clamp = (v: number): number => Math.max(0, Math.min(65535, Math.round(v)))
  return [clamp((L * 65535) / 100), clamp(((a + 128) * 65535) / 255), clamp(((bb + 128) * 65535) / 255)]
}

/**
 * Encode the sample's label map (values 1..5 on the CT grid) as a DICOM SEG. The large
 * per-frame and reference sequences go through the direct encoder (same bytes as dcmjs,
 * much faster); `{ direct: false }` encodes everything with dcmjs.
 */
export function encodeSampleSeg(t: SampleTruth, labels: Uint8Array, options: { direct?: boolean } = {}): Uint8Array {
  const [nx, ny, nz] = t.grid.size
  const sliceSize = nx * ny

  // Which slices each segment touches (and where the labelled voxels are, to pack them).
  const maxValue = Math.max(...t.bones.map((b) => b.value))
  const present = new Uint8Array((maxValue + 1) * nz)
  const labelled: number[] = []
  for (let v = 0; v < labels.length; v++) {
    const s = labels[v]
    if (s === 0) continue
    if (s > maxValue) throw new Error(`label ${s} is not a segment of the sample`)
    labelled.push(v)
    present[s * nz + Math.floor(v / sliceSize)] = 1
  }
  const frames: Array<{ segment: number; k: number }> = []
  const frameOf = new Int32Array((maxValue + 1) * nz).fill(-1)
  for (const b of t.bones) {
    for (let k = 0; k < nz; k++) {
      if (!present[b.value * nz + k]) continue
      frameOf[b.value * nz + k] = frames.length
      frames.push({ segment: b.value, k })
    }
  }

  // 1 bit per pixel, pixels run on from frame to frame, first pixel in the lowest bit.
  const packed = new Uint8Array(Math.ceil((frames.length * sliceSize) / 8))
  for (const v of labelled) {
    const k = Math.floor(v / sliceSize)
    const bit = frameOf[labels[v] * nz + k] * sliceSize + (v - k * sliceSize)
    packed[bit >> 3] |= 1 << (bit & 7)
  }

  const perFrame = frames.map(({ segment, k }) => ({
    DerivationImageSequence: [
      {
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: CT_IMAGE_STORAGE,
            ReferencedSOPInstanceUID: t.uids.slice(k),
            PurposeOfReferenceCodeSequence: [codeItem(sourceImagePurpose)],
          },
        ],
        DerivationCodeSequence: [codeItem(segmentationDerivation)],
      },
    ],
    FrameContentSequence: [{ DimensionIndexValues: [segment, k + 1] }],
    PlanePositionSequence: [{ ImagePositionPatient: dsList(indexToPhysical(t.grid, [0, 0, k])) }],
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: segment }],
  }))

  const dimensionOrganizationUid = t.uids.seg + '.1'
  const segments = t.bones.map((b) => ({
    SegmentNumber: b.value,
    SegmentLabel: b.label,
    SegmentDescription: b.description,
    SegmentAlgorithmType: 'AUTOMATIC',
    SegmentAlgorithmName: 'voxelflow sample phantom',
    SegmentedPropertyCategoryCodeSequence: [codeItem(b.category)],
    SegmentedPropertyTypeCodeSequence: [
      { ...codeItem(b.type), ...(b.typeModifier ? { SegmentedPropertyTypeModifierCodeSequence: [codeItem(b.typeModifier)] } : {}) },
    ],
    RecommendedDisplayCIELabValue: rgbToDicomLab(b.color),
  }))

  const dataset: Dataset = {
    ...commonAttributes(t),
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: t.uids.seg,
    ImageType: ['DERIVED', 'PRIMARY'],
    InstanceCreationDate: SAMPLE_DATE,
    InstanceCreationTime: SAMPLE_TIME,
    SeriesDate: SAMPLE_DATE,
    SeriesTime: SAMPLE_TIME,
    ContentDate: SAMPLE_DATE,
    ContentTime: SAMPLE_TIME,
    Modality: 'SEG',
    SeriesInstanceUID: t.uids.segSeries,
    SeriesNumber: 100,
    SeriesDescription: 'bone segmentation (reference)',
    BodyPartExamined: 'PELVIS',
    FrameOfReferenceUID: t.uids.frameOfReference,
    PositionReferenceIndicator: '',
    InstanceNumber: 1,
    ContentLabel: 'BONES',
    ContentDescription: 'reference bone masks of the synthetic pelvis',
    ContentCreatorName: [{ Alphabetic: 'VOXELFLOW^GENERATOR' }],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    SegmentSequence: segments,
    NumberOfFrames: frames.length,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: 0x0062000b, // Referenced Segment Number
        FunctionalGroupPointer: 0x0062000a, // Segment Identification Sequence
        DimensionDescriptionLabel: 'Segment Number',
      },
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: 0x00200032, // Image Position (Patient)
        FunctionalGroupPointer: 0x00209113, // Plane Position Sequence
        DimensionDescriptionLabel: 'Image Position Patient',
      },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: dsList([1, 0, 0, 0, 1, 0]) }],
        PixelMeasuresSequence: [
          {
            PixelSpacing: dsList([t.grid.spacing[1], t.grid.spacing[0]]),
            SliceThickness: ds(t.sliceThickness),
            SpacingBetweenSlices: ds(t.grid.spacing[2]),
          },
        ],
      },
    ],
  }
  const large: Dataset = {
    PerFrameFunctionalGroupsSequence: perFrame,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: t.uids.series,
        ReferencedInstanceSequence: Array.from({ length: nz }, (_, k) => ({
          ReferencedSOPClassUID: CT_IMAGE_STORAGE,
          ReferencedSOPInstanceUID: t.uids.slice(k),
        })),
      },
    ],
  }
  const pixelData = { vr: 'OB' as const, data: packed }
  if (options.direct === false) return encodePart10({ ...dataset, ...large }, pixelData)
  return encodePart10With(dataset, Object.entries(large).map(([name, value]) => encodeElementFast(name, value)), pixelData)
}
