/**
 * `scf-bridge pack` on each example, as a user runs it (the package from `npm pack`, the example's own
 * lockfile), with and without --bundle: the proof runs on SCF's Node 18.15, then the unzipped code (system
 * unzip) is served by `scf-bridge dev` on Node 18 and 20, pages, static files and JSON alike. The examples
 * need Node 18 (Express 5, Koa 3), so Node 16.13 proves a small bridge app packed for Nodejs16.13.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI } from '../fixtures/cli/start-cli'
import { packRepository } from '../runtimes/packed-package'
import { NODE_16_13, NODE_18_15, NODE_20, nodeBinary, REPO_ROOT } from '../runtimes/toolchain'
import { copyExample, dependOnTarball, writeProject } from './projects'

const root = mkdtempSync(join(tmpdir(), 'scf-bridge-pack-examples-'))
let tarball = ''
const node18 = () => nodeBinary(NODE_18_15)
const node20 = () => (process.versions.node.split('.')[0] === '20' ? process.execPath : nodeBinary(NODE_20))

beforeAll(() => {
  tarball = packRepository(root).filename
}, 180_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A copy of a project depending on the packed scf-bridge, with its lockfile. */
function prepare(name: string, from: string | Record<string, string>, manifest: Record<string, unknown> = {}): string {
  const dir = join(root, name)
  if (typeof from === 'string') copyExample(from, dir)
  else writeProject(root, name, from, { dependencies: {}, ...manifest })
  dependOnTarball(dir, tarball)
  return dir
}

function pack(dir: string, args: string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [CLI, 'pack', dir, ...args], { encoding: 'utf8', timeout: 240_000 })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

/** `scf-bridge dev` on the given Node, serving an unzipped folder as a Function URL. */
async function serve(node: string, dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(node, [CLI, 'dev', dir, '--trigger', 'url', '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scf-bridge dev did not listen:\n${out}`)), 30_000)
    child.stdout!.on('data', () => {
      const match = /Listening on (http:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    exited.then(() => reject(new Error(`scf-bridge dev exited:\n${out}`)))
  })
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

const EXAMPLES = ['express-app', 'koa-app']

describe.each(EXAMPLES)('examples/%s', (example) => {
  let dir = ''
  beforeAll(() => {
    dir = prepare(example, join(REPO_ROOT, 'examples', example))
  }, 180_000)

  describe.each([
    { label: 'node_modules', args: [] as string[] },
    { label: 'bundled', args: ['--bundle'] },
  ])('zip with $label', ({ label, args }) => {
    const zip = () => join(root, `${example}-${label}.zip`)
    let unzipped = ''

    it('packs, and the proof serves GET / on Node 18.15 from the zip alone', () => {
      const result = pack(dir, ['-o', zip(), '--node', node18(), ...args])
      expect(result.err).toBe('')
      expect(result.code).toBe(0)
      expect(result.out).toMatch(/runtime Nodejs18\.15 \(from engines\.node >=18\)/)
      expect(result.out).toMatch(
        /proof: GET \/ -> 200 text\/html; charset=utf-8 \(.*\) on Node 18\.15\.0, with nothing but the zip's \d+ files/,
      )
      if (label === 'bundled') expect(result.out).toMatch(/bundled index\.js/)
      expect(execFileSync('unzip', ['-t', zip()], { encoding: 'utf8' })).toMatch(/No errors detected/)
      const names = execFileSync('unzip', ['-Z1', zip()], { encoding: 'utf8' }).trim().split('\n')
      expect(names).toEqual(
        expect.arrayContaining([
          'index.js',
          'app.js',
          'views.js',
          'package.json',
          'public/logo.png',
          'public/style.css',
        ]),
      )
      expect(names).not.toContain('server.js') // the example's .scfignore
      expect(names.some((name) => name.startsWith('deploy/'))).toBe(false)
      const dependencies = names.filter((name) => name.startsWith('node_modules/'))
      if (label === 'bundled') expect(dependencies).toEqual([])
      else
        expect(dependencies).toEqual(
          expect.arrayContaining(['node_modules/scf-bridge/package.json', 'node_modules/scf-bridge/dist/index.js']),
        )
      // devDependencies of scf-bridge never reach the zip
      expect(
        dependencies.some(
          (name) => name.startsWith('node_modules/vitest/') || name.startsWith('node_modules/typescript/'),
        ),
      ).toBe(false)
      unzipped = join(root, `${example}-${label}`)
      execFileSync('unzip', ['-q', zip(), '-d', unzipped])
    }, 240_000)

    it.each([
      ['18.15', node18],
      ['20', node20],
    ])(
      'the unzipped code serves pages, static files and JSON on Node %s',
      async (_version, node) => {
        expect(unzipped, 'the pack test above ran').not.toBe('')
        const server = await serve(node(), unzipped)
        try {
          const page = await fetch(`${server.url}/`)
          expect(page.status).toBe(200)
          expect(await page.text()).toMatch(/<link rel="stylesheet" href="static\/style\.css/)
          const logo = await fetch(`${server.url}/static/logo.png`)
          expect(logo.status).toBe(200)
          expect(
            Buffer.from(await logo.arrayBuffer()).equals(
              readFileSync(join(REPO_ROOT, 'examples', example, 'public/logo.png')),
            ),
          ).toBe(true)
          const hello = await fetch(`${server.url}/api/hello?name=zip`)
          expect(await hello.json()).toEqual({ hello: 'zip' })
        } finally {
          await server.stop()
        }
      },
      60_000,
    )
  })
})

describe('a bridge app packed for Nodejs16.13', () => {
  it.each([[[]], [['--bundle']]])(
    'proves on Node 16.13 (%j)',
    (args) => {
      const dir = prepare(
        `node16-app${args.length ? '-bundled' : ''}`,
        {
          'index.js':
            "const { bridge } = require('scf-bridge')\n" +
            "exports.main_handler = bridge((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('node ' + process.version + ' ' + req.url) })\n",
        },
        { engines: { node: '>=16.13' } },
      )
      const result = pack(dir, [
        '--runtime',
        'Nodejs16.13',
        '--node',
        nodeBinary(NODE_16_13),
        '--check',
        '/hi?x=1',
        ...args,
      ])
      expect(result.err).toBe('')
      expect(result.code).toBe(0)
      expect(result.out).toMatch(/proof: GET \/hi\?x=1 -> 200 text\/plain .* on Node 16\.13\.2/)
      expect(result.out).toMatch(/engines: every dependency allows Node 16\.13/)
      const create = JSON.parse(readFileSync(join(dir, 'deploy', 'tccli', 'create-function.json'), 'utf8'))
      expect(create.Runtime).toBe('Nodejs16.13')
    },
    240_000,
  )
})
