// Limit errors: every one names the file, the setting (limits.<name>) and both numbers, so a
// user can see whether to fix the input or raise the limit in the config.
import type { Limits } from './config.js'
import { BadInputError } from './errors.js'

export function exceedsLimit(file: string, limit: keyof Limits, what: string, actual: number | string, limits: Limits): BadInputError {
  return new BadInputError(`${what} (${actual}) exceeds limits.${limit} = ${limits[limit]}`, { file, field: `limits.${limit}` })
}
