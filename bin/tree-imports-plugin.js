// An esbuild plugin for bundles written into the dist/ tree (bin/build.js, bin/build-run-path.js):
// each relative import is either bundled or, where `inTree` says so, left as an import of that
// module's .js copy in the tree beside the bundle (so a module that must exist once, or find files
// next to itself, is loaded from there).
import path from 'node:path'

/**
 * @param root the source root (paths are relative to it, "/"-separated)
 * @param bundleFolder the bundle's folder relative to the root
 * @param inTree (relative path, esbuild's resolve args) => load it from the tree instead of bundling it
 * @param setupMore further hooks on the same plugin (e.g. onLoad)
 */
export function treeImportsPlugin(name, root, bundleFolder, inTree, setupMore = () => {}) {
  return {
    name,
    setup(plugin) {
      plugin.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData?.resolving) return undefined
        const resolved = await plugin.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { resolving: true } })
        if (resolved.errors.length) return { errors: resolved.errors }
        const relative = path.relative(root, resolved.path).split(path.sep).join('/')
        if (!inTree(relative, args)) return { path: resolved.path }
        const fromBundle = path.posix.relative(bundleFolder, relative.replace(/\.ts$/, '.js'))
        return { path: fromBundle.startsWith('.') ? fromBundle : './' + fromBundle, external: true }
      })
      setupMore(plugin)
    },
  }
}
