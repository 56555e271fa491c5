// A case delivered as one archive: unpack it beside the (scratch) copy of the archive and let
// its files take the archive's place, keyed "<archive key>!/<entry>" so messages lead back to
// the upload. Entries named *.labels.nii(.gz) are the reference, as in a case folder.
import path from 'node:path'
import { extractArchive, isArchivePath } from '../io/archive.js'
import type { Limits } from './config.js'
import { exceedsLimit } from './limits.js'
import type { CaseFile } from './load-case.js'

export async function expandArchives(files: CaseFile[], limits: Limits): Promise<CaseFile[]> {
  const expanded: CaseFile[] = []
  for (const file of files) {
    if (file.role !== 'auto' || !isArchivePath(file.file)) {
      expanded.push(file)
      continue
    }
    const destination = `${file.file}.unpacked`
    for (const entry of await extractArchive(file.file, destination, limits, file.key)) {
      const role = /\.labels\.nii(\.gz)?$/i.test(entry) ? 'labels' : 'auto'
      expanded.push({ file: path.join(destination, ...entry.split('/')), key: `${file.key}!/${entry}`, role })
    }
  }
  if (expanded.length > limits.max_files_per_case) throw exceedsLimit(files[0]?.key ?? 'case', 'max_files_per_case', 'files in the case', expanded.length, limits)
  return expanded
}
