// Where tests find the shared real scans and ITK goldens (../shared beside the repository).
import { fileURLToPath } from 'node:url'
import path from 'node:path'

export const sharedDir = fileURLToPath(new URL('../../../shared/', import.meta.url))
export const dataPath = (...parts: string[]) => path.join(sharedDir, 'data', ...parts)
export const goldenPath = (...parts: string[]) => path.join(sharedDir, 'golden', ...parts)
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
