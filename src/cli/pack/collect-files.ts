import { lstatSync, readdirSync, realpathSync, type Stats, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { CliError } from '../cli-error'
import { type Exclusion, ProjectRules } from './file-rules'

/** A project file bound for the zip. */
export interface CollectedFile {
  /** The path inside the zip (`/`-separated). */
  name: string
  /** Where it is on disk. */
  path: string
  mode: number
  size: number
}

/** A file or folder left out, and why. */
export interface LeftOut extends Exclusion {
  name: string
  /** For a file reached through a link: its real path in the project (`settings.txt -> .env`). */
  target?: string
  /** The path the rule matched: `name`, or `target`. */
  matched: string
  isDir: boolean
}

/** What the walk found and what it left out. */
export interface Collection {
  files: CollectedFile[]
  leftOut: LeftOut[]
  /** Links, sockets, devices and the like left out, each with the reason, for a warning. */
  skipped: Array<{ name: string; reason: string }>
  /** The ignore files read, in the order they apply. */
  ruleSources: string[]
}

/** More entries than a zip without Zip64 holds: links made the tree grow, or the project is not trimmed. */
export const MAX_FILES = 0xffff

/**
 * Walks the project folder and keeps what the rules let through (see ProjectRules). Only regular files and
 * folders ship. A symbolic link is followed only when its target is inside the project, and the rules
 * then apply to the target's project path as well as to the link's own (`settings.txt -> .env` stays out);
 * a link out of the project, to a special file or into a folder being walked (a loop) is left out with a
 * warning. `alsoExclude` holds project paths pack writes itself (the zip, the deploy folder).
 */
export function collectFiles(projectDir: string, alsoExclude: readonly string[] = []): Collection {
  const root = realpathSync(projectDir)
  const rules = new ProjectRules(root)
  const excluded = new Set(alsoExclude.map((p) => p.split(sep).join('/')))
  const collection: Collection = { files: [], leftOut: [], skipped: [], ruleSources: rules.sources }
  const insideProject = (real: string) => real === root || real.startsWith(root + sep)
  const projectPath = (real: string) => relative(root, real).split(sep).join('/')

  // Ignore files are read by the real folder they are in, each once, a folder's parents first: the rules of a
  // folder reached through a link are those of the folder itself.
  const read = new Set<string>()
  const readRules = (real: string) => {
    const parts = projectPath(real).split('/').filter(Boolean)
    for (let depth = 0; depth <= parts.length; depth++) {
      const base = parts
        .slice(0, depth)
        .map((part) => `${part}/`)
        .join('')
      if (read.has(base)) continue
      read.add(base)
      rules.readFolder(join(root, ...parts.slice(0, depth)), base)
    }
  }

  /** `dir` on disk (real), `base` its zip path, `walking` the real folders above it (loops). */
  const walk = (dir: string, base: string, walking: Set<string>) => {
    readRules(dir)
    for (const entry of readdirSync(dir).sort()) {
      const name = base ? `${base}/${entry}` : entry
      if (excluded.has(name)) continue
      const path = join(dir, entry)
      let stat: Stats
      let real = path
      try {
        const link = lstatSync(path)
        if (link.isSymbolicLink()) {
          try {
            real = realpathSync(path)
          } catch {
            collection.skipped.push({ name, reason: 'a link to nothing' })
            continue
          }
          if (!insideProject(real)) {
            collection.skipped.push({ name, reason: `a link out of the project (to ${real}); not followed` })
            continue
          }
          stat = statSync(real)
        } else stat = link
      } catch (error) {
        collection.skipped.push({ name, reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? error})` })
        continue
      }
      const isDir = stat.isDirectory()
      if (!isDir && !stat.isFile()) {
        collection.skipped.push({ name, reason: 'not a regular file (a socket, FIFO or device)' })
        continue
      }
      // The rules see both names of a file reached through a link: its zip path, and its real path in the
      // project (the link's target, or the file inside a linked folder).
      const realName = projectPath(real)
      const target = realName === name ? undefined : realName
      const byName = rules.exclusion(name, isDir)
      const why = byName ?? (target === undefined ? undefined : rules.exclusion(target, isDir))
      if (why) {
        const matched = byName || target === undefined ? name : target
        collection.leftOut.push({ name, ...(target === undefined ? {} : { target }), matched, isDir, ...why })
        continue
      }
      if (isDir) {
        if (walking.has(real)) {
          collection.skipped.push({ name, reason: `a link into a folder it is inside of (${target || '.'}): a loop` })
          continue
        }
        walking.add(real)
        walk(real, name, walking)
        walking.delete(real)
      } else {
        if (collection.files.length >= MAX_FILES) {
          throw new CollectError(
            `more than ${MAX_FILES} project files (a zip without Zip64 holds no more): leave some out with a .scfignore, or look for links that repeat a folder`,
          )
        }
        collection.files.push({ name, path: real, mode: stat.mode & 0o777, size: stat.size })
      }
    }
  }
  walk(root, '', new Set([root]))
  return collection
}

/** The project cannot be collected; the message says why. */
export class CollectError extends CliError {
  override name = 'CollectError'
}
