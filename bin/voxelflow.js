#!/usr/bin/env node
// The voxelflow command. Runs the JavaScript that `npm run build` wrote to dist/ while no source
// changed since (fast start; bin/built-is-current.js); otherwise the sources themselves through
// tsx's loader, so an edited checkout never runs stale code.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtIsCurrent } from './built-is-current.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

let main
if (process.env.VOXELFLOW_FROM_SOURCE !== '1' && (await builtIsCurrent(root))) {
  ;({ main } = await import('../dist/cli.js'))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli/main.ts'))
}
await main(process.argv)
