// Run `work` on an archive's files unpacked into a temporary folder, removed afterwards
// whatever happens (used by commands that take a folder, e.g. voxelflow convert).
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Limits } from '../pipeline/config.js'
import { extractArchive } from './archive.js'

export async function withUnpackedArchive<T>(archive: string, limits: Limits, work: (folder: string) => Promise<T>): Promise<T> {
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'voxelflow-archive-'))
  try {
    const folder = path.join(scratch, 'unpacked')
    await extractArchive(archive, folder, limits, archive)
    return await work(folder)
  } finally {
    await fs.rm(scratch, { recursive: true, force: true })
  }
}
