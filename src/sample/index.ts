// The bundled synthetic pelvis sample: generator, ground truth and its DICOM writers.
export { writeSample, writeSampleCase, formatSampleSummary, truthJson } from './write-sample.js'
export type { WriteSampleOptions, WriteSampleSummary, WrittenCase } from './write-sample.js'
export { sampleTruth, rasterizeSample, caseIdOf, SAMPLE_SIZE, SAMPLE_SPACING } from './phantom.js'
export type { SampleTruth, BoneTruth, LandmarkTruth, Code, RasterizedSample } from './phantom.js'
