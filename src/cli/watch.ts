import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from 'node:fs'
import { createRequire } from 'node:module'
import { join, sep } from 'node:path'

/** Folders whose changes never mean the handler's code changed (compiled output such as dist/ does). */
const IGNORED = new Set(['node_modules'])
const isIgnored = (name: string) => IGNORED.has(name) || name.startsWith('.')

/**
 * Calls `onChange` (debounced) when a file under `root` changes, skipping node_modules and dot-files.
 * Watches each folder itself: `fs.watch(…, { recursive })` is missing on Linux before Node 19.1 and walks
 * node_modules after it.
 */
export function watchTree(root: string, onChange: (file: string) => void, debounceMs = 150): { close(): void } {
  const watchers = new Map<string, FSWatcher>()
  let timer: NodeJS.Timeout | undefined
  let changed = ''
  let closed = false

  const fire = (file: string) => {
    changed = file
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      if (!closed) onChange(changed)
    }, debounceMs)
  }

  const add = (dir: string) => {
    if (watchers.has(dir) || closed) return
    let watcher: FSWatcher
    try {
      watcher = watch(dir, (event, name) => {
        if (!name) return fire(dir)
        const base = name.toString()
        if (isIgnored(base)) return
        const file = join(dir, base)
        // A folder created (or moved in) needs watchers of its own.
        if (event === 'rename' && isDirectory(file)) scan(file)
        fire(file)
      })
    } catch {
      return // the folder went away or cannot be watched: nothing to reload from it
    }
    watcher.on('error', () => {
      watcher.close()
      watchers.delete(dir)
    })
    watchers.set(dir, watcher)
  }

  const scan = (dir: string) => {
    add(dir)
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) if (entry.isDirectory() && !isIgnored(entry.name)) scan(join(dir, entry.name))
  }

  scan(root)
  return {
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      for (const watcher of watchers.values()) watcher.close()
      watchers.clear()
    },
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Drops the CommonJS modules under `root` (not its dependencies) from the require cache. */
export function clearModuleCache(root: string): number {
  const cache = createRequire(join(root, 'noop.js')).cache
  const prefix = root.endsWith(sep) ? root : root + sep
  let cleared = 0
  for (const key of Object.keys(cache)) {
    if (key.startsWith(prefix) && !key.includes(`${sep}node_modules${sep}`)) {
      delete cache[key]
      cleared++
    }
  }
  return cleared
}
