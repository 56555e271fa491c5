// Which code made a report, finer than the package version: VOXELFLOW_CODE_VERSION when the build
// set it (the CDK app sets it to `git describe` at synth time, so Lambdas carry it), else
// `git describe --always --dirty` of the checkout the code runs from, else "package-<version>".
import { execFile, execFileSync } from 'node:child_process'
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

/**
 * Ask git now, in the background, so that the report (the last, serial step of a run) finds the
 * answer cached instead of waiting ~0.3 s for `git describe --dirty` to scan the checkout.
 */
export function prefetchCodeVersion(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (cached || env.VOXELFLOW_CODE_VERSION?.trim()) return Promise.resolve()
  const cwd = fileURLToPath(new URL('.', import.meta.url))
  return new Promise((resolve) => {
    execFile('git', gitDescribeArgs, { cwd, timeout: 5000 }, (error, stdout) => {
      const value = error ? '' : String(stdout).trim()
      if (value) cached ??= { value, source: 'git' }
      resolve() // no answer: codeVersion() asks again (or falls back) when the report needs it
    }).stdin?.end()
  })
}

const gitDescribeArgs = ['describe', '--always', '--dirty', '--tags']

function gitDescribe(): CodeVersion | undefined {
  try {
    const cwd = fileURLToPath(new URL('.', import.meta.url))
    const out = execFileSync('git', gitDescribeArgs, { cwd, timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] })
    const value = out.toString().trim()
    return value ? { value, source: 'git' } : undefined
  } catch {
    return undefined // no git, or not a checkout (bundles, installed packages)
  }
}
