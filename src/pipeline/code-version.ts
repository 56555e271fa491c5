// Which code made a report, finer than the package version: VOXELFLOW_CODE_VERSION when the build
// set it (the CDK app sets it to `git describe` at synth time, so Lambdas carry it), else
// `git describe --always --dirty` of the checkout the code runs from, else "package-<version>".
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pipelineVersion } from './version.js'

export interface CodeVersion {
  value: string
  source: 'env' | 'git' | 'package'
}

let cached: CodeVersion | undefined

export function codeVersion(env: NodeJS.ProcessEnv = process.env): CodeVersion {
  const fromEnv = env.VOXELFLOW_CODE_VERSION?.trim()
  if (fromEnv) return { value: fromEnv, source: 'env' }
  cached ??= gitDescribe() ?? { value: `package-${pipelineVersion}`, source: 'package' }
  return cached
}

function gitDescribe(): CodeVersion | undefined {
  try {
    const cwd = fileURLToPath(new URL('.', import.meta.url))
    const out = execFileSync('git', ['describe', '--always', '--dirty', '--tags'], { cwd, timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] })
    const value = out.toString().trim()
    return value ? { value, source: 'git' } : undefined
  } catch {
    return undefined // no git, or not a checkout (bundles, installed packages)
  }
}
