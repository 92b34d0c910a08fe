/**
 * `scf-bridge pack --bundle --code-cache`: a cache made by one Node build is used by that build only, and a
 * process on any other build (another patch release of the same major, whose V8 accepted a foreign cache and
 * crashed; another major) answers as with --bundle, never crashes. The Node binaries are the runtime
 * matrix's (test/runtimes/toolchain.ts), shared through SCF_BRIDGE_TOOL_CACHE.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readZip } from '../../src/cli/pack/zip'
import { CLI } from '../fixtures/cli/start-cli'
import { NODE_18_15, NODE_20, nodeBinary, TOOL_CACHE } from '../runtimes/toolchain'
import { lockOffline, writeProject } from './projects'

const work = mkdtempSync(join(tmpdir(), 'scf-bridge-code-cache-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// Enough code for the cache to hold many compiled functions, each reached by the first request.
const LIB = `'use strict'
${Array.from({ length: 200 }, (_, i) => `function step${i}(x) { let y = x; for (let k = 0; k < 3; k++) y = (y * 31 + ${i} + k) % 1000003; return y }`).join('\n')}
exports.work = (seed) => { let v = seed; ${Array.from({ length: 200 }, (_, i) => `v = step${i}(v);`).join(' ')} return v }
`
const HANDLER = `'use strict'
const { work } = require('./lib')
exports.main_handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain' },
  body: 'path ' + event.path + ' work ' + work(event.path.length) + ' file ' + require('path').basename(__filename),
})
`
const EXPECTED_WORK = (() => {
  const lib = { exports: {} as { work: (seed: number) => number } }
  new Function('exports', 'module', 'require', LIB)(lib.exports, lib, require)
  return lib.exports.work('/hello'.length)
})()

/** A project with no registry packages (an empty lockfile), the handler above. */
function project(name: string, files: Record<string, string> = { 'index.js': HANDLER, 'lib.js': LIB }): string {
  const dir = writeProject(work, name, files)
  lockOffline(dir)
  return dir
}

function pack(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'pack', dir, '--deploy', 'none', ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, SCF_BRIDGE_TOOL_CACHE: TOOL_CACHE },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

function unzip(zip: string, into: string): string {
  mkdirSync(into, { recursive: true })
  execFileSync('unzip', ['-q', '-o', zip, '-d', into])
  return into
}

// What SCF's runtime does on a cold start: require the handler file, call it once.
const RUNNER = `
const handler = require(process.argv[2]).main_handler
handler({ httpMethod: 'GET', path: '/hello', queryString: {}, headers: { host: 'x' }, body: '' }, { request_id: 'r' })
  .then((reply) => { process.stdout.write(JSON.stringify(reply)); process.exit(0) })
`

/** One cold start of the unzipped code on `node`, with the bridge's debug lines on. */
function coldStart(node: string, dir: string, env: Record<string, string> = {}) {
  const runner = join(work, 'runner.cjs')
  writeFileSync(runner, RUNNER)
  const result = spawnSync(node, [runner, join(dir, 'index.js')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: dir, NODE_DEBUG: 'scf-bridge', ...env },
  })
  return {
    status: result.status,
    signal: result.signal,
    reply: result.status === 0 ? JSON.parse(result.stdout) : undefined,
    log: result.stderr,
  }
}

function expectAnswer(run: ReturnType<typeof coldStart>): void {
  expect(run.signal, run.log).toBeNull()
  expect(run.status, run.log).toBe(0)
  expect(run.reply.statusCode).toBe(200)
  expect(run.reply.body).toBe(`path /hello work ${EXPECTED_WORK} file index.js`)
}

const running = process.execPath
let node20 = ''
let node18 = ''
let dir = ''
/** Unzipped code whose cache the running Node made, and one whose cache Node 20.19.5 made, and 18.15.0. */
const made: Record<'running' | 'v20.19.5' | 'v18.15.0', string> = { running: '', 'v20.19.5': '', 'v18.15.0': '' }

beforeAll(() => {
  node20 = nodeBinary(NODE_20)
  node18 = nodeBinary(NODE_18_15)
  dir = project('app')
  for (const [key, node] of [
    ['running', running],
    ['v20.19.5', '20.19.5'],
    ['v18.15.0', node18],
  ] as const) {
    const zip = join(work, `app-${key}.zip`)
    const r = pack(dir, '--bundle', '--code-cache', '--node', node, '-o', zip)
    if (r.code !== 0) throw new Error(`pack --code-cache --node ${node} failed:\n${r.out}${r.err}`)
    made[key] = unzip(zip, join(work, `unzipped-${key}`))
  }
}, 600_000)

describe('pack --bundle --code-cache', () => {
  it('puts the loader, the bundle, the cache and its fingerprint in the zip, and says which Node made it', () => {
    const zip = readZip(readFileSync(join(work, 'app-running.zip')))
    const names = zip.map((entry) => entry.name).sort()
    expect(names).toEqual(
      expect.arrayContaining(['index.js', 'index.bundle.js', 'index.bundle.v8-cache', 'index.bundle.fingerprint.json']),
    )
    const loader = readFileSync(join(made.running, 'index.js'), 'utf8')
    expect(loader).toMatch(/new vm\.Script\(wrapper, \{ filename: BUNDLE, cachedData: cachedData \}\)/)
    expect(loader).not.toMatch(/createCachedData/)
    const fingerprint = JSON.parse(readFileSync(join(made.running, 'index.bundle.fingerprint.json'), 'utf8'))
    expect(fingerprint.node.node).toBe(process.version)
    expect(fingerprint.cacheBytes).toBe(statSync(join(made.running, 'index.bundle.v8-cache')).size)
    expect(fingerprint.bundleBytes).toBe(statSync(join(made.running, 'index.bundle.js')).size)
  })

  it('a matching cache is used, and the reply is the same', () => {
    const run = coldStart(running, made.running)
    expectAnswer(run)
    expect(run.log).toMatch(/SCF-BRIDGE \d+: code cache used \(v\d+\.\d+\.\d+ linux-x64, v8 /)
  })

  it('--node 20.19.5 fetches that Node and makes the cache with it', () => {
    const fingerprint = JSON.parse(readFileSync(join(made['v20.19.5'], 'index.bundle.fingerprint.json'), 'utf8'))
    expect(fingerprint.node.node).toBe('v20.19.5')
    const run = coldStart(node20, made['v20.19.5'])
    expectAnswer(run)
    expect(run.log).toMatch(/code cache used \(v20\.19\.5 /)
  })

  it.each([
    ['v20.19.5', 'the running Node', () => running],
    ['running', 'Node 20.19.5', () => node20],
    ['v18.15.0', 'the running Node', () => running],
    ['running', 'Node 18.15.0', () => node18],
  ] as const)('a cache made by %s is left alone by %s, which answers', (maker, _label, node) => {
    const binary = node()
    const makerVersion = JSON.parse(readFileSync(join(made[maker], 'index.bundle.fingerprint.json'), 'utf8')).node.node
    const runningVersion = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim()
    if (makerVersion === runningVersion) {
      console.warn(`skipped: the test runs on ${runningVersion}, the Node that made this cache`)
      return
    }
    const run = coldStart(binary, made[maker])
    expectAnswer(run)
    expect(run.log).toMatch(
      new RegExp(`code cache not used: made by another Node build: node \\(${makerVersion} -> ${runningVersion}\\)`),
    )
    expect(run.log).toMatch(new RegExp(`this Node: ${runningVersion} linux-x64, v8 `))
  })

  it('other V8 flags or NODE_OPTIONS than the cache was made with: not used, and their values are not logged', () => {
    const run = coldStart(running, made.running, { NODE_OPTIONS: '--max-old-space-size=200 --title=secret-xyz' })
    expectAnswer(run)
    expect(run.log).toMatch(/code cache not used: made by another Node build: nodeOptions/)
    expect(run.log).toMatch(/NODE_OPTIONS \[--max-old-space-size --title\] \(values not shown\)/)
    expect(run.log).not.toMatch(/secret-xyz|=200/)
  })

  it('a damaged cache of the right size is rejected, a missing fingerprint or cache means no cache', () => {
    const copy = (name: string) => {
      const target = join(work, name)
      execFileSync('cp', ['-r', made.running, target])
      return target
    }
    const damaged = copy('damaged')
    const cacheFile = join(damaged, 'index.bundle.v8-cache')
    const bytes = readFileSync(cacheFile)
    for (let i = 0; i < bytes.length; i += 7) bytes[i] ^= 0x5a
    writeFileSync(cacheFile, bytes)
    const run = coldStart(running, damaged)
    expectAnswer(run)
    expect(run.log).toMatch(/code cache not used: V8 rejected it/)

    const truncated = copy('truncated')
    writeFileSync(join(truncated, 'index.bundle.v8-cache'), bytes.subarray(0, bytes.length >> 1))
    const short = coldStart(running, truncated)
    expectAnswer(short)
    expect(short.log).toMatch(/code cache not used: the cache file is not the size it was made with/)

    const bare = copy('bare')
    rmSync(join(bare, 'index.bundle.fingerprint.json'))
    const none = coldStart(running, bare)
    expectAnswer(none)
    expect(none.log).toMatch(/code cache not used: no readable fingerprint file/)
  })

  it('a bundle changed after pack is not given the cache', () => {
    const edited = join(work, 'edited')
    execFileSync('cp', ['-r', made.running, edited])
    const file = join(edited, 'index.bundle.js')
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edited\n`)
    const run = coldStart(running, edited)
    expectAnswer(run)
    expect(run.log).toMatch(/code cache not used: the bundle changed since the cache was made/)
  })

  it('without NODE_DEBUG the loader writes nothing', () => {
    const runner = join(work, 'runner.cjs')
    const result = spawnSync(running, [runner, join(made.running, 'index.js')], {
      cwd: made.running,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    })
    expect(result.status).toBe(0)
    expect(result.stderr).toBe('')
  })
})

describe('pack --code-cache: what it refuses', () => {
  it('without --bundle', () => {
    const r = pack(dir, '--code-cache')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--code-cache needs --bundle/)
  })

  it('an ES module handler', () => {
    const esm = project('esm', { 'index.mjs': 'export const main_handler = async () => ({ statusCode: 200 })\n' })
    const r = pack(esm, '--bundle', '--code-cache')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/--code-cache needs a CommonJS handler: index\.mjs is an ES module/)
  })

  it('a bundle that calls import()', () => {
    const dynamic = project('dynamic', {
      'index.js':
        "exports.main_handler = async () => ({ statusCode: 200, body: String(typeof (await import('node:os')).tmpdir) })\n",
    })
    const r = pack(dynamic, '--bundle', '--code-cache')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/--code-cache: the bundle calls import\(\)/)
  })

  it('a project file where the cache goes', () => {
    const taken = project('taken', { 'index.js': HANDLER, 'lib.js': LIB, 'index.bundle.js': '// mine\n' })
    const r = pack(taken, '--bundle', '--code-cache')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/--code-cache writes index\.bundle\.js, and the project has a file of that name/)
  })

  it('a --node that is not there', () => {
    const r = pack(dir, '--bundle', '--code-cache', '--node', join(work, 'no-node'))
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/--node .*no-node: no executable file there/)
  })
})
