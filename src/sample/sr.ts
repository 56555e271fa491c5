// The sample's landmarks as a DICOM SR "Imaging Measurement Report" (TID 1500) in a
// Comprehensive 3D SR object: one measurement group per landmark, holding its name
// (Tracking Identifier), a Finding code where one exists and a SCOORD3D POINT in the CT's
// frame of reference (LPS mm).
import type { Code, SampleTruth } from './phantom.js'
import { commonAttributes, CT_IMAGE_STORAGE, SAMPLE_DATE, SAMPLE_TIME } from './ct.js'
import { codeItem, encodeElementFast, encodePart10, encodePart10With, type Dataset } from './part10.js'
import { deterministicUid } from './random.js'

export const COMPREHENSIVE_3D_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.34'

const DCM = 'DCM'
const concept = {
  report: { value: '126000', scheme: DCM, meaning: 'Imaging Measurement Report' },
  language: { value: '121049', scheme: DCM, meaning: 'Language of Content Item and Descendants' },
  english: { value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' },
  observerType: { value: '121005', scheme: DCM, meaning: 'Observer Type' },
  device: { value: '121007', scheme: DCM, meaning: 'Device' },
  deviceObserverUid: { value: '121012', scheme: DCM, meaning: 'Device Observer UID' },
  deviceObserverName: { value: '121013', scheme: DCM, meaning: 'Device Observer Name' },
  procedureReported: { value: '121058', scheme: DCM, meaning: 'Procedure reported' },
  ctPelvis: { value: '25045-6', scheme: 'LN', meaning: 'CT unspecified body region' },
  imagingMeasurements: { value: '126010', scheme: DCM, meaning: 'Imaging Measurements' },
  measurementGroup: { value: '125007', scheme: DCM, meaning: 'Measurement Group' },
  trackingIdentifier: { value: '112039', scheme: DCM, meaning: 'Tracking Identifier' },
  trackingUid: { value: '112040', scheme: DCM, meaning: 'Tracking Unique Identifier' },
  findingCategory: { value: '276214006', scheme: 'SCT', meaning: 'Finding category' },
  anatomicalStructure: { value: '91723000', scheme: 'SCT', meaning: 'Anatomical Structure' },
  finding: { value: '121071', scheme: DCM, meaning: 'Finding' },
  laterality: { value: '272741003', scheme: 'SCT', meaning: 'Laterality' },
  imageRegion: { value: '111030', scheme: DCM, meaning: 'Image Region' },
} satisfies Record<string, Code>

const codeContent = (relationship: string, name: Code, value: Code): Dataset => ({
  RelationshipType: relationship,
  ValueType: 'CODE',
  ConceptNameCodeSequence: [codeItem(name)],
  ConceptCodeSequence: [codeItem(value)],
})

/**
 * Encode the landmarks of the sample case as a TID 1500 Comprehensive 3D SR. The evidence
 * list (one reference per CT slice) goes through the direct encoder (same bytes as dcmjs);
 * `{ direct: false }` encodes everything with dcmjs.
 */
export function encodeSampleSr(t: SampleTruth, options: { direct?: boolean } = {}): Uint8Array {
  const deviceUid = deterministicUid('voxelflow', 'sample-generator-device')
  const groups = t.landmarks.map((lm) => {
    const content: Dataset[] = [
      { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: [codeItem(concept.trackingIdentifier)], TextValue: lm.name },
      {
        RelationshipType: 'HAS OBS CONTEXT', ValueType: 'UIDREF', ConceptNameCodeSequence: [codeItem(concept.trackingUid)],
        UID: deterministicUid(t.seed, t.caseIndex, 'landmark', lm.key),
      },
      codeContent('CONTAINS', concept.findingCategory, concept.anatomicalStructure),
    ]
    if (lm.code) content.push(codeContent('CONTAINS', concept.finding, lm.code))
    if (lm.laterality) content.push(codeContent('HAS CONCEPT MOD', concept.laterality, lm.laterality))
    content.push({
      RelationshipType: 'CONTAINS',
      ValueType: 'SCOORD3D',
      ConceptNameCodeSequence: [codeItem(concept.imageRegion)],
      GraphicType: 'POINT',
      GraphicData: [...lm.lps],
      ReferencedFrameOfReferenceUID: t.uids.frameOfReference,
    })
    return {
      RelationshipType: 'CONTAINS',
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: [codeItem(concept.measurementGroup)],
      ContinuityOfContent: 'SEPARATE',
      ContentSequence: content,
    }
  })

  const [, , nz] = t.grid.size
  const evidence: Dataset[] = [
    {
      StudyInstanceUID: t.uids.study,
      ReferencedSeriesSequence: [
        {
          SeriesInstanceUID: t.uids.series,
          ReferencedSOPSequence: Array.from({ length: nz }, (_, k) => ({
            ReferencedSOPClassUID: CT_IMAGE_STORAGE,
            ReferencedSOPInstanceUID: t.uids.slice(k),
          })),
        },
      ],
    },
  ]
  const dataset: Dataset = {
    ...commonAttributes(t),
    SOPClassUID: COMPREHENSIVE_3D_SR_STORAGE,
    SOPInstanceUID: t.uids.sr,
    InstanceCreationDate: SAMPLE_DATE,
    InstanceCreationTime: SAMPLE_TIME,
    SeriesDate: SAMPLE_DATE,
    SeriesTime: SAMPLE_TIME,
    ContentDate: SAMPLE_DATE,
    ContentTime: SAMPLE_TIME,
    Modality: 'SR',
    SeriesInstanceUID: t.uids.srSeries,
    SeriesNumber: 200,
    SeriesDescription: 'pelvic landmarks (reference)',
    ReferencedPerformedProcedureStepSequence: [],
    InstanceNumber: 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PerformedProcedureCodeSequence: [],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [codeItem(concept.report)],
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    ContentSequence: [
      codeContent('HAS CONCEPT MOD', concept.language, concept.english),
      codeContent('HAS OBS CONTEXT', concept.observerType, concept.device),
      { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'UIDREF', ConceptNameCodeSequence: [codeItem(concept.deviceObserverUid)], UID: deviceUid },
      { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: [codeItem(concept.deviceObserverName)], TextValue: 'voxelflow sample generator' },
      codeContent('HAS CONCEPT MOD', concept.procedureReported, concept.ctPelvis),
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: [codeItem(concept.imagingMeasurements)],
        ContinuityOfContent: 'SEPARATE',
        ContentSequence: groups,
      },
    ],
  }
  if (options.direct === false) return encodePart10({ ...dataset, CurrentRequestedProcedureEvidenceSequence: evidence })
  return encodePart10With(dataset, [encodeElementFast('CurrentRequestedProcedureEvidenceSequence', evidence)])
}
