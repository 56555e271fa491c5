// Runs `voxelflow <args>` through the real command-line entry point in this process and captures
// what it prints and the exit code it sets (process.exitCode is restored afterwards).
import { main } from '../../src/cli/main.js'

export interface CliOutcome {
  code: number
  /** stdout and stderr lines, in order. */
  output: string
  out: string
  err: string
}

export async function runCliInProcess(...args: string[]): Promise<CliOutcome> {
  const all: string[] = []
  const out: string[] = []
  const err: string[] = []
  const [log, error] = [console.log, console.error]
  console.log = (...a: unknown[]) => void (out.push(a.join(' ')), all.push(a.join(' ')))
  console.error = (...a: unknown[]) => void (err.push(a.join(' ')), all.push(a.join(' ')))
  const before = process.exitCode
  process.exitCode = 0
  try {
    await main(['node', 'voxelflow', ...args])
    return { code: Number(process.exitCode ?? 0), output: all.join('\n'), out: out.join('\n'), err: err.join('\n') }
  } finally {
    console.log = log
    console.error = error
    process.exitCode = before
  }
}
