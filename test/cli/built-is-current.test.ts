// bin/voxelflow.js runs dist/ only while it matches the sources (bin/built-is-current.js): a
// checkout edited in any way after the build (a file changed in place, added, removed, renamed,
// a folder added, package.json changed) must fall back to the sources. Real file operations on a
// scratch tree whose build is dated a minute ago.
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain JavaScript module of bin/, without type declarations
import { builtIsCurrent, manifestName, manifestText } from '../../bin/built-is-current.js'

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vf-built-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const files = ['package.json', 'src/cli/main.ts', 'src/io/reader.ts', 'functions/ingest/index.ts', 'infra/stack.ts']
const folders = ['src', 'functions', 'infra', 'src/cli', 'src/io', 'functions/ingest']

/** A checkout whose sources date from two minutes ago and whose build from one minute ago. */
function checkout(name: string): string {
  const root = path.join(scratch, name)
  const twoMinutesAgo = Date.now() / 1000 - 120
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), `// ${file}\n`)
  }
  mkdirSync(path.join(root, 'dist'))
  writeFileSync(path.join(root, 'dist', manifestName), manifestText(files.filter((f) => f !== 'package.json'), folders))
  for (const entry of [...files, ...folders]) utimesSync(path.join(root, entry), twoMinutesAgo, twoMinutesAgo)
  utimesSync(path.join(root, 'dist', manifestName), twoMinutesAgo + 60, twoMinutesAgo + 60)
  return root
}

describe('builtIsCurrent', () => {
  it('holds for an untouched checkout, and not without a build', async () => {
    const root = checkout('untouched')
    expect(await builtIsCurrent(root)).toBe(true)
    rmSync(path.join(root, 'dist', manifestName))
    expect(await builtIsCurrent(root)).toBe(false)
  })

  const edits: [string, (root: string) => void][] = [
    ['a source edited in place', (root) => appendFileSync(path.join(root, 'src/io/reader.ts'), 'export const x = 1\n')],
    ['a source added', (root) => writeFileSync(path.join(root, 'src/io/new-reader.ts'), '')],
    ['a source removed', (root) => rmSync(path.join(root, 'functions/ingest/index.ts'))],
    ['a source renamed', (root) => renameSync(path.join(root, 'infra/stack.ts'), path.join(root, 'infra/stack2.ts'))],
    ['a folder added', (root) => mkdirSync(path.join(root, 'src/cli/extra'))],
    ['package.json changed', (root) => appendFileSync(path.join(root, 'package.json'), ' ')],
  ]
  for (const [what, edit] of edits) {
    it(`fails after ${what}`, async () => {
      const root = checkout(what.replace(/\W+/g, '-'))
      edit(root)
      expect(await builtIsCurrent(root)).toBe(false)
    })
  }

  it('fails on a manifest it cannot read', async () => {
    const root = checkout('garbled')
    writeFileSync(path.join(root, 'dist', manifestName), '2026-01-01T00:00:00Z\n')
    expect(await builtIsCurrent(root)).toBe(false)
  })
})
