// `voxelflow seg2nii <seg.dcm> --reference <dicom-dir|image.nii.gz> <out.nii.gz>`: a DICOM SEG
// as a label map on the reference image's grid (frames placed by position), plus a labels table
// next to it (out.json): segment number = label value, label, category / type codes, colour,
// voxel count. No patient identifiers are written.
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { isDicomFile } from '../io/dicom-header.js'
import { readDicomSeg, type SegSegment } from '../io/dicom-seg.js'
import { writeNifti } from '../io/nifti.js'
import { BadInputError } from '../pipeline/errors.js'
import { sidecarPathFor } from './convert-command.js'
import { readReferenceImage } from './reference-image.js'

export interface Seg2NiiFlags {
  reference: string
  json?: boolean
}

export interface LabelsTable {
  source: string
  reference: string
  output: string
  size: number[]
  segments: (SegSegment & { voxels: number })[]
  warnings: string[]
}

export async function runSeg2NiiCommand(seg: string, output: string, flags: Seg2NiiFlags, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<LabelsTable> {
  if (!/\.nii(\.gz)?$/i.test(output)) throw new BadInputError('output must end in .nii or .nii.gz', { file: output })
  // Checked here rather than by commander so that a missing reference is bad input (exit 2).
  if (!flags.reference) throw new BadInputError('--reference <dicom-dir|image.nii.gz> is required: the SEG is placed on that image\'s grid', { file: seg, field: '--reference' })
  await requireDicomFile(seg)
  const reference = await readReferenceImage(flags.reference)
  const result = await readDicomSeg(seg, reference.image, { frameOfReferenceUid: reference.frameOfReferenceUid })
  await writeNifti(result.labels, output)
  const table: LabelsTable = {
    source: path.resolve(seg),
    reference: path.resolve(flags.reference),
    output: path.resolve(output),
    size: [...result.labels.size],
    segments: result.segments.map((s) => ({ ...s, voxels: result.voxelCounts[s.number] ?? 0 })),
    warnings: result.warnings,
  }
  const text = JSON.stringify(table, null, 2) + '\n'
  await fs.writeFile(sidecarPathFor(output), text)
  if (flags.json) write(text)
  return table
}

export async function requireDicomFile(file: string): Promise<void> {
  const ok = await isDicomFile(file).catch(() => {
    throw new BadInputError('no such file', { file })
  })
  if (!ok) throw new BadInputError('not a DICOM Part 10 file ("DICM" preamble missing)', { file })
}

export function registerSeg2NiiCommand(program: Command): Command {
  return program
    .command('seg2nii')
    .description('DICOM SEG -> label NIfTI on the grid of a reference image, with a labels table (JSON) beside it')
    .argument('<seg>', 'DICOM Segmentation file')
    .argument('<output>', 'output .nii or .nii.gz (the labels table goes next to it as .json)')
    .option('--reference <dicom-dir|image.nii.gz>', 'required: the segmented image, a DICOM folder (read as `convert` reads it) or NIfTI')
    .option('--json', 'print the labels table')
    .action(async (seg: string, output: string, flags: Seg2NiiFlags) => {
      const table = await runSeg2NiiCommand(seg, output, flags)
      if (!flags.json) console.log(`voxelflow seg2nii: ${seg} -> ${output} (${table.segments.map((s) => `${s.number} ${s.label}: ${s.voxels} voxels`).join(', ')})`)
    })
}
