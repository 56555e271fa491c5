// The pipeline version in reports: the package version, so reprocessing after an upgrade is visible.
import { readFileSync } from 'node:fs'

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch {
    // Bundled Lambdas have no package.json beside them; the bundler injects the version.
    return process.env.VOXELFLOW_VERSION ?? '0.0.0'
  }
}

export const pipelineVersion = readVersion()
