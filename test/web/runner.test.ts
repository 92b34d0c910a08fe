/**
 * The Web function runner (src/web/): the app that bridge() wraps, served on a real socket. Streams are
 * checked by order (the client holds the first event while the app has not yet written the last), never by
 * time; WebSockets through `ws` attached with the websocket option; request id, scheme, Host and basePath as
 * under bridge(); failures answered and logged with the request id.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { get, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Router from '@koa/router'
import express from 'express'
import { Hono } from 'hono'
import Koa from 'koa'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { bridge, getCurrentInvoke } from '../../src'
import { createWebServer, type WebServer } from '../../src/web/web-server'
import { webHandleOf } from '../../src/web-handle'

const REPO = resolve(__dirname, '../..')
const running: WebServer[] = []
afterEach(async () => {
  for (const web of running.splice(0)) await web.close(1000)
  vi.restoreAllMocks()
})

/** Serves a bridged handler through the runner on 127.0.0.1; returns its base URL. */
async function serve(handler: unknown): Promise<{ url: string; port: number; web: WebServer }> {
  const handle = webHandleOf(handler)
  if (!handle) throw new Error('not a bridge() handler')
  const web = createWebServer(handle)
  running.push(web)
  await web.start()
  await new Promise<void>((done) => web.server.listen(0, '127.0.0.1', done))
  const { port } = web.server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, port, web }
}

function fetchText(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((done, fail) => {
    get(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }))
    }).on('error', fail)
  })
}

/** Reads an event stream; `onEvent` sees each event's data as it arrives. Resolves with all of them at the end. */
function readEvents(url: string, onEvent: (data: string, index: number) => void): Promise<string[]> {
  return new Promise((done, fail) => {
    get(url, (res) => {
      const events: string[] = []
      let buffer = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const data = buffer.slice(0, end).replace(/^data: /, '')
          buffer = buffer.slice(end + 2)
          events.push(data)
          onEvent(data, events.length - 1)
        }
      })
      res.on('end', () => done(events))
    }).on('error', fail)
  })
}

/** A gate the test opens: the app waits on it between its first and last event. */
/**
 * The events of `url`, and what the app had written (`written`) when the first event reached the client;
 * `between` is opened then, so the app writes the rest.
 */
async function readAsWritten(url: string, written: string[], between: ReturnType<typeof gate>) {
  const seenBeforeLast: string[][] = []
  const events = await readEvents(url, (_data, index) => {
    if (index === 0) {
      seenBeforeLast.push([...written])
      between.open()
    }
  })
  return { events, seenBeforeLast }
}

function gate() {
  let open!: () => void
  const opened = new Promise<void>((done) => (open = done))
  return { open, opened }
}

describe('streaming', () => {
  it("an Express event stream's first event reaches the client before the app writes the last", async () => {
    const between = gate()
    const written: string[] = []
    const app = express()
    app.get('/events', async (req, res) => {
      res.setHeader('content-type', 'text/event-stream')
      res.write('data: first\n\n')
      written.push('first')
      await between.opened
      res.write('data: last\n\n')
      written.push('last')
      res.end()
    })
    const { url } = await serve(bridge(app))
    const { events, seenBeforeLast } = await readAsWritten(`${url}/events`, written, between)
    expect(events).toEqual(['first', 'last'])
    // When the client held the first event, the app had written only that one.
    expect(seenBeforeLast).toEqual([['first']])
  })

  it("a Hono (fetch) app's ReadableStream is written chunk by chunk, and cancelled when the client leaves", async () => {
    const between = gate()
    const written: string[] = []
    let cancelled!: () => void
    const cancelledSeen = new Promise<void>((done) => (cancelled = done))
    const app = new Hono()
    app.get('/events', () => {
      const encoder = new TextEncoder()
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('data: first\n\n'))
          written.push('first')
          await between.opened
          controller.enqueue(encoder.encode('data: last\n\n'))
          written.push('last')
          controller.close()
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    })
    app.get('/endless', () => {
      let timer: NodeJS.Timeout
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          timer = setInterval(() => controller.enqueue(new TextEncoder().encode('data: tick\n\n')), 5)
        },
        cancel() {
          clearInterval(timer)
          cancelled()
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    })
    const { url } = await serve(bridge(app))
    const { events, seenBeforeLast } = await readAsWritten(`${url}/events`, written, between)
    expect(events).toEqual(['first', 'last'])
    expect(seenBeforeLast).toEqual([['first']])

    await new Promise<void>((done) => {
      const req = get(`${url}/endless`, (res) => {
        res.once('data', () => {
          req.destroy()
          done()
        })
      })
      req.on('error', () => {})
    })
    await cancelledSeen // a never-ending stream stops once its client is gone
  })

  it('streams a large fetch body whole with backpressure', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(97)
    const app = new Hono()
    app.get('/big', () => {
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 256) controller.enqueue(chunk)
          else controller.close()
        },
      })
      return new Response(body)
    })
    const { url } = await serve(bridge(app))
    const bytes = await new Promise<number>((done) => {
      get(`${url}/big`, (res) => {
        let total = 0
        res.pause()
        // A slow reader: the stream waits for 'drain' rather than filling memory.
        const timer = setInterval(() => res.read() !== null || res.resume(), 1)
        res.on('data', (c: Buffer) => (total += c.length))
        res.on('end', () => {
          clearInterval(timer)
          done(total)
        })
      })
    })
    expect(bytes).toBe(256 * chunk.length)
  })
})

describe('what the app sees', () => {
  it('the request id in req.scf, getCurrentInvoke() and x-request-id; https; the host option; basePath', async () => {
    const app = express()
    app.get('/who', (req, res) => {
      const scf = (req as unknown as { scf: { context: { request_id: string } } }).scf
      res.json({
        scf: scf.context.request_id,
        current: getCurrentInvoke()?.context.request_id,
        protocol: req.protocol,
        secure: req.secure,
        forwarded: req.headers['x-forwarded-proto'],
        host: req.headers.host,
        url: req.url,
      })
    })
    const { url } = await serve(bridge(app, { basePath: '/api', host: 'api.example.com' }))
    const reply = await fetchText(`${url}/api/who?x=1`, { 'x-scf-request-id': 'req-42', 'x-forwarded-proto': 'http' })
    expect(reply.status).toBe(200)
    expect(reply.headers['x-request-id']).toBe('req-42')
    expect(JSON.parse(reply.body)).toEqual({
      scf: 'req-42',
      current: 'req-42',
      protocol: 'https',
      secure: true,
      forwarded: 'https',
      host: 'api.example.com', // 127.0.0.1:<port> names the instance, not the client's URL
      url: '/who?x=1',
    })
    // A client's own Host is kept when it names a real host.
    const own = await fetchText(`${url}/api/who`, { host: 'shop.example.org' })
    expect(JSON.parse(own.body).host).toBe('shop.example.org')
  })

  it('Koa sees https and ctx.req.scf; Hono sees an https URL and the invocation as c.env', async () => {
    const koa = new Koa()
    const router = new Router()
    router.get('/who', (ctx) => {
      ctx.body = {
        protocol: ctx.protocol,
        id: (ctx.req as { scf?: { context: { request_id: string } } }).scf?.context.request_id,
      }
    })
    koa.use(router.routes())
    const k = await serve(bridge(koa))
    expect(JSON.parse((await fetchText(`${k.url}/who`, { 'x-scf-request-id': 'k-1' })).body)).toEqual({
      protocol: 'https',
      id: 'k-1',
    })

    const hono = new Hono<{ Bindings: { context: { request_id: string } } }>()
    hono.get('/who', (c) => c.json({ url: c.req.url, id: c.env.context.request_id }))
    const h = await serve(bridge(hono, { host: 'api.example.com' }))
    expect(JSON.parse((await fetchText(`${h.url}/who?q=1`, { 'x-scf-request-id': 'h-1' })).body)).toEqual({
      url: 'https://api.example.com/who?q=1',
      id: 'h-1',
    })
  })

  it('a route that throws gets a plain 500 and one log line with the request id, no message or stack', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)))
    const app = express()
    app.get('/boom', () => {
      throw new Error('secret detail')
    })
    const { url } = await serve(bridge(app))
    const reply = await fetchText(`${url}/boom?token=abc`, { 'x-scf-request-id': 'boom-1' })
    expect(reply.status).toBe(500)
    expect(reply.body).toBe('Internal Server Error')
    expect(reply.body).not.toContain('secret')
    expect(lines).toHaveLength(1)
    const logged = JSON.parse(lines[0])
    expect(logged).toMatchObject({ level: 'error', requestId: 'boom-1', method: 'GET', path: '/boom' })
    expect(lines[0]).not.toContain('token')
  })

  it('a failure after the stream started breaks the connection off and is logged', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)))
    const app = new Hono()
    app.get('/broken', () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('data: one\n\n'))
          setImmediate(() => controller.error(new Error('upstream gone')))
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    })
    const { url } = await serve(bridge(app))
    const outcome = await new Promise<string>((done) => {
      get(`${url}/broken`, { headers: { 'x-scf-request-id': 'b-1' } }, (res) => {
        res.on('data', () => {})
        res.on('end', () => done('ended'))
        res.on('error', () => done('aborted'))
        res.on('aborted', () => done('aborted'))
      }).on('error', () => done('aborted'))
    })
    expect(outcome).toBe('aborted')
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ requestId: 'b-1', message: expect.stringContaining('middle of its reply') }),
    ])
  })
})

describe('WebSockets through the websocket option', () => {
  async function echoOverWebSocket(url: string, headers: Record<string, string> = {}): Promise<string[]> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers })
    const got: string[] = []
    await new Promise<void>((done, fail) => {
      socket.on('open', () => socket.send('ping'))
      socket.on('message', (data) => {
        got.push(String(data))
        if (got.length === 2) socket.close(1000)
      })
      socket.on('close', () => done())
      socket.on('error', fail)
    })
    return got
  }

  const attachEcho = (server: import('node:http').Server) => {
    const wss = new WebSocketServer({ server, path: '/ws' })
    wss.on('connection', (socket, req) => {
      const scf = (req as { scf?: { context: { request_id?: string } } }).scf
      socket.send(`hello ${scf?.context.request_id} ${req.headers['x-forwarded-proto']} ${req.url}`)
      socket.on('message', (data) => socket.send(`echo ${data}`))
    })
  }

  it('Express: ws on the runner server, the upgrade request prepared like any other (id, scheme, basePath)', async () => {
    const app = express()
    app.get('/', (_req, res) => res.send('page'))
    const { url } = await serve(bridge(app, { basePath: '/base', websocket: attachEcho }))
    expect(await echoOverWebSocket(`${url}/base/ws`, { 'x-scf-request-id': 'ws-1' })).toEqual([
      'hello ws-1 https /ws',
      'echo ping',
    ])
    expect((await fetchText(`${url}/base/`)).body).toBe('page')
  })

  it('Koa: the same', async () => {
    const koa = new Koa()
    koa.use((ctx) => {
      ctx.body = 'koa page'
    })
    const { url } = await serve(bridge(koa, { websocket: attachEcho }))
    expect(await echoOverWebSocket(`${url}/ws`, { 'x-scf-request-id': 'ws-2' })).toEqual([
      'hello ws-2 https /ws',
      'echo ping',
    ])
    expect((await fetchText(`${url}/`)).body).toBe('koa page')
  })

  it('without a WebSocket server, an upgrade is answered 501 and logged, never left hanging', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)))
    const { url } = await serve(bridge(express()))
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers: { 'x-scf-request-id': 'up-1' } })
    const status = await new Promise<number | undefined>((done) => {
      socket.on('unexpected-response', (_req, res) => done(res.statusCode))
      socket.on('error', () => done(undefined))
    })
    expect(status).toBe(501)
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ requestId: 'up-1', status: 501 })])
  })

  it('bridge() refuses a websocket option that is not a function', () => {
    expect(() => bridge(express(), { websocket: 'yes' as never })).toThrow(/websocket must be a function/)
  })

  it('the event target ignores the option: the handler still answers events', async () => {
    const app = express()
    app.get('/', (_req, res) => res.send('event page'))
    const handler = bridge(app, { websocket: attachEcho })
    const reply = await handler({
      httpMethod: 'GET',
      path: '/',
      headers: {},
      requestContext: { sourceIp: '1.2.3.4' },
    } as never)
    expect(reply).toMatchObject({ statusCode: 200, body: 'event page' })
  })
})

describe('dist/web-runner.js as a process', () => {
  const work = mkdtempSync(join(tmpdir(), 'scf-bridge-runner-'))
  afterAll(() => rmSync(work, { recursive: true, force: true }))
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })

  function start(file: string, port: number) {
    const child = spawn(process.execPath, [join(REPO, 'dist', 'web-runner.js'), 'index.main_handler'], {
      cwd: work,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let output = ''
    child.stdout!.on('data', (c: Buffer) => (output += c))
    child.stderr!.on('data', (c: Buffer) => (output += c))
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    const listening = new Promise<void>((done, fail) => {
      child.stdout!.on('data', () => output.includes('serving') && done())
      exited.then(() => fail(new Error(`the runner exited:\n${output}`)))
    })
    void file
    return { child, exited, listening, output: () => output }
  }

  async function until(test: () => boolean): Promise<void> {
    while (!test()) await new Promise((done) => setTimeout(done, 10))
  }

  async function freePort(): Promise<number> {
    const { createServer } = await import('node:net')
    return new Promise((done) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo
        s.close(() => done(port))
      })
    })
  }

  it('on SIGTERM: closes idle connections, refuses new ones, finishes the request in flight, exits 0', async () => {
    writeFileSync(
      join(work, 'index.js'),
      `const { bridge } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))})
let release
const held = new Promise((r) => (release = r))
// The app's own SIGTERM work (say, a queue flushed) lets the request in flight finish.
process.on('SIGTERM', () => setTimeout(release, 50))
exports.main_handler = bridge((req, res) => {
  if (req.url === '/slow') { process.stdout.write('slow started\\n'); return void held.then(() => res.end('slow done')) }
  res.end('ok')
})
`,
    )
    const port = await freePort()
    const runner = start('index.js', port)
    await runner.listening
    const { Agent } = await import('node:http')
    const agent = new Agent({ keepAlive: true })
    let idleSocket!: import('node:net').Socket
    const idle = await new Promise<IncomingMessage>((done) =>
      get({ port, host: '127.0.0.1', path: '/', agent }, done).on('socket', (socket) => (idleSocket = socket)),
    )
    idle.resume()
    await new Promise((done) => idle.on('end', done))
    const idleClosed = new Promise<void>((done) => idleSocket.once('close', () => done()))

    const slow = new Promise<{ body: string; connection: string | undefined }>((done) => {
      get({ port, host: '127.0.0.1', path: '/slow', agent: false }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c))
        res.on('end', () => done({ body, connection: res.headers.connection }))
      }).on('error', (error) => done({ body: error.message, connection: undefined }))
    })
    await until(() => runner.output().includes('slow started'))
    runner.child.kill('SIGTERM')
    await until(() => runner.output().includes('SIGTERM'))
    const refused = await new Promise<string>((done) => {
      const req = request({ port, host: '127.0.0.1', path: '/', agent: false }, () => done('answered'))
      req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'))
      req.end()
    })
    expect(refused).toBe('ECONNREFUSED')
    await idleClosed
    expect(await slow).toEqual({ body: 'slow done', connection: 'close' })
    expect(await runner.exited).toBe(0)
    agent.destroy()
  }, 30_000)

  it('a handler not made by bridge() stops the runner with a message saying so', async () => {
    writeFileSync(join(work, 'index.js'), 'exports.main_handler = async () => ({ statusCode: 200, body: "" })\n')
    const runner = start('index.js', await freePort())
    expect(await runner.exited).toBe(1)
    expect(runner.output()).toContain('not a handler made by bridge()')
  })
})
