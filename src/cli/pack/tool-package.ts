import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A package of the npm registry at an exact version; `integrity`, when given, is what its tarball must have. */
export interface ToolPackage {
  name: string
  version: string
  integrity?: string
}

/**
 * A registry package unpacked into `cacheDir` (`<name>-<version>/package`, only the `files` given, or all),
 * fetched with `npm pack` (npm's cache first, then the registry, which npm checks against the integrity it
 * lists) the first time (`fetching` is called then). Safe when several processes fetch the same package at once: each unpacks into a
 * folder of its own and the first to finish wins. Returns the unpacked `package` folder.
 */
export function unpackedToolPackage(
  tool: ToolPackage,
  files: readonly string[],
  cacheDir: string,
  fetching: () => void = () => {},
): string {
  const target = join(cacheDir, `${tool.name}-${tool.version}`)
  const packageDir = join(target, 'package')
  if (existsSync(join(target, '.complete'))) return packageDir
  fetching()
  mkdirSync(cacheDir, { recursive: true })
  const work = mkdtempSync(join(cacheDir, '.tmp-'))
  try {
    let info: { filename: string; integrity: string }
    try {
      const out = execFileSync(
        'npm',
        ['pack', `${tool.name}@${tool.version}`, '--json', '--prefer-offline', '--pack-destination', work],
        { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
      )
      info = (JSON.parse(out) as Array<{ filename: string; integrity: string }>)[0]
    } catch (error) {
      const detail = String((error as { stderr?: unknown }).stderr ?? (error as Error).message)
        .trim()
        .split('\n')
        .slice(-2)
        .join(' ')
      throw new Error(`could not fetch ${tool.name}@${tool.version} with npm: ${detail}`)
    }
    if (tool.integrity && info.integrity !== tool.integrity)
      throw new Error(`${tool.name}@${tool.version}: tarball integrity ${info.integrity}, expected ${tool.integrity}`)
    const unpacked = join(work, 'unpacked')
    mkdirSync(unpacked)
    execFileSync('tar', ['-xzf', join(work, info.filename), '-C', unpacked, ...files.map((file) => `package/${file}`)])
    writeFileSync(join(unpacked, '.complete'), '')
    try {
      renameSync(unpacked, target)
    } catch (error) {
      // Another process finished first: its copy is as good.
      if (!existsSync(join(target, '.complete'))) throw error
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return packageDir
}
