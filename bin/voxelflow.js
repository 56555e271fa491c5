#!/usr/bin/env node
// The voxelflow command. Runs the JavaScript that `npm run build` wrote to dist/ when it is
// newer than every TypeScript source (fast start); otherwise the sources themselves through
// tsx's loader, so an edited checkout never runs stale code.
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function builtIsCurrent() {
  let builtAt
  try {
    builtAt = statSync(path.join(root, 'dist', 'BUILT')).mtimeMs
  } catch {
    return false
  }
  if (statSync(path.join(root, 'package.json')).mtimeMs > builtAt) return false
  for (const folder of ['src', 'functions', 'infra']) {
    for (const entry of readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue
      if (statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > builtAt) return false
    }
  }
  return true
}

let main
if (process.env.VOXELFLOW_FROM_SOURCE !== '1' && builtIsCurrent()) {
  ;({ main } = await import('../dist/src/cli/main.js'))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli/main.ts'))
}
await main(process.argv)
