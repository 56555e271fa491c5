// `voxelflow sr2json <sr.dcm> [--reference <dicom-dir|image.nii.gz>] <out.json>`: the landmarks
// (SCOORD3D points, LPS mm) and measurements of a DICOM SR TID 1500 as JSON; with a reference,
// every point also gets its continuous voxel index, nearest voxel and whether it is inside.
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { readTid1500Landmarks, withVoxelIndices, type IndexedPoint, type SrMeasurement, type SrPoint } from '../io/dicom-sr.js'
import { BadInputError } from '../pipeline/errors.js'
import { readReferenceImage } from './reference-image.js'
import { requireDicomFile } from './seg2nii-command.js'

export interface Sr2JsonFlags {
  reference?: string
  json?: boolean
}

export interface SrJson {
  source: string
  reference?: string
  sopInstanceUid: string
  template?: string
  title?: { value: string; scheme: string; meaning: string }
  points: (SrPoint | IndexedPoint)[]
  measurements: SrMeasurement[]
  warnings: string[]
}

export async function runSr2JsonCommand(sr: string, output: string, flags: Sr2JsonFlags = {}, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<SrJson> {
  if (!/\.json$/i.test(output)) throw new BadInputError('output must end in .json', { file: output })
  await requireDicomFile(sr)
  const report = await readTid1500Landmarks(sr)
  let points: SrJson['points'] = report.points
  const warnings = [...report.warnings]
  if (flags.reference) {
    const reference = await readReferenceImage(flags.reference)
    points = withVoxelIndices(report.points, reference.image)
    const elsewhere = report.points.filter((p) => reference.frameOfReferenceUid && p.frameOfReferenceUid && p.frameOfReferenceUid !== reference.frameOfReferenceUid)
    if (elsewhere.length) warnings.push(`${elsewhere.length} points are in another frame of reference than the reference image (${reference.frameOfReferenceUid}): their indices mean nothing there`)
  }
  const result: SrJson = {
    source: path.resolve(sr),
    reference: flags.reference ? path.resolve(flags.reference) : undefined,
    sopInstanceUid: report.sopInstanceUid,
    template: report.template,
    title: report.title,
    points,
    measurements: report.measurements,
    warnings,
  }
  const text = JSON.stringify(result, null, 2) + '\n'
  await fs.mkdir(path.dirname(path.resolve(output)), { recursive: true })
  await fs.writeFile(output, text)
  if (flags.json) write(text)
  return result
}

export function registerSr2JsonCommand(program: Command): Command {
  return program
    .command('sr2json')
    .description('DICOM SR TID 1500 -> landmarks (LPS mm, voxel index with --reference) and measurements as JSON')
    .argument('<sr>', 'DICOM SR file (TID 1500 Imaging Measurement Report)')
    .argument('<output>', 'output .json')
    .option('--reference <dicom-dir|image.nii.gz>', 'image whose grid gives each point a voxel index')
    .option('--json', 'print the JSON')
    .action(async (sr: string, output: string, flags: Sr2JsonFlags) => {
      const r = await runSr2JsonCommand(sr, output, flags)
      if (!flags.json) console.log(`voxelflow sr2json: ${sr} -> ${output} (${r.points.length} points, ${r.measurements.length} measurements)`)
    })
}
