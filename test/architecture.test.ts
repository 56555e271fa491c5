// Layout rules of the design that code review alone would let slip.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './support/paths.js'

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(repoRoot, path.join(e.parentPath, e.name)))
}

describe('layout', () => {
  it('only src/aws talks to AWS: no AWS SDK import anywhere else under src/', () => {
    const offenders = sourceFiles('src')
      .filter((file) => !file.startsWith(`src${path.sep}aws${path.sep}`))
      .filter((file) => /from ['"]@aws-sdk\//.test(readFileSync(path.join(repoRoot, file), 'utf8')))
    expect(offenders).toEqual([])
  })

  it('Lambda handlers stay thin: every functions/*/handler.ts only wires a create-handler factory', () => {
    for (const file of sourceFiles('functions').filter((f) => f.endsWith('handler.ts') && !f.endsWith('create-handler.ts'))) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8')
      expect(text, file).toMatch(/from '\.\/create-handler\.js'/)
      expect(text.split('\n').length, file).toBeLessThan(20)
    }
  })
})
