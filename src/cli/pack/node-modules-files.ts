import { existsSync, readdirSync, type Stats, statSync } from 'node:fs'
import { join } from 'node:path'
import type { CollectedFile } from './collect-files'

/**
 * The files of an installed node_modules folder, as zip entries under `node_modules/`. Links are followed
 * (npm links nothing a deployed app needs); `.bin` (links to CLIs) and npm's own `.package-lock.json` are
 * left out. `only` keeps just those package folders (relative to the staging folder).
 */
export function nodeModulesFiles(stagingDir: string, only?: readonly string[]): CollectedFile[] {
  const files: CollectedFile[] = []
  const walk = (dir: string, name: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (
        (name === 'node_modules' || name.endsWith('/node_modules')) &&
        (entry === '.bin' || entry === '.package-lock.json')
      )
        continue
      const path = join(dir, entry)
      let stat: Stats
      try {
        stat = statSync(path)
      } catch {
        continue // a broken link
      }
      const child = `${name}/${entry}`
      if (stat.isDirectory()) walk(path, child)
      else if (stat.isFile()) files.push({ name: child, path, mode: stat.mode & 0o777, size: stat.size })
    }
  }
  if (only) {
    for (const dir of only) walk(join(stagingDir, dir), dir)
    return files
  }
  if (existsSync(join(stagingDir, 'node_modules'))) walk(join(stagingDir, 'node_modules'), 'node_modules')
  return files
}
