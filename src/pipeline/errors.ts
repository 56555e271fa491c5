// Errors are values users can read. BadInputError: the input cannot be processed as given
// (CLI exit 2, no retry in the cloud). Anything else is an internal fault (exit 1, retried).

export interface BadInputDetails {
  /** The file or object key at fault. */
  file?: string
  /** The header field or setting at fault. */
  field?: string
}

export class BadInputError extends Error {
  readonly kind = 'bad_input' as const
  readonly file?: string
  readonly field?: string

  constructor(message: string, details: BadInputDetails = {}, options?: { cause?: unknown }) {
    super(details.file ? `${details.file}: ${message}` : message, options)
    this.name = 'BadInputError'
    this.file = details.file
    this.field = details.field
  }
}

export function isBadInput(error: unknown): error is BadInputError {
  return error instanceof Error && (error as { kind?: string }).kind === 'bad_input'
}

export type ErrorKind = 'bad_input' | 'internal'

export function errorKind(error: unknown): ErrorKind {
  return isBadInput(error) ? 'bad_input' : 'internal'
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Re-address bad-input errors to the name users know (an object key, `case.zip!/ct/1.dcm`)
 * instead of the scratch copy that was read; other errors pass through unchanged.
 */
export function renameBadInput(nameOf: (file: string | undefined) => string | undefined) {
  return (error: unknown): never => {
    // By kind, not class: the CLI bundle and the module tree each hold a copy of this class (bin/build.js).
    if (!isBadInput(error)) throw error
    const message = error.file ? error.message.slice(error.file.length + 2) : error.message
    throw new BadInputError(message, { file: nameOf(error.file) ?? error.file, field: error.field }, { cause: error })
  }
}
