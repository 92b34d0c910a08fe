/**
 * The package as a user gets it: `npm pack` of the built repository, installed from the tarball into a
 * fresh project in a temporary folder. Its dependencies come from the local npm cache (`--offline`);
 * on a machine whose cache lacks their registry metadata it falls back to the registry
 * (`--prefer-offline`), the only difference being where the same versions are read from.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from './toolchain'

/** One entry of `npm pack --json`. */
export interface PackInfo {
  filename: string
  size: number
  unpackedSize: number
  entryCount: number
  files: Array<{ path: string; size: number }>
}

export interface InstalledPackage {
  /** The temporary folder; `remove()` deletes it. */
  root: string
  /** The consumer project, with `node_modules/scf-bridge` installed from the tarball. */
  project: string
  tarball: string
  pack: PackInfo
  /** How the dependencies were found: `offline` (npm cache only) or `prefer-offline`. */
  installMode: 'offline' | 'prefer-offline'
  remove(): void
}

/** Runs `npm pack` on the repository while no build is rewriting `dist/` (the build lock). */
export function packRepository(destination: string): PackInfo {
  // --ignore-scripts: pack the dist/ that `npm test` just built; `prepack` would rebuild it under
  // the feet of the other test files reading it.
  const npmArgs = ['pack', '--json', '--ignore-scripts', '--pack-destination', destination]
  const lock = '/tmp/scf-build.lock'
  const hasFlock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0
  const [command, args] = hasFlock ? ['flock', [lock, 'npm', ...npmArgs]] : ['npm', npmArgs]
  const out = execFileSync(command, args as string[], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  })
  const [info] = JSON.parse(out) as PackInfo[]
  return info
}

/** Packs the repository and installs the tarball into a new project under the system temp folder. */
export function installPackedPackage(label: string): InstalledPackage {
  const root = mkdtempSync(join(tmpdir(), `scf-bridge-${label}-`))
  try {
    const pack = packRepository(root)
    const tarball = join(root, pack.filename)
    const project = join(root, 'project')
    mkdirSync(project)
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'scf-bridge-consumer', version: '1.0.0', private: true }, null, 2),
    )
    const install = (mode: 'offline' | 'prefer-offline') =>
      spawnSync(
        'npm',
        ['install', `--${mode}`, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball],
        {
          cwd: project,
          encoding: 'utf8',
          // A user's install: no engine-strict or other settings inherited from the repository's test run.
          env: { ...process.env, npm_config_engine_strict: 'false' },
        },
      )
    let installMode: InstalledPackage['installMode'] = 'offline'
    let result = install('offline')
    if (result.status !== 0 && /ENOTCACHED/.test(result.stderr)) {
      installMode = 'prefer-offline'
      result = install('prefer-offline')
    }
    if (result.status !== 0) {
      throw new Error(`npm install ${pack.filename} failed (${installMode}):\n${result.stderr}${result.stdout}`)
    }
    if (!existsSync(join(project, 'node_modules', 'scf-bridge', 'package.json'))) {
      throw new Error('npm install reported success but node_modules/scf-bridge is missing')
    }
    return {
      root,
      project,
      tarball,
      pack,
      installMode,
      remove: () => rmSync(root, { recursive: true, force: true }),
    }
  } catch (error) {
    rmSync(root, { recursive: true, force: true })
    throw error
  }
}
