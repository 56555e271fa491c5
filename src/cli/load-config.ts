// A settings file given with --config, validated against the pipeline config schema (unknown
// keys, wrong types and absurd values are bad input naming the file and the setting).
import { promises as fs } from 'node:fs'
import { type PipelineConfig, parseConfig } from '../pipeline/config.js'
import { BadInputError, errorMessage } from '../pipeline/errors.js'

export async function loadConfigFile(file?: string, overrides: Record<string, unknown> = {}): Promise<PipelineConfig> {
  let settings: Record<string, unknown> = {}
  if (file) {
    const text = await fs.readFile(file, 'utf8').catch(() => {
      throw new BadInputError('cannot read config file', { file })
    })
    try {
      settings = JSON.parse(text) as Record<string, unknown>
    } catch (error) {
      throw new BadInputError(`config is not JSON: ${errorMessage(error)}`, { file })
    }
  }
  return parseConfig({ ...settings, ...overrides }, file ?? 'config')
}
