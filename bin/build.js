#!/usr/bin/env node
// `npm run build` (also run by `npm ci` / `npm install` through "prepare"): transpiles src/,
// functions/ and infra/ to plain JavaScript under dist/, file for file, so the voxelflow command
// starts without compiling TypeScript at every run (tsx costs ~0.2 s per process and ~1 s per
// worker thread). The tree is kept: worker scripts and filter kernels are found next to the
// module that starts them (filter-threads.ts, chunk-pool.ts). Besides it, dist/cli.js: the CLI
// entry and the convert command bundled into one module (see cliBundle below).
// Also the run path as one split bundle and zod as one file (bin/build-run-path.js).
// bin/voxelflow.js uses dist/ only while no source changed since (bin/built-is-current.js).
// `node bin/build.js <folder>` builds into another folder instead (tests; packages are then
// found only if a node_modules is reachable from it).
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { manifestName, manifestText } from './built-is-current.js'
import { bundleRunPath, vendorZod } from './build-run-path.js'
import { treeImportsPlugin } from './tree-imports-plugin.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sourceFolders = ['src', 'functions', 'infra']
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'dist'))

/** Every entry under the source folders, relative to the root: files, and folders (the source folders too). */
const entries = sourceFolders.flatMap((folder) => readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true }).map((entry) => ({
  relative: path.relative(root, path.join(entry.parentPath ?? entry.path, entry.name)),
  isFile: entry.isFile(),
  isFolder: entry.isDirectory(),
})))
const files = entries.filter((e) => e.isFile).map((e) => e.relative)
const folders = [...sourceFolders, ...entries.filter((e) => e.isFolder).map((e) => e.relative)]

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts')
const entryPoints = files.filter(isSource).map((file) => path.join(root, file))
const common = { platform: 'node', format: 'esm', target: 'node20', sourcemap: 'linked', logLevel: 'warning' }

rmSync(outdir, { recursive: true, force: true })
await build({ ...common, entryPoints, outdir, outbase: root })
// Data files the modules read beside themselves.
for (const file of files.filter((name) => name.endsWith('.json'))) {
  const target = path.join(outdir, file)
  mkdirSync(path.dirname(target), { recursive: true })
  copyFileSync(path.join(root, file), target)
}

/**
 * dist/cli.js: src/cli/main.ts with the convert command and everything they import statically
 * in one module. Why: loading ~30 separate modules cost `voxelflow convert` ~30 ms of its start
 * (resolution, reading and compiling each). The rest stays in the tree and is imported from
 * there: every other command and every dynamic import (loaded only when needed), and any module
 * that finds files next to itself through import.meta.url (worker scripts, kernels, package.json).
 * Packages stay external (node_modules).
 */
const bundledDynamicImports = new Set(['src/cli/convert-command.ts'])
const usesOwnLocation = (file) => /\bimport\.meta\b/.test(readFileSync(file, 'utf8'))
/** Bundles relative imports, except dynamic ones and modules that use their own location: those load from the tree beside `bundleFolder` (relative to the root). */
const treeForTheRest = (bundleFolder) => treeImportsPlugin('tree-for-the-rest', root, bundleFolder, (relative, args) =>
  !(args.kind === 'dynamic-import' ? bundledDynamicImports.has(relative) : !usesOwnLocation(path.join(root, relative))))
await build({ ...common, entryPoints: [path.join(root, 'src/cli/main.ts')], outfile: path.join(outdir, 'cli.js'), bundle: true, packages: 'external', plugins: [treeForTheRest('')] })

/**
 * dist/src/local/step-functions-runtime.js: aws-local-stepfunctions and its packages in one
 * module, without three it imports but the embedded runtime never calls: the Lambda client and
 * Cognito credentials (local Tasks are bound to the handlers, local-state-machine.ts) and the
 * definition validator (skipped at run time; test/local/local-definition-valid.test.ts validates
 * the definition with it). Stand-ins throw if anything ever calls them. Why: resolving and
 * compiling them (~330 modules of the AWS SDK and ajv) took ~0.2 s of every `voxelflow run`
 * start on the main thread; the bundle loads in ~15 ms.
 */
const notInLocalRuntime = {
  '@aws-sdk/client-lambda': ['LambdaClient', 'InvokeCommand'],
  '@aws-sdk/credential-providers': ['fromCognitoIdentityPool'],
  'asl-validator': ['default'],
}
const standIns = {
  name: 'stand-ins-for-unused-packages',
  setup(plugin) {
    plugin.onResolve({ filter: /.*/ }, (args) => (Object.hasOwn(notInLocalRuntime, args.path) ? { path: args.path, namespace: 'stand-in' } : undefined))
    plugin.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
      loader: 'js',
      contents: [
        `const unavailable = () => { throw new Error(${JSON.stringify(`${args.path} is not part of voxelflow's local Step Functions runtime`)}) }`,
        ...notInLocalRuntime[args.path].map((name) => (name === 'default' ? 'export default unavailable' : `export const ${name} = unavailable`)),
      ].join('\n'),
    }))
  },
}
await build({ ...common, entryPoints: [path.join(root, 'src/local/step-functions-runtime.ts')], outfile: path.join(outdir, 'src/local/step-functions-runtime.js'), bundle: true, allowOverwrite: true, plugins: [standIns] })

/**
 * dist/src/local/chunk-worker-thread.js: each chunk worker thread's entry with what it imports
 * statically in one module; the rest from the tree as for dist/cli.js, packages from node_modules
 * (zod from dist/node_modules, see vendorZod). Why: every worker thread loaded ~170 modules
 * (~0.2 s of CPU each) while prepare ran on the same cores.
 */
await build({ ...common, entryPoints: [path.join(root, 'src/local/chunk-worker-thread.ts')], outfile: path.join(outdir, 'src/local/chunk-worker-thread.js'), bundle: true, allowOverwrite: true, packages: 'external', plugins: [treeForTheRest('src/local')] })

await vendorZod(outdir)
await bundleRunPath(outdir)

// src/pipeline/version.ts reads the version two folders up: from dist/src/pipeline that is here.
const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
writeFileSync(path.join(outdir, 'package.json'), JSON.stringify({ name, version, type: 'module', private: true }) + '\n')
// Last: its mtime is the build's time.
writeFileSync(path.join(outdir, manifestName), manifestText(files, folders))
