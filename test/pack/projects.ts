/**
 * Projects for the pack tests, built the way the tests need them: written from files, copied from an example,
 * made to depend on this repository's packed tarball, and given a lockfile.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** `work/name` with a package.json (`manifest` merged in) and `files` (paths may have folders). */
export function writeProject(
  work: string,
  name: string,
  files: Record<string, string>,
  manifest: Record<string, unknown> = {},
): string {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...manifest }))
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

/** A lockfile for a project whose packages are all local (no registry): npm's cache only. */
export function lockOffline(dir: string): void {
  execFileSync('npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: dir,
    stdio: 'ignore',
  })
}

/** A copy of an example project, without its node_modules, zips and tccli files. */
export function copyExample(from: string, dir: string): void {
  cpSync(from, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|tccli)$|\.zip$/.test(src) })
}

/**
 * Makes the project in `dir` depend on the packed scf-bridge (`tarball`, a file beside the project) and writes
 * its lockfile, reading registry packages from npm's cache first.
 */
export function dependOnTarball(dir: string, tarball: string): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  manifest.dependencies = { ...manifest.dependencies, 'scf-bridge': `file:../${tarball}` }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
  const install = spawnSync(
    'npm',
    [
      'install',
      '--package-lock-only',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
    ],
    { cwd: dir, encoding: 'utf8' },
  )
  if (install.status !== 0) throw new Error(`npm install --package-lock-only failed in ${dir}:\n${install.stderr}`)
}
