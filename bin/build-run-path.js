// Two steps of bin/build.js that shorten the serial start of `voxelflow run` (the time one core
// works while the other idles, before prepare begins).
import { build } from 'esbuild'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { treeImportsPlugin } from './tree-imports-plugin.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const common = { platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' }

/**
 * dist/node_modules/zod: the installed zod as one ESM file. Every bare `zod` import under dist/
 * (tree, bundles, worker threads) resolves here before the root node_modules, so each thread
 * loads one copy. Why: zod 4 loads as ~99 files, ~0.1 s per process and thread; one file ~0.035 s.
 */
export async function vendorZod(outdir) {
  const require = createRequire(path.join(root, 'package.json'))
  const packageFile = require.resolve('zod/package.json')
  const { version } = JSON.parse(readFileSync(packageFile, 'utf8'))
  const target = path.join(outdir, 'node_modules', 'zod')
  mkdirSync(target, { recursive: true })
  // Whitespace and syntax minified (names kept): V8 reads ~25% less at every start (~8 ms).
  await build({ ...common, entryPoints: [path.join(path.dirname(packageFile), 'index.js')], outfile: path.join(target, 'index.js'), bundle: true, minifyWhitespace: true, minifySyntax: true })
  writeFileSync(path.join(target, 'package.json'), JSON.stringify({ name: 'zod', version, type: 'module', exports: { '.': './index.js' }, note: 'zod bundled by bin/build-run-path.js' }) + '\n')
}

/** Whether `source` uses import.meta for anything but import.meta.url. */
const usesMoreOfImportMeta = (source) => /\bimport\.meta\b(?!\.url\b)/.test(source)

/**
 * `source` (the module at `relative`, bundled into a file in `bundleFolder`) with import.meta.url
 * standing for the URL of the module's own copy in the dist/ tree: files it finds beside itself
 * are found there. Modules of `bundleFolder` keep theirs (the same folder).
 */
function relocated(source, relative, bundleFolder) {
  if (path.posix.dirname(relative) === bundleFolder || !/\bimport\.meta\.url\b/.test(source)) return source
  const twin = path.posix.relative(bundleFolder, relative.replace(/\.ts$/, '.js'))
  return source.replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(twin)}, import.meta.url).href`)
}

/** Static imports (not dynamic ones) of every module reachable from `entry`, from esbuild's metafile: relative path -> relative paths. */
async function staticImportGraph(entry) {
  const { metafile } = await build({ ...common, absWorkingDir: root, entryPoints: [entry], bundle: true, packages: 'external', write: false, metafile: true })
  return new Map(Object.entries(metafile.inputs).map(([file, input]) => [file, input.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path)]))
}

/** `roots` and every module they import statically, directly or not. */
function staticClosure(graph, roots) {
  const reached = new Set()
  const visit = (file) => {
    if (reached.has(file)) return
    reached.add(file)
    for (const next of graph.get(file) ?? []) visit(next)
  }
  roots.forEach(visit)
  return reached
}

/**
 * dist/src/local/run-local.js: the run path (runLocal and every module it imports, also
 * dynamically) bundled with code splitting: one entry module, the lazily imported stages in chunk
 * files beside it (loaded when first used, as before), each module in exactly one file. Why:
 * resolving, reading and compiling its ~130 tree modules cost ~0.1 s of every run before prepare.
 * A bundled module that finds files next to itself (filter kernels, worker scripts, package.json)
 * is given the URL of its copy in the dist/ tree for import.meta.url (see relocated), so it finds
 * them there, and a kernel a thread imports by that URL is the tree copy (another thread).
 * Modules stay in the tree (imported from there), together with all they import statically, so
 * that no module is loaded twice (a bundled copy and a tree copy with their own state):
 * - src/pipeline/config.ts, which callers of runLocal (the CLI, the benchmark) import themselves;
 * - src/local/step-functions-runtime.ts, a bundle of its own (bin/build.js);
 * - modules that use import.meta for more than its url.
 * Packages stay external.
 */
export async function bundleRunPath(outdir) {
  const bundleFolder = 'src/local'
  const entry = `${bundleFolder}/run-local.ts`
  const graph = await staticImportGraph(entry)
  const roots = [...graph.keys()].filter((file) => file === 'src/pipeline/config.ts' || file === 'src/local/step-functions-runtime.ts'
    || usesMoreOfImportMeta(readFileSync(path.join(root, file), 'utf8')))
  const fromTree = staticClosure(graph, roots)
  const treeForShared = treeImportsPlugin('tree-for-shared-modules', root, bundleFolder, (relative) => fromTree.has(relative), (plugin) => {
    plugin.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const relative = path.relative(root, args.path).split(path.sep).join('/')
      return { contents: relocated(source, relative, bundleFolder), loader: 'ts' }
    })
  })
  const { metafile } = await build({
    ...common, sourcemap: 'linked', metafile: true, absWorkingDir: root, entryPoints: [entry], outdir, outbase: root, bundle: true, splitting: true,
    chunkNames: `${bundleFolder}/run-[name]-[hash]`, packages: 'external', plugins: [treeForShared],
  })
  return metafile
}
