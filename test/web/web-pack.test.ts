/**
 * The same example folder packed both ways, as a user runs pack (the package from `npm pack`, the example's
 * own lockfile): each zip unzipped alone serves GET / (the event zip through `scf-bridge dev`, the Web zip
 * through its own scf_bootstrap with only the node path and port changed), and through the Web zip the live
 * clock's first event reaches the client before the app writes its last.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localBootstrap } from '../../src/cli/pack/web-bootstrap'
import { freePort } from '../../src/cli/pack/web-target'
import { type BootstrapProcess, startBootstrap } from '../../src/cli/run-bootstrap'
import { CLI } from '../fixtures/cli/start-cli'
import { copyExample, dependOnTarball } from '../pack/projects'
import { packRepository } from '../runtimes/packed-package'
import { NODE_18_15, nodeBinary, REPO_ROOT } from '../runtimes/toolchain'

const root = mkdtempSync(join(tmpdir(), 'scf-bridge-web-pack-'))
let project = ''
beforeAll(() => {
  const tarball = packRepository(root).filename
  project = join(root, 'express-app')
  copyExample(join(REPO_ROOT, 'examples', 'express-app'), project)
  dependOnTarball(project, tarball)
}, 240_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

function pack(args: string[], out: string): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [CLI, 'pack', project, '--out', out, '--deploy', 'none', ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

function unzip(zip: string, name: string): string {
  const dir = join(root, name)
  execFileSync('unzip', ['-q', zip, '-d', dir])
  return dir
}

function fetchText(url: string) {
  return new Promise<{ status: number; type: string | undefined; body: string }>((done, fail) => {
    get(url, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }))
    }).on('error', fail)
  })
}

describe('examples/express-app packed both ways', () => {
  it('as an event function: the unzipped code serves GET / through scf-bridge dev', async () => {
    const result = pack([], join(root, 'event.zip'))
    expect(result.code, result.out + result.err).toBe(0)
    const names = execFileSync('unzip', ['-Z1', join(root, 'event.zip')], { encoding: 'utf8' }).split('\n')
    expect(names).not.toContain('scf_bootstrap')
    const dir = unzip(join(root, 'event.zip'), 'event')
    const child: ChildProcess = spawn(process.execPath, [CLI, 'dev', dir, '--trigger', 'url', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let out = ''
      const url = await new Promise<string>((done, fail) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk
          const match = /Listening on (http:\/\/\S+)/.exec(out)
          if (match) done(match[1])
        })
        child.once('exit', () => fail(new Error(`dev exited:\n${out}`)))
      })
      const page = await fetchText(`${url}/`)
      expect(page.status).toBe(200)
      expect(page.body).toContain('<title>')
    } finally {
      child.kill('SIGTERM')
    }
  }, 240_000)

  it('as a Web function: the proof ran scf_bootstrap; unzipped alone, it serves GET / and streams the clock', async () => {
    const result = pack(['--target', 'web'], join(root, 'web.zip'))
    expect(result.code, result.out + result.err).toBe(0)
    expect(result.out).toMatch(/proof: GET \/ -> 200 text\/html/)
    // The example passes the events option (a timer, a COS path): pack says it does not apply.
    expect(result.err).toMatch(/the events option does not apply to a Web function/)

    const dir = unzip(join(root, 'web.zip'), 'web')
    const script = join(dir, 'scf_bootstrap')
    expect(statSync(script).mode & 0o777).toBe(0o755)
    const text = readFileSync(script, 'utf8')
    expect(text).toMatch(/^#!\/bin\/bash\n/)
    expect(text).toContain(
      'exec /var/lang/node18/bin/node node_modules/scf-bridge/dist/web-runner.js index.main_handler',
    )
    const port = await freePort()
    writeFileSync(script, localBootstrap(text, process.execPath, port))
    let instance: BootstrapProcess | undefined
    try {
      instance = await startBootstrap({
        script,
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: root, NODE_ENV: 'production' },
        port,
        deadlineMs: 60_000,
      })
      const page = await fetchText(`http://127.0.0.1:${port}/`)
      expect(page.status).toBe(200)
      expect(page.type).toMatch(/^text\/html/)

      // Each event carries the time the app wrote it: the last was written after the first had arrived.
      const events: string[] = []
      let firstArrivedAt = 0
      await new Promise<void>((done, fail) => {
        get(`http://127.0.0.1:${port}/api/clock?ticks=3`, (res) => {
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
          let buffer = ''
          res.setEncoding('utf8').on('data', (chunk: string) => {
            buffer += chunk
            for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
              events.push(/data: (.*)/.exec(buffer.slice(0, end))![1])
              buffer = buffer.slice(end + 2)
              if (events.length === 1) firstArrivedAt = Date.now()
            }
          })
          res.on('end', () => done())
        }).on('error', fail)
      })
      expect(events).toHaveLength(3)
      expect(Date.parse(events[2])).toBeGreaterThan(firstArrivedAt)
      expect(await instance.stop()).toBe(0)
      instance = undefined
    } finally {
      await instance?.stop(1000)
    }
  }, 240_000)

  it('as a bundled Web function, proved on Node 18.15: the runner ships beside the bundle', () => {
    const node18 = nodeBinary(NODE_18_15)
    const result = pack(['--target', 'web', '--bundle', '--node', node18], join(root, 'web-bundle.zip'))
    expect(result.code, result.out + result.err).toBe(0)
    expect(result.out).toMatch(/proof: GET \/ -> 200 text\/html.* on Node 18\.15\.0/)
    const names = execFileSync('unzip', ['-Z1', join(root, 'web-bundle.zip')], { encoding: 'utf8' })
      .trim()
      .split('\n')
    expect(names).toContain('scf-bridge-web-runner.js')
    expect(names).toContain('scf_bootstrap')
    expect(names.some((name) => name.startsWith('node_modules/scf-bridge/'))).toBe(false)
    const script = execFileSync('unzip', ['-p', join(root, 'web-bundle.zip'), 'scf_bootstrap'], { encoding: 'utf8' })
    expect(script).toContain('exec /var/lang/node18/bin/node scf-bridge-web-runner.js index.main_handler')
  }, 240_000)
})
