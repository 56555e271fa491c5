// validateNiftiFile on a filter thread while the calling thread has ITK read the same file: the
// data check inflates the whole .nii.gz again (~1 s for 512 x 512 x 600 int16), and ITK's read
// (~1.2 s of WebAssembly) holds the calling thread, so on two cores the two overlap. ITK never
// refuses a short file (it reads a truncated volume or a vox_offset past the end without
// complaint), so the check's verdict, not ITK's, decides whether the image is used.
import type { Limits } from '../pipeline/config.js'
import { BadInputError, errorMessage, isBadInput } from '../pipeline/errors.js'
import { runInBackgroundThread } from '../filters/filter-threads.js'
import { validateNiftiFile } from './validate-nifti-file.js'

interface CheckArgs {
  file: string
  limits: Limits
  name: string
  /** The verdict as UTF-8 JSON, its byte length first (0: the data passed). */
  verdict: Uint8Array
  /** Where the thread copies the voxel bytes (a view of a SharedArrayBuffer), if anywhere. */
  voxelsInto?: Uint8Array
  /** Bytes copied so far (voxel-arrival.ts). */
  arrived?: BigInt64Array
}

const verdictBytes = 16384

/**
 * Undefined when there is no thread for it: the caller then checks before reading.
 * @param voxelsInto a view of a SharedArrayBuffer sized from the checked header: the thread fills it.
 * @param arrived counts the bytes the thread has copied into voxelsInto (voxel-arrival.ts).
 */
export function validateNiftiFileInBackground(file: string, limits: Limits, name = file, voxelsInto?: Uint8Array, arrived?: BigInt64Array): Promise<void> | undefined {
  const verdict = new Uint8Array(new SharedArrayBuffer(verdictBytes))
  const running = runInBackgroundThread<CheckArgs>({ module: import.meta.url, name: 'validateNiftiKernel', args: { file, limits, name, verdict, voxelsInto, arrived } })
  return running?.then(() => {
    const length = new DataView(verdict.buffer).getUint32(0)
    if (length === 0) return
    const found = JSON.parse(Buffer.from(verdict.subarray(4, 4 + length)).toString('utf8')) as { bad: boolean; message: string; file?: string; field?: string }
    if (!found.bad) throw new Error(found.message)
    const message = found.file ? found.message.slice(found.file.length + 2) : found.message
    throw new BadInputError(message, { file: found.file, field: found.field })
  })
}

/** Thread kernel: the full check; its error, if any, written to `verdict`. */
export async function validateNiftiKernel({ file, limits, name, verdict, voxelsInto, arrived }: CheckArgs): Promise<void> {
  try {
    await validateNiftiFile(file, limits, name, voxelsInto, arrived)
  } catch (error) {
    const found = isBadInput(error) ? { bad: true, message: error.message, file: error.file, field: error.field } : { bad: false, message: errorMessage(error) }
    let text = Buffer.from(JSON.stringify(found), 'utf8')
    if (text.length > verdictBytes - 4) text = Buffer.from(JSON.stringify({ ...found, message: found.message.slice(0, 4000) }), 'utf8')
    verdict.set(text, 4)
    new DataView(verdict.buffer).setUint32(0, text.length)
  }
}
