// SHA-256 of a case's input files (provenance) on a filter thread, so that prepare's calling
// thread reads and converts the scan meanwhile instead of hashing first (~0.35 s for a 75 MB
// series: hashing runs on the JavaScript thread). Files the thread did not hash (one core, no
// thread pool as in a Lambda bundle, or a thread that failed) are hashed on the calling thread afterwards.
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { runInBackgroundThread, sharedCounter } from '../filters/filter-threads.js'
import { mapLimited } from './map-limited.js'
import { sha256OfFile } from './sha256-file.js'

interface HashArgs {
  files: string[]
  /** 32 bytes per file, in shared memory; done[i] = 1 once file i's digest is in place. */
  digests: Uint8Array
  done: Uint8Array
  counter: Int32Array
}

export async function sha256OfFilesInBackground(files: string[]): Promise<string[]> {
  const args: HashArgs = {
    files,
    digests: new Uint8Array(new SharedArrayBuffer(32 * files.length)),
    done: new Uint8Array(new SharedArrayBuffer(files.length)),
    counter: sharedCounter(),
  }
  // the calling thread goes on with prepare meanwhile
  await runInBackgroundThread({ module: import.meta.url, name: 'sha256FilesKernel', args })?.catch(() => {})
  return finishHashes(args)
}

/** The digests the thread computed, the missing ones hashed here (a few files open at a time: a series may hold thousands). */
export function finishHashes({ files, digests, done }: Pick<HashArgs, 'files' | 'digests' | 'done'>): Promise<string[]> {
  return mapLimited(files, 8, async (file, i) => (done[i] ? Buffer.from(digests.subarray(32 * i, 32 * i + 32)).toString('hex') : sha256OfFile(file)))
}

/** Thread kernel: files from the shared counter, each read in 1 MiB pieces (never whole). */
export function sha256FilesKernel({ files, digests, done, counter }: HashArgs): void {
  const buffer = Buffer.allocUnsafe(1 << 20)
  for (;;) {
    const i = Atomics.add(counter, 0, 1)
    if (i >= files.length) return
    const hash = createHash('sha256')
    const fd = openSync(files[i], 'r')
    try {
      for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n))
    } finally {
      closeSync(fd)
    }
    digests.set(hash.digest(), 32 * i)
    done[i] = 1
  }
}
