// CLI exit codes: 0 success, 2 bad input (the user can fix it), 1 internal fault.
import { isBadInput } from '../pipeline/errors.js'

export const exitCodes = { ok: 0, internal: 1, badInput: 2 } as const

export function exitCodeFor(error: unknown): number {
  return isBadInput(error) ? exitCodes.badInput : exitCodes.internal
}
