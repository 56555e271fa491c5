// What `voxelflow run <input>` means by a case:
// - a NIfTI file or an archive (.zip, .tar, .tar.gz) is one case (id = file name without extension);
// - a folder holding DICOM files directly is one case (id = folder name), including its
//   subfolders (so a case folder may keep its series in ct/ beside seg.dcm and sr.dcm);
// - any other folder is a batch: each NIfTI file or archive in it and each subfolder is looked at by the
//   same rules.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { isDicomFile } from '../io/dicom-header.js'
import { isNiftiPath } from '../io/nifti.js'
import { archiveStem, isArchivePath } from '../io/archive.js'
import { BadInputError } from '../pipeline/errors.js'

export interface LocalCase {
  caseId: string
  /** Folder that plays the input bucket for this case. */
  root: string
  /** Object keys (paths relative to root, "/"-separated). */
  keys: string[]
}

export async function discoverCases(input: string): Promise<LocalCase[]> {
  const absolute = path.resolve(input)
  const stat = await fs.stat(absolute).catch(() => undefined)
  if (!stat) throw new BadInputError('no such file or folder', { file: input })
  if (stat.isFile()) {
    if (isArchivePath(absolute)) return [archiveCase(absolute)]
    if (!isNiftiPath(absolute)) throw new BadInputError('a single input file must be NIfTI (.nii or .nii.gz) or an archive (.zip, .tar, .tar.gz); give DICOM as a folder', { file: input })
    return [niftiCase(absolute)]
  }
  const cases = await casesIn(absolute)
  if (!cases.length) throw new BadInputError('no DICOM series or NIfTI image found', { file: input })
  return cases
}

async function casesIn(folder: string): Promise<LocalCase[]> {
  const entries = (await fs.readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))
  for (const entry of entries) {
    if (entry.isFile() && !isNiftiPath(entry.name) && (await isDicomFile(path.join(folder, entry.name)))) {
      return [{ caseId: path.basename(folder), root: path.dirname(folder), keys: await filesUnder(folder, path.dirname(folder)) }]
    }
  }
  const cases: LocalCase[] = []
  for (const entry of entries) {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) cases.push(...(await casesIn(full)))
    else if (entry.isFile() && isNiftiPath(entry.name) && !/\.labels\.nii(\.gz)?$/i.test(entry.name)) cases.push(niftiCase(full))
    else if (entry.isFile() && isArchivePath(entry.name)) cases.push(archiveCase(full))
  }
  return cases
}

function archiveCase(file: string): LocalCase {
  return { caseId: archiveStem(file), root: path.dirname(file), keys: [path.basename(file)] }
}

function niftiCase(file: string): LocalCase {
  return { caseId: path.basename(file).replace(/\.nii(\.gz)?$/i, ''), root: path.dirname(file), keys: [path.basename(file)] }
}

async function filesUnder(folder: string, root: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await fs.readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(root, path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)).split(path.sep).join('/'))
  }
  return out.sort()
}
