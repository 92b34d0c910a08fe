/**
 * `scf-bridge dev --target web`: scf_bootstrap run as the platform runs it, behind a front that adds the
 * X-Scf-* headers (dropping the client's), lets one request in at a time by default, passes event streams
 * unbuffered and upgrades through, and reports the platform's 405 when nothing listens in time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { get, type IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type DevOptions, parseArgs } from '../../src/cli/args'
import { type DevWeb, startDevWeb } from '../../src/cli/dev-web'
import { forwardedHeaders } from '../../src/cli/dev-web-proxy'

const REPO = resolve(__dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'scf-bridge-dev-web-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const running: DevWeb[] = []
afterEach(async () => {
  for (const dev of running.splice(0)) await dev.close()
})
const quiet = { out: () => {}, err: () => {} }

function options(entry: string, extra: Partial<DevOptions> = {}): DevOptions {
  return {
    entry,
    handler: undefined,
    port: 0,
    host: '127.0.0.1',
    stage: 'release',
    timeoutS: 20,
    memoryMb: 256,
    trigger: 'url',
    https: false,
    watch: false,
    target: 'web',
    concurrency: 1,
    initTimeoutMs: 20_000,
    ...extra,
  }
}

/** A project folder named `name` whose index.js is `source` (the built package and ws resolve from the repo). */
function project(name: string, source: string): string {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  const prelude = `const { bridge } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))})\nconst { WebSocketServer } = require(${JSON.stringify(join(REPO, 'node_modules', 'ws'))})\n`
  writeFileSync(join(dir, 'index.js'), prelude + source)
  return dir
}

const APP = `
let inFlight = 0
let most = 0
let partner
const log = []
exports.main_handler = bridge((req, res) => {
  const url = new URL(req.url, 'http://x')
  if (url.pathname === '/headers') return res.end(JSON.stringify(req.headers))
  if (url.pathname === '/work') {
    inFlight++
    most = Math.max(most, inFlight)
    return setTimeout(() => { inFlight--; res.end(String(most)) }, 30)
  }
  if (url.pathname === '/pair') {
    // Answers once a second /pair has arrived: only with two requests let in at once.
    if (partner) { partner(); return res.end('second') }
    return void new Promise((r) => (partner = r)).then(() => res.end('first'))
  }
  if (url.pathname === '/events') {
    res.setHeader('content-type', 'text/event-stream')
    res.write('data: first\\n\\n')
    log.push('first')
    return void new Promise((r) => (partner = r)).then(() => { res.end('data: last\\n\\n') })
  }
  if (url.pathname === '/go') { log.push('go'); partner(); return res.end('went') }
  if (url.pathname === '/env') return res.end(JSON.stringify({ cwd: process.cwd(), runtime: process.env.SCF_RUNTIME, name: process.env.SCF_FUNCTIONNAME, runenv: process.env.TENCENTCLOUD_RUNENV }))
  res.end('ok')
}, {
  websocket: (server) => new WebSocketServer({ server }).on('connection', (socket, req) => {
    socket.send('id ' + req.headers['x-scf-request-id'])
    socket.on('message', (data) => socket.send('echo ' + data))
  }),
})
`

function fetchText(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }>((done, fail) => {
    get(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }))
    }).on('error', fail)
  })
}

async function start(dir: string, extra: Partial<DevOptions> = {}): Promise<DevWeb> {
  const dev = await startDevWeb(options(dir, extra), quiet)
  running.push(dev)
  return dev
}

describe('the front', () => {
  it("drops the client's X-Scf-* and hop-by-hop headers, and adds the platform's", () => {
    const out = forwardedHeaders(
      {
        'x-scf-request-id': 'forged',
        'X-SCF-Name': 'forged' as never,
        connection: 'keep-alive, x-private',
        'x-private': 'secret',
        'keep-alive': 'timeout=5',
        accept: 'text/html',
      },
      { 'x-scf-request-id': 'real', 'x-scf-name': 'fn' },
      false,
    )
    expect(out).toEqual({ 'X-SCF-Name': 'forged', accept: 'text/html', 'x-scf-request-id': 'real', 'x-scf-name': 'fn' })
  })

  it('keeps Connection: upgrade and Upgrade for a WebSocket', () => {
    const out = forwardedHeaders({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, {}, true)
    expect(out).toEqual({ connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' })
  })
})

describe('dev arguments for the Web target', () => {
  it('reads --target web, --concurrency and --init-timeout, and refuses what does not fit', () => {
    expect(parseArgs(['dev', '.', '--target', 'web', '--concurrency', '4', '--init-timeout=2.5'])).toMatchObject({
      options: { target: 'web', concurrency: 4, initTimeoutMs: 2500 },
    })
    expect(() => parseArgs(['dev', '--target', 'lambda'])).toThrow(/event or web/)
    expect(() => parseArgs(['dev', '--concurrency', '0'])).toThrow(/from 1 to 100/)
    expect(() => parseArgs(['dev', '--target', 'web', '--watch'])).toThrow(/--watch is not available with --target web/)
  })
})

describe('dev --target web', () => {
  it('the app gets the platform headers and environment, in the code folder; forged X-Scf-* never reach it', async () => {
    const dir = project('headers', APP)
    const dev = await start(dir)
    const reply = await fetchText(`${dev.url}/headers`, {
      'x-scf-request-id': 'forged',
      'x-scf-name': 'forged',
      connection: 'x-private',
      'x-private': 'secret',
    })
    const headers = JSON.parse(reply.body)
    expect(headers['x-scf-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(headers).toMatchObject({ 'x-scf-name': 'headers', 'x-scf-memory': '256', 'x-scf-version': '$LATEST' })
    expect(headers['x-private']).toBeUndefined()
    expect(reply.headers['x-request-id']).toBe(headers['x-scf-request-id'])
    expect(JSON.parse((await fetchText(`${dev.url}/env`)).body)).toEqual({
      cwd: dir,
      runtime: expect.stringMatching(/^Nodejs\d+\.\d+$/),
      name: 'headers',
      runenv: 'SCF',
    })
  })

  it('lets one request in at a time by default, and --concurrency 2 lets two', async () => {
    const one = await start(project('one-at-a-time', APP))
    const most = await Promise.all([1, 2, 3].map(() => fetchText(`${one.url}/work`)))
    expect(most.map((reply) => reply.body)).toEqual(['1', '1', '1'])

    const two = await start(project('two-at-a-time', APP), { concurrency: 2 })
    const pair = await Promise.all([fetchText(`${two.url}/pair`), fetchText(`${two.url}/pair`)])
    expect(pair.map((reply) => reply.body).sort()).toEqual(['first', 'second'])
  })

  it('passes an event stream unbuffered: the client holds the first event before the app is told to end', async () => {
    const dev = await start(project('events', APP), { concurrency: 2 })
    const events: string[] = []
    await new Promise<void>((done, fail) => {
      get(`${dev.url}/events`, (res) => {
        let buffer = ''
        res.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            events.push(buffer.slice(0, end))
            buffer = buffer.slice(end + 2)
            // Only the first event can have come: the app writes the last after /go.
            if (events.length === 1) fetchText(`${dev.url}/go`).catch(fail)
          }
        })
        res.on('end', () => done())
      }).on('error', fail)
    })
    expect(events).toEqual(['data: first', 'data: last'])
  })

  it('passes a WebSocket upgrade through, with the platform request id', async () => {
    const dev = await start(project('socket', APP))
    const socket = new WebSocket(`${dev.url.replace('http', 'ws')}/chat`, { headers: { 'x-scf-request-id': 'forged' } })
    const got: string[] = []
    await new Promise<void>((done, fail) => {
      socket.on('open', () => socket.send('hi'))
      socket.on('message', (data) => {
        got.push(String(data))
        if (got.length === 2) socket.close(1000)
      })
      socket.on('close', () => done())
      socket.on('error', fail)
    })
    expect(got[0]).toMatch(/^id [0-9a-f-]{36}$/)
    expect(got[1]).toBe('echo hi')
  })

  it("answers the platform's 405 when nothing listens in time, or the bootstrap exits first", async () => {
    const never = project(
      'never-listens',
      // An app still connecting to its database: the process lives, the server never listens.
      'setInterval(() => {}, 1000)\nexports.main_handler = bridge(new Promise(() => {}))\n',
    )
    await expect(startDevWeb(options(never, { initTimeoutMs: 1000 }), quiet)).rejects.toThrow(
      /^405 ContainerStateExited: nothing listened on port \d+ within 1 s/,
    )
    const exits = project('exits', 'exports.main_handler = async () => ({ statusCode: 200 })\n')
    await expect(startDevWeb(options(exits), quiet)).rejects.toThrow(
      /^405 ContainerStateExited: .*scf_bootstrap exited \(1\) before listening[\s\S]*not a handler made by bridge\(\)/,
    )
  })
})
