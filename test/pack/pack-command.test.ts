/**
 * `scf-bridge pack` on small projects made in a temporary folder (no registry needed: their lockfiles hold
 * no packages, or a local tarball), through the built CLI: bad input, what goes in the zip, the proof.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readZip } from '../../src/cli/pack/zip'
import { CLI } from '../fixtures/cli/start-cli'
import { lockOffline as lock, writeProject } from './projects'

const work = mkdtempSync(join(tmpdir(), 'scf-bridge-pack-cmd-'))
/** A project with the given files (no registry packages); `lock` gives it its lockfile. */
const project = (name: string, files: Record<string, string>, manifest?: Record<string, unknown>) =>
  writeProject(work, name, files, manifest)
afterAll(() => rmSync(work, { recursive: true, force: true }))

function pack(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'pack', dir, ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 120_000,
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

const HELLO =
  "exports.main_handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hello ' + event.path })\n"

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsup)`)
})

describe('scf-bridge pack: bad input', () => {
  it('a folder that does not exist', () => {
    const r = pack('nowhere')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/nowhere does not exist/)
  })

  it('a folder without package.json', () => {
    mkdirSync(join(work, 'bare'))
    const r = pack('bare')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/no package\.json in .*bare/)
  })

  it('a project without a lockfile, with a hint for yarn', () => {
    const dir = project('nolock', { 'index.js': HELLO })
    expect(pack(dir).err).toMatch(/no package-lock\.json .* run `npm install` once/)
    writeFileSync(join(dir, 'yarn.lock'), '')
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/it has yarn\.lock .*npm install --package-lock-only/)
  })

  it('a missing handler file', () => {
    const dir = project('nohandler', { 'app.js': HELLO })
    lock(dir)
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/handler index\.main_handler: no index\.js \(or \.cjs, \.mjs\)/)
    expect(existsSync(join(dir, 'function.zip'))).toBe(false)
  })

  it('a handler file without that export: the load error fails the command', () => {
    const dir = project('noexport', { 'index.js': 'exports.handler = async () => 1\n' })
    lock(dir)
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/does not load on its own[\s\S]*has no function export "main_handler" \(it exports handler\)/)
  })

  it('a handler that throws while loading', () => {
    const dir = project('throws', { 'index.js': "throw new Error('boom at load')\n" })
    lock(dir)
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/boom at load/)
  })

  it('a usage error exits 2', () => {
    const r = pack('.', '--runtime', ['Nodejs20', 'x'].join('.')) // an id Tencent does not have
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/Nodejs16\.13, Nodejs18\.15, Nodejs20\.19/)
  })
})

describe('scf-bridge pack: the zip', () => {
  it('holds the project and only its production dependencies, never the developer node_modules', () => {
    // A local package as the production dependency, and one the developer has installed by hand only.
    const lib = project('lib-src', { 'index.js': 'module.exports = (s) => s.toUpperCase()\n' }, { name: 'shout' })
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: lib, stdio: 'ignore' })
    const devtool = project('devtool-src', { 'index.js': '' }, { name: 'devtool' })
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: devtool, stdio: 'ignore' })
    const dir = project(
      'app',
      {
        'index.js':
          "const shout = require('shout')\nexports.main_handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: shout('hi ' + event.path) })\n",
        'bin/run.sh': '#!/bin/sh\n',
        '.env': 'SECRET=x',
        'test/app.test.js': '',
        'views/page.html': '<p>page</p>',
      },
      { dependencies: { shout: 'file:../shout-1.0.0.tgz' }, devDependencies: { devtool: 'file:../devtool-1.0.0.tgz' } },
    )
    execFileSync('chmod', ['755', join(dir, 'bin/run.sh')])
    lock(dir)
    mkdirSync(join(dir, 'node_modules/dev-only'), { recursive: true })
    writeFileSync(join(dir, 'node_modules/dev-only/index.js'), '')
    const r = pack(dir, '--check', '/ping')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/left out as a secret: \.env \(\.env; to ship it: !\.env in \.scfignore\)/)
    expect(r.out).toMatch(/proof: GET \/ping -> 200 text\/plain .* with nothing but the zip's 7 files/)
    const entries = readZip(readFileSync(join(dir, 'function.zip')))
    expect(entries.map((e) => e.name).sort()).toEqual([
      'bin/run.sh',
      'index.js',
      'node_modules/shout/index.js',
      'node_modules/shout/package.json',
      'package-lock.json',
      'package.json',
      'views/page.html',
    ])
    expect(execFileSync('unzip', ['-Z', join(dir, 'function.zip')], { encoding: 'utf8' })).toMatch(
      /^-rwxr-xr-x .* bin\/run\.sh$/m,
    )
    expect(execFileSync('unzip', ['-t', join(dir, 'function.zip')], { encoding: 'utf8' })).toMatch(/No errors detected/)
  })

  it('fails the proof when the handler needs a package only the developer has installed', () => {
    const dir = project('leaky', { 'index.js': `require('dev-only')\n${HELLO}` })
    lock(dir)
    mkdirSync(join(dir, 'node_modules/dev-only'), { recursive: true })
    writeFileSync(join(dir, 'node_modules/dev-only/index.js'), '')
    const r = pack(dir)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/does not load on its own[\s\S]*Cannot find module 'dev-only'/)
  })

  it('fails when the check request makes the handler fail, and passes an app 404', () => {
    const dir = project('fails', {
      'index.js':
        "exports.main_handler = async (event) => { if (event.path === '/bad') throw new Error('nope'); return { statusCode: 404, body: 'no' } }\n",
    })
    lock(dir)
    const bad = pack(dir, '--check', '/bad', '--deploy', 'none')
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/the zip loads, but GET \/bad -> 502 .*: the function failed/)
    expect(existsSync(join(dir, 'function.zip'))).toBe(false)
    const ok = pack(dir, '--deploy', 'none')
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/proof: GET \/ -> 404/)
  })

  it('runs an ES module handler, and writes --out elsewhere with the deploy files beside it', () => {
    const dir = project(
      'esm',
      { 'index.mjs': "export const main_handler = async () => ({ statusCode: 200, body: 'esm' })\n" },
      { engines: { node: '>=20' } },
    )
    lock(dir)
    const r = pack(dir, '-o', join(work, 'dist-esm', 'esm.zip'))
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/runtime Nodejs20\.19 \(from engines\.node >=20\)/)
    expect(existsSync(join(work, 'dist-esm', 'esm.zip'))).toBe(true)
    const create = JSON.parse(readFileSync(join(work, 'dist-esm', 'deploy', 'tccli', 'create-function.json'), 'utf8'))
    expect(create).toMatchObject({
      FunctionName: 'esm',
      Runtime: 'Nodejs20.19',
      Handler: 'index.main_handler',
      CodeSource: 'ZipFile',
    })
    expect(Buffer.from(create.Code.ZipFile, 'base64').equals(readFileSync(join(work, 'dist-esm', 'esm.zip')))).toBe(
      true,
    )
  })
})
