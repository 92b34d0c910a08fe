import { existsSync, lstatSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { DEFAULT_IGNORES, IGNORE_FILE, type IgnoreRule, isIgnored, parseIgnoreRules } from './ignore-rules'

/** A project file bound for the zip. */
export interface CollectedFile {
  /** The path inside the zip (`/`-separated). */
  name: string
  /** Where it is on disk. */
  path: string
  mode: number
  size: number
}

/** What the walk found and what it left out worth telling the user. */
export interface Collection {
  files: CollectedFile[]
  /** `.env` files left out (SCF's environment variables replace them). */
  envFiles: string[]
  /** Symbolic links that point nowhere; skipped. */
  brokenLinks: string[]
  /** Where the rules came from: the defaults, plus the ignore file when there is one. */
  ruleSources: string[]
}

/**
 * Walks the project folder and keeps what the ignore rules let through. `alsoExclude` holds
 * project-relative paths pack writes itself (the zip, the deploy folder). Links are followed, so the zip
 * holds the files they point to.
 */
export function collectFiles(projectDir: string, alsoExclude: readonly string[] = []): Collection {
  const rules: IgnoreRule[] = parseIgnoreRules(DEFAULT_IGNORES.join('\n'), 'defaults')
  const ruleSources = ['defaults']
  const ignoreFile = join(projectDir, IGNORE_FILE)
  if (existsSync(ignoreFile)) {
    rules.push(...parseIgnoreRules(readFileSync(ignoreFile, 'utf8'), IGNORE_FILE))
    ruleSources.push(IGNORE_FILE)
  }
  const excluded = new Set(alsoExclude.map((p) => p.split(sep).join('/')))
  const collection: Collection = { files: [], envFiles: [], brokenLinks: [], ruleSources }

  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry)
      const name = relative(projectDir, path).split(sep).join('/')
      let stat: Stats
      try {
        stat = statSync(path)
      } catch {
        if (lstatSync(path).isSymbolicLink()) collection.brokenLinks.push(name)
        continue
      }
      const isDir = stat.isDirectory()
      if (excluded.has(name)) continue
      const rule = isIgnored(rules, name, isDir)
      if (rule) {
        if (!isDir && /^\.env(\.|$)/.test(entry)) collection.envFiles.push(name)
        continue
      }
      if (isDir) walk(path)
      else if (stat.isFile()) collection.files.push({ name, path, mode: stat.mode & 0o777, size: stat.size })
    }
  }
  walk(projectDir)
  return collection
}
