/**
 * The packages a deployed function can need: from the project's `dependencies` and `optionalDependencies`
 * (and the peer dependencies it requires), each package's own `dependencies`, the `optionalDependencies`
 * that are installed and the `peerDependencies` that are not optional, found the way Node's `require` finds
 * them (the nearest `node_modules` up the tree). Read from the lockfile's `packages` (npm 7 and later), so a
 * package npm keeps for another reason (esbuild as `devOptional`, because a production package names it an
 * optional peer and the project installs it for development) stays out.
 */

/** One `packages` entry of package-lock.json v2/v3. */
export interface LockPackage {
  version?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  dev?: boolean
  devOptional?: boolean
  optional?: boolean
  link?: boolean
  resolved?: string
}

/** What the closure keeps, and what the install holds that it leaves out. */
export interface Closure {
  /** Lockfile locations (`node_modules/a`, `node_modules/a/node_modules/b`) the function can need. */
  keep: Set<string>
  /** Installed locations outside the closure: development packages npm kept anyway. */
  leftOut: string[]
}

/**
 * Walks the lockfile from the root. `installed(location)` says whether a package folder is on disk (an
 * optional dependency for another platform is in the lockfile but not installed).
 */
export function productionClosure(
  packages: Record<string, LockPackage>,
  installed: (location: string) => boolean,
): Closure {
  const keep = new Set<string>()
  const queue: string[] = ['']
  // A dependency that is not installed (an optional one for another platform) is left to the proof.
  const visit = (from: string, name: string) => {
    const location = resolveFrom(packages, from, name)
    if (location === undefined || keep.has(location) || !installed(location)) return
    keep.add(location)
    queue.push(location)
  }
  while (queue.length) {
    const from = queue.shift() as string
    const entry = packages[from] ?? {}
    for (const name of Object.keys(entry.dependencies ?? {})) visit(from, name)
    for (const name of Object.keys(entry.optionalDependencies ?? {})) visit(from, name)
    for (const name of Object.keys(entry.peerDependencies ?? {}))
      if (!entry.peerDependenciesMeta?.[name]?.optional) visit(from, name)
  }
  const leftOut = Object.keys(packages).filter(
    (location) => location !== '' && !keep.has(location) && !packages[location].link && installed(location),
  )
  return { keep, leftOut }
}

/** Where `require(name)` from the package at `from` lands: its own node_modules, then each parent's. */
function resolveFrom(packages: Record<string, LockPackage>, from: string, name: string): string | undefined {
  let dir = from
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`
    if (packages[candidate]) return candidate
    if (dir === '') return undefined
    const at = dir.lastIndexOf('/node_modules/')
    dir = at === -1 ? '' : dir.slice(0, at)
  }
}

/** The package name at a lockfile location: `node_modules/@a/b/node_modules/c` is `c`. */
export function packageName(location: string): string {
  return location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length)
}
