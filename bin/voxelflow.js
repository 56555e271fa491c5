#!/usr/bin/env node
// The voxelflow command. Runs the JavaScript that `npm run build` wrote to dist/ while no source
// changed since (fast start; bin/built-is-current.js); otherwise the sources themselves through
// tsx's loader, so an edited checkout never runs stale code.
import module from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtIsCurrent } from './built-is-current.js'

// Node >= 22.1: V8's code cache on disk (NODE_COMPILE_CACHE, else os.tmpdir()/node-compile-cache),
// so later starts skip compiling the modules again; the variable passes it on to the worker
// threads. Never throws; absent on Node 20, where nothing changes.
const compileCache = module.enableCompileCache?.()
if (compileCache?.directory) process.env.NODE_COMPILE_CACHE ??= compileCache.directory

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
