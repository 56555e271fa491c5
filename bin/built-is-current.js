// Whether dist/ (written by bin/build.js) still matches the sources, so bin/voxelflow.js may run
// it. The build lists every source file and folder it compiled (dist/BUILT); the built code is
// current while none of them changed after BUILT was written: an edited file has a newer mtime,
// an added, removed or renamed file changes its folder's mtime, and a removed one fails to stat.
// The stats run on libuv's thread pool, several at once: one after the other on the main
// thread they cost every command ~10 ms of its start (best of 20 cold processes, 303 entries).
import { readFileSync, statSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'

export const manifestName = 'BUILT'

/** The manifest bin/build.js writes: sources and folders relative to `root`. */
export function manifestText(files, folders) {
  return JSON.stringify({ note: 'written by bin/build.js; bin/voxelflow.js runs dist/ while none of these changed after this file', files, folders }) + '\n'
}

/** True when dist/ under `root` was built from the sources as they are now. */
export async function builtIsCurrent(root) {
  const built = path.join(root, 'dist', manifestName)
  let builtAt
  let manifest
  try {
    builtAt = statSync(built).mtimeMs
    manifest = JSON.parse(readFileSync(built, 'utf8'))
  } catch {
    return false
  }
  if (!Array.isArray(manifest?.files) || !Array.isArray(manifest?.folders)) return false
  const unchanged = await Promise.all(['package.json', ...manifest.folders, ...manifest.files].map((entry) =>
    stat(path.join(root, entry)).then((s) => s.mtimeMs <= builtAt, () => false)))
  return unchanged.every(Boolean)
}
