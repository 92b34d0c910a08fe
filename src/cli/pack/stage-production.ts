import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { CliError } from '../cli-error'
import { type LockPackage, packageName, productionClosure } from './production-closure'

/** A project pack cannot install; the message says what to do. */
export class InstallError extends CliError {
  override name = 'InstallError'
}

/** The production dependencies, installed where the developer's node_modules cannot leak in. */
export interface Staging {
  /** The staging folder; its `node_modules` is what goes into the zip. */
  dir: string
  lockfile: string
  /** Packages npm installed that the function cannot need (development tools), removed from the staging folder. */
  devOnly: string[]
  remove(): void
}

const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json']
const OTHER_LOCKFILES: Record<string, string> = {
  'yarn.lock': 'yarn',
  'pnpm-lock.yaml': 'pnpm',
  'bun.lockb': 'bun',
  'bun.lock': 'bun',
}
const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const

/** The npm lockfile of a project, or a clear error when there is none. */
export function findLockfile(projectDir: string): string {
  for (const name of LOCKFILES) if (existsSync(join(projectDir, name))) return name
  const other = Object.keys(OTHER_LOCKFILES).find((name) => existsSync(join(projectDir, name)))
  const hint = other
    ? `it has ${other} (${OTHER_LOCKFILES[other]}); pack installs with npm ci: run \`npm install --package-lock-only\` once to add a package-lock.json with the same versions`
    : 'run `npm install` once to create it (and commit it), so the zip holds the versions you tested'
  throw new InstallError(`no package-lock.json in ${projectDir}: ${hint}`)
}

/**
 * Installs the project's production dependencies from its lockfile (`npm ci --omit=dev`) into a fresh
 * staging folder. Dependencies' install scripts run (native addons need them); the project's own do not
 * (they may need files that are not staged). Relative `file:` dependencies are pointed at the project.
 */
export function stageProduction(
  projectDir: string,
  options: { npm?: string; log?: (line: string) => void } = {},
): Staging {
  const lockfile = findLockfile(projectDir)
  const manifest = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as Record<string, unknown>
  const lock = JSON.parse(readFileSync(join(projectDir, lockfile), 'utf8')) as Record<string, unknown>
  if (manifest.workspaces)
    throw new InstallError(
      'npm workspaces are not supported: run pack in the folder of the package to deploy, with its own lockfile',
    )
  if (typeof lock.packages !== 'object' || lock.packages === null || Number(lock.lockfileVersion) < 2)
    throw new InstallError(
      `${lockfile} is lockfile version ${String(lock.lockfileVersion)}, from npm 6: pack reads version 2 or 3; run \`npx npm@10 install --package-lock-only\` once to update it`,
    )
  const dir = mkdtempSync(join(tmpdir(), 'scf-bridge-stage-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    delete manifest.scripts
    for (const field of DEPENDENCY_FIELDS) absoluteFileSpecs(manifest[field], projectDir)
    const packages = (lock.packages ?? {}) as Record<string, Record<string, unknown>>
    for (const [key, entry] of Object.entries(packages)) {
      if (entry.link) {
        throw new InstallError(
          `${key} is a linked local folder (file:${String(entry.resolved)}): pack cannot copy a link into a zip; depend on its npm pack tarball instead`,
        )
      }
      if (key === '') for (const field of DEPENDENCY_FIELDS) absoluteFileSpecs(entry[field], projectDir)
      else if (typeof entry.resolved === 'string') entry.resolved = absoluteFileSpec(entry.resolved, projectDir)
    }
    absoluteFileSpecs(lock.dependencies, projectDir) // lockfile v1
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
    writeFileSync(join(dir, lockfile), JSON.stringify(lock, null, 2))
    if (existsSync(join(projectDir, '.npmrc'))) copyFileSync(join(projectDir, '.npmrc'), join(dir, '.npmrc'))

    const npm = options.npm ?? 'npm'
    const args = ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline']
    options.log?.(`  ${npm} ${args.join(' ')} (from ${lockfile}, in a staging folder)`)
    const result = spawnSync(npm, args, {
      cwd: dir,
      encoding: 'utf8',
      shell: process.platform === 'win32',
      maxBuffer: 64 * 1024 * 1024,
    })
    if (result.error) throw new InstallError(`could not run ${npm}: ${result.error.message}`)
    if (result.status !== 0) {
      throw new InstallError(
        `npm ci --omit=dev failed (exit ${result.status}):\n${npmReason(`${result.stdout}\n${result.stderr}`)}`,
      )
    }
    return { dir, lockfile, devOnly: pruneToClosure(dir, packages), remove }
  } catch (error) {
    remove()
    throw error
  }
}

function absoluteFileSpecs(map: unknown, projectDir: string): void {
  if (!map || typeof map !== 'object') return
  const record = map as Record<string, unknown>
  for (const [name, spec] of Object.entries(record)) {
    if (typeof spec === 'string') record[name] = absoluteFileSpec(spec, projectDir)
    else if (spec && typeof spec === 'object' && typeof (spec as { version?: unknown }).version === 'string') {
      const v1 = spec as { version: string }
      v1.version = absoluteFileSpec(v1.version, projectDir)
    }
  }
}

function absoluteFileSpec(spec: string, projectDir: string): string {
  if (!spec.startsWith('file:')) return spec
  const path = spec.slice('file:'.length)
  return isAbsolute(path) ? spec : `file:${resolve(projectDir, path)}`
}

/**
 * Removes from the staging folder every installed package the function cannot need (see productionClosure),
 * before anything reads or bundles it; returns their names.
 */
function pruneToClosure(dir: string, packages: Record<string, LockPackage>): string[] {
  const closure = productionClosure(packages, (location) => existsSync(join(dir, location, 'package.json')))
  for (const location of closure.leftOut) rmSync(join(dir, location), { recursive: true, force: true })
  return [...new Set(closure.leftOut.map(packageName))].sort()
}

/** npm's own words for a failure, without its usage text and log pointer: `Missing: left-pad@1.3.0 from lock file`. */
export function npmReason(output: string): string {
  const lines: string[] = []
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(/^npm (?:error|ERR!|warn|WARN)\s?/, '').trimEnd()
    // npm ci follows a usage error with its whole help text, which hides the reason above it.
    if (/^(?:Clean install a project|Usage:)$/.test(line)) break
    if (
      line.trim() === '' ||
      /^code E[A-Z0-9]+$/.test(line) ||
      /^A complete log of this run can be found in/.test(line)
    )
      continue
    lines.push(`  ${line}`)
  }
  return (lines.length ? lines.slice(0, 12) : ['  (npm printed nothing)']).join('\n')
}
