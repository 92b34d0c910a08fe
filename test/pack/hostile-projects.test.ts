/**
 * `scf-bridge pack` on hostile and ordinary projects built in temporary folders: links out of and into the
 * project, loops, special files, renamed secrets, gitignored files with nested negations, development tools
 * installed the usual ways, workspaces, an out-of-date lockfile and an app that fails its proof. Each test
 * asserts the zip's exact contents (or that there is none), the exit code and what pack says.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readZip } from '../../src/cli/pack/zip'
import { CLI } from '../fixtures/cli/start-cli'
import { lockOffline as lock, writeProject } from './projects'

const ROOT = join(__dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'scf-bridge-hostile-'))
const project = (name: string, files: Record<string, string>, manifest?: Record<string, unknown>) =>
  writeProject(work, name, files, manifest)
const outside = mkdtempSync(join(tmpdir(), 'scf-bridge-outside-'))
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

function pack(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'pack', dir, '--deploy', 'none', ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 240_000,
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

/** A package as a local tarball (no registry): its name, and the spec that installs it. */
function tarball(name: string, manifest: Record<string, unknown> = {}, files: Record<string, string> = {}): string {
  const dir = project(
    `src-${name.replace('/', '-')}`,
    { 'index.js': 'module.exports = 1\n', ...files },
    { name, ...manifest },
  )
  const out = execFileSync('npm', ['pack', '--pack-destination', work], { cwd: dir, encoding: 'utf8' }).trim()
  return `file:${join(work, out.split('\n').pop()!)}`
}

const zipNames = (dir: string) =>
  readZip(readFileSync(join(dir, 'function.zip')))
    .map((entry) => entry.name)
    .sort()

const HELLO =
  "exports.main_handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hi ' + event.path })\n"

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsup)`)
  writeFileSync(join(outside, 'id_rsa'), 'PRIVATE KEY')
  writeFileSync(join(outside, 'config.js'), 'module.exports = {}')
})

describe('symbolic links', { timeout: 180_000 }, () => {
  it('never follows a link out of the project, skips special files and loops, and finishes', () => {
    const dir = project('links', {
      'index.js': HELLO,
      'assets/public/app.css': 'body{}',
      '.env': 'SECRET=1',
      'a/x.js': '',
      'b/y.js': '',
    })
    symlinkSync(outside, join(dir, 'shared')) // a folder outside, holding an id_rsa
    symlinkSync(join(outside, 'config.js'), join(dir, 'config.js')) // a file outside
    symlinkSync('/proc/self/environ', join(dir, 'environ.txt'))
    symlinkSync('/dev/zero', join(dir, 'zero.bin'))
    symlinkSync(join(dir, 'nothing-here'), join(dir, 'dangling.js'))
    symlinkSync('.', join(dir, 'loop'))
    symlinkSync('../b', join(dir, 'a/to-b')) // a -> b -> a: a cycle of two links
    symlinkSync('../a', join(dir, 'b/to-a'))
    symlinkSync('assets/public', join(dir, 'public')) // a link in: shipped under both names
    symlinkSync('.env', join(dir, 'settings.txt')) // a secret under another name
    execFileSync('mkfifo', [join(dir, 'pipe')])
    lock(dir)
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(zipNames(dir)).toEqual([
      'a/to-b/y.js',
      'a/x.js',
      'assets/public/app.css',
      'b/to-a/x.js',
      'b/y.js',
      'index.js',
      'package-lock.json',
      'package.json',
      'public/app.css',
    ])
    for (const warning of [
      /shared is a link out of the project \(to .*\); not followed/,
      /config\.js is a link out of the project/,
      /environ\.txt is a link out of the project \(to \/proc\//,
      /zero\.bin is a link out of the project \(to \/dev\/zero\)/,
      /dangling\.js is a link to nothing/,
      /loop is a link into a folder it is inside of/,
      /a\/to-b\/to-a is a link into a folder it is inside of/,
      /b\/to-a\/to-b is a link into a folder it is inside of/,
      /pipe is not a regular file/,
    ])
      expect(r.err).toMatch(warning)
    expect(r.out).toMatch(/left out as a secret: settings\.txt \(a link to \.env\) \(\.env; to ship it: !\.env in/)
    const zip = readFileSync(join(dir, 'function.zip')).toString('latin1')
    expect(zip).not.toContain('PRIVATE KEY')
    expect(zip).not.toContain('SECRET=1')
  })

  it('applies the rules of the folder a link points into', () => {
    const dir = project('linked-rules', {
      'index.js': HELLO,
      'real/.gitignore': 'local.json\n',
      'real/local.json': '{"password":"x"}',
      'real/shared.json': '{}',
    })
    symlinkSync('real', join(dir, 'conf'))
    lock(dir)
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(zipNames(dir)).toEqual([
      'conf/shared.json',
      'index.js',
      'package-lock.json',
      'package.json',
      'real/shared.json',
    ])
  })
})

describe('secrets', { timeout: 180_000 }, () => {
  it('leave out every usual secret file, whatever a .gitignore says, and list each', () => {
    const secrets = [
      '.env',
      '.env.production.local',
      '.envrc',
      '.aws/credentials',
      '.ssh/id_rsa',
      'deploy/id_ed25519',
      'deploy/id_ed25519.pub',
      'certs/server.key',
      'certs/tls.pem',
      'keys/store.p12',
      'keys/store.pfx',
      '.npmrc',
      '.netrc',
      '.git-credentials',
      '.docker/config.json',
      'config/credentials.json',
      'infra/terraform.tfstate',
      'SERVER.KEY',
    ]
    const dir = project('secrets', {
      'index.js': HELLO,
      '.env.example': 'SECRET=',
      'public/ca.pem': 'PUBLIC CERT',
      '.gitignore': '!certs/tls.pem\n!.env\n',
      '.scfignore': '!public/ca.pem\n',
      ...Object.fromEntries(secrets.map((name) => [name, `secret in ${name}`])),
    })
    lock(dir)
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(zipNames(dir)).toEqual(['.env.example', 'index.js', 'package-lock.json', 'package.json', 'public/ca.pem'])
    const listed = [...r.out.matchAll(/left out as a secret: (\S+)/g)].map((m) => m[1]).sort()
    expect(listed).toEqual(
      [
        '.aws',
        '.docker/config.json',
        '.env',
        '.env.production.local',
        '.envrc',
        '.git-credentials',
        '.netrc',
        '.npmrc',
        '.ssh',
        'SERVER.KEY',
        'certs/server.key',
        'certs/tls.pem',
        'config/credentials.json',
        'deploy/id_ed25519',
        'deploy/id_ed25519.pub',
        'infra/terraform.tfstate',
        'keys/store.p12',
        'keys/store.pfx',
      ].sort(),
    )
    expect(readFileSync(join(dir, 'function.zip')).toString('latin1')).not.toContain('secret in')
  })

  it('ship only when a .scfignore brings them back by name', () => {
    const dir = project('secret-reincluded', {
      'index.js': HELLO,
      'certs/tls.pem': 'CERT',
      '.aws/config': '[default]',
      '.scfignore': '!certs/tls.pem\n!.aws/\n!.aws/**\n',
    })
    lock(dir)
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(zipNames(dir)).toEqual(['.aws/config', 'certs/tls.pem', 'index.js', 'package-lock.json', 'package.json'])
    expect(r.out).not.toMatch(/left out as a secret/)
  })
})

describe('.gitignore, read as git reads it', { timeout: 180_000 }, () => {
  const files = {
    'index.js': HELLO,
    '.gitignore': '*.log\n!important.log\nbuild/\n/local.json\n',
    'important.log': '',
    'debug.log': '',
    'local.json': '',
    'build/out.js': '',
    'dist/.gitignore': '*\n!.gitignore\n!app.js\n',
    'dist/app.js': '',
    'dist/map.js.map': '',
    'sub/.gitignore': '!debug.log\nsecret-notes.md\n',
    'sub/debug.log': '',
    'sub/local.json': '',
    'sub/secret-notes.md': '',
    'sub/deep/.gitignore': '!secret-notes.md\n',
    'sub/deep/secret-notes.md': '',
    'notes.txt': '',
    'keep/notes.txt': '',
  }

  it('every .gitignore with its negations, .git/info/exclude, and .scfignore on top', () => {
    const dir = project('gitignored', { ...files, '.git/info/exclude': '/notes.txt\n', '.scfignore': '!build/\n' })
    lock(dir)
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(zipNames(dir)).toEqual([
      'build/out.js',
      'dist/.gitignore', // its own !.gitignore wins over pack's default, as the deeper rule does in git
      'dist/app.js',
      'important.log',
      'index.js',
      'keep/notes.txt',
      'package-lock.json',
      'package.json',
      'sub/debug.log',
      'sub/deep/secret-notes.md',
      'sub/local.json',
    ])
    expect(r.out).toMatch(/rules: pack's defaults, \.git\/info\/exclude, \.gitignore, \.scfignore, dist\/\.gitignore/)
    expect(r.out).toMatch(/debug\.log by \*\.log \(\.gitignore\)/)
    expect(r.out).toMatch(/--verbose lists each/)
  })

  it('--verbose names the rule and file behind each file left out', () => {
    const dir = project('gitignored-verbose', files)
    lock(dir)
    const r = pack(dir, '--verbose')
    expect(r.code, r.err).toBe(0)
    for (const line of [
      'left out build: build/ (.gitignore)',
      'left out debug.log: *.log (.gitignore)',
      'left out dist/map.js.map: * (dist/.gitignore)',
      'left out local.json: /local.json (.gitignore)',
      'left out sub/secret-notes.md: secret-notes.md (sub/.gitignore)',
      "left out .gitignore: .gitignore (pack's defaults)",
    ])
      expect(r.out).toContain(line)
  })
})

describe('development tools never ship', { timeout: 180_000 }, () => {
  it('a dev dependency npm keeps as devOptional (an optional peer of a dependency) is left out, with its platform package', () => {
    const platform = tarball('@devtool/linux-x64', { os: ['linux'] })
    const devtool = tarball('devtool', { optionalDependencies: { '@devtool/linux-x64': platform } })
    const lib = tarball('bridge-like', {
      peerDependencies: { devtool: '*' },
      peerDependenciesMeta: { devtool: { optional: true } },
      dependencies: { helper: tarball('helper') },
    })
    const plainDev = tarball('plain-dev-tool')
    const dir = project(
      'devtools',
      { 'index.js': `require('bridge-like')\n${HELLO}` },
      { dependencies: { 'bridge-like': lib }, devDependencies: { devtool, 'plain-dev-tool': plainDev } },
    )
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' })
    const lockfile = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'))
    expect(lockfile.packages['node_modules/devtool']).toMatchObject({ devOptional: true })
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/left out development packages npm installed: @devtool\/linux-x64, devtool/)
    expect(zipNames(dir)).toEqual([
      'index.js',
      'node_modules/bridge-like/index.js',
      'node_modules/bridge-like/package.json',
      'node_modules/helper/index.js',
      'node_modules/helper/package.json',
      'package-lock.json',
      'package.json',
    ])
  })

  it('a required peer dependency and an installed optional dependency ship', () => {
    const peer = tarball('needed-peer')
    const optional = tarball('optional-extra')
    const lib = tarball('plugin', {
      peerDependencies: { 'needed-peer': '*' },
      optionalDependencies: { 'optional-extra': optional },
    })
    const dir = project('peers', { 'index.js': HELLO }, { dependencies: { plugin: lib, 'needed-peer': peer } })
    lock(dir)
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(zipNames(dir).filter((name) => name.startsWith('node_modules/'))).toEqual([
      'node_modules/needed-peer/index.js',
      'node_modules/needed-peer/package.json',
      'node_modules/optional-extra/index.js',
      'node_modules/optional-extra/package.json',
      'node_modules/plugin/index.js',
      'node_modules/plugin/package.json',
    ])
  })

  it('esbuild installed with npm i -D next to scf-bridge (its optional peer) stays out', () => {
    // The real packages: this repository packed as a tarball, esbuild from npm (or its cache).
    const tgz = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!
    const dir = project(
      'with-esbuild',
      {
        'index.js':
          "const { bridge } = require('scf-bridge')\nexports.main_handler = bridge((req, res) => res.end('ok'))\n",
      },
      { dependencies: { 'scf-bridge': `file:${join(work, tgz)}` } },
    )
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' })
    const esbuildVersion = require('esbuild/package.json').version
    execFileSync('npm', ['install', '-D', `esbuild@${esbuildVersion}`, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: 'ignore',
    })
    const r = pack(dir)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/left out development packages npm installed: .*\besbuild\b/)
    const names = zipNames(dir)
    expect(names.some((name) => /node_modules\/(@esbuild|esbuild)\//.test(name))).toBe(false)
    const packages = new Set(
      names.map((name) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(name)?.[1]).filter(Boolean),
    )
    expect([...packages].sort()).toEqual(['mime-db', 'mime-types', 'scf-bridge'])
    expect(r.out).toMatch(/proof: GET \/ -> 200/)
  }, 300_000)
})

describe('failures that say why', { timeout: 180_000 }, () => {
  it('npm workspaces are refused with a clear message', () => {
    const dir = project(
      'workspace',
      { 'index.js': HELLO, 'packages/a/package.json': '{"name":"a","version":"1.0.0"}' },
      {
        workspaces: ['packages/*'],
      },
    )
    lock(dir)
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/npm workspaces are not supported: run pack in the folder of the package to deploy/)
  })

  it("a lockfile out of sync shows npm's reason, not its usage", () => {
    const dir = project('out-of-sync', { 'index.js': HELLO })
    lock(dir)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'out-of-sync', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }),
    )
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/npm ci --omit=dev failed \(exit 1\):/)
    expect(r.err).toContain('Missing: left-pad@1.3.0 from lock file')
    expect(r.err).not.toMatch(/Usage:|--install-strategy|A complete log/)
    expect(r.err.split('\n').length).toBeLessThan(12)
  })

  it('an app that answers 5xx fails the pack with its own error line, and leaves no zip', () => {
    const dir = project('fails-5xx', {
      'index.js':
        "exports.main_handler = async () => { console.error('Error: DATABASE_URL is not set'); return { statusCode: 500, headers: {}, body: 'x' } }\n",
    })
    lock(dir)
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/the zip loads, but the app failed: GET \/ -> 500/)
    expect(r.err).toContain('Error: DATABASE_URL is not set')
    expect(r.err).toMatch(/--no-prove/)
    expect(r.out).not.toMatch(/wrote /)
    expect(readdirSync(dir).filter((name) => name.includes('zip'))).toEqual([])

    const skipped = pack(dir, '--no-prove')
    expect(skipped.code, skipped.err).toBe(0)
    expect(skipped.out).toMatch(/proof: skipped \(--no-prove\)/)
    expect(zipNames(dir)).toEqual(['index.js', 'package-lock.json', 'package.json'])
  })
})
