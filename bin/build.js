#!/usr/bin/env node
// `npm run build` (also run by `npm ci` / `npm install` through "prepare"): transpiles src/,
// functions/ and infra/ to plain JavaScript under dist/, file for file, so the voxelflow command
// starts without compiling TypeScript at every run (tsx costs ~0.2 s per process and ~1 s per
// worker thread). The tree is kept, not bundled: worker scripts and filter kernels are found
// next to the module that starts them (filter-threads.ts, chunk-pool.ts). bin/voxelflow.js
// uses dist/ only while it is newer than every source file.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sourceFolders = ['src', 'functions', 'infra']
const outdir = path.join(root, 'dist')

function filesUnder(folder, keep) {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
}

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts')
const entryPoints = sourceFolders.flatMap((folder) => filesUnder(folder, isSource))

rmSync(outdir, { recursive: true, force: true })
await build({ entryPoints, outdir, outbase: root, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' })
// Data files the modules read beside themselves.
for (const file of sourceFolders.flatMap((folder) => filesUnder(folder, (name) => name.endsWith('.json')))) {
  const target = path.join(outdir, path.relative(root, file))
  mkdirSync(path.dirname(target), { recursive: true })
  copyFileSync(file, target)
}
// src/pipeline/version.ts reads the version two folders up: from dist/src/pipeline that is here.
const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
writeFileSync(path.join(outdir, 'package.json'), JSON.stringify({ name, version, type: 'module', private: true }) + '\n')
writeFileSync(path.join(outdir, 'BUILT'), `${new Date().toISOString()}\n`)
