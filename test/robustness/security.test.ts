import { createServer, type ServerResponse } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import Hapi from '@hapi/hapi'
import Fastify from 'fastify'
import { H3 } from 'h3'
import { Hono } from 'hono'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BridgeOptions, IntegratedResponse } from '../../src'
import { bridge } from '../../src'
import { invoke } from '../../src/testing'
import { httpEvent, scfContext } from '../fixtures/events'
import {
  assertIntegrated,
  express4,
  express5,
  expressEcho,
  fastifyEcho,
  hapiEcho,
  Koa2,
  Koa3,
  koaEcho,
  parseEcho,
} from './support'

// What SECURITY.md promises: no header injection, the caller's address comes from the platform only,
// size limits answered before the app runs or before SCF rejects the reply, no stack traces to callers.

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
beforeEach(() => errorLog.mockClear())
afterAll(() => errorLog.mockRestore())

/** The bridge's own log lines (JSON); a framework's own console output (h3 prints its errors) is skipped. */
const loggedLines = (): Array<Record<string, unknown>> =>
  errorLog.mock.calls.flatMap((call: unknown[]) => {
    try {
      return [JSON.parse(String(call[0])) as Record<string, unknown>]
    } catch {
      return []
    }
  })

// ---- header injection ---------------------------------------------------------

/** Reflects every request header it gets into the response headers, as careless apps do. */
function reflectingExpress(express: typeof express5 | typeof express4) {
  const app = (express as typeof express5)()
  app.use((req, res) => {
    for (const name of Object.keys(req.headers)) res.setHeader(`x-echo-${name}`, req.headers[name] as string)
    res.json(req.headers)
  })
  return app
}

function reflectingKoa(Koa: typeof Koa3 | typeof Koa2) {
  const app = new (Koa as typeof Koa3)()
  app.use(async (ctx) => {
    for (const name of Object.keys(ctx.headers)) ctx.set(`x-echo-${name}`, ctx.headers[name] as string)
    ctx.body = ctx.headers
  })
  return app
}

const hostileHeaders: Record<string, string> = {
  'x-crlf': 'a\r\nSet-Cookie: session=stolen',
  'x-lf': 'a\nLocation: https://evil.example',
  'x-cr': 'a\rb',
  'x-nul': 'a\0b',
  'x-bell': 'a\u0007b',
  'x-del': 'a\u007fb',
  'x-request-id': 'id\r\nSet-Cookie: session=stolen',
  'bad name': 'v',
  'x\r\nset-cookie': 'session=stolen',
  'x:y': 'v',
  ümlaut: 'v',
  '': 'v',
  __proto__: 'v',
  'x-tab': 'a\tb',
  'x-fine': 'plain value',
}

describe.each([
  { name: 'Express 5', app: reflectingExpress(express5) },
  { name: 'Express 4', app: reflectingExpress(express4) },
  { name: 'Koa 3', app: reflectingKoa(Koa3) },
  { name: 'Koa 2', app: reflectingKoa(Koa2) },
])('header injection into $name', ({ app }) => {
  const handler = bridge(app)

  it.each(['apigw', 'url'] as const)(
    '%s event: headers with CR, LF, NUL or other controls, or invalid names, never reach the app or the response',
    async (dialect) => {
      const event = httpEvent({ path: '/', headers: { ...hostileHeaders }, dialect })
      // Object spread drops the own `__proto__` key: put it back as JSON.parse would.
      Object.defineProperty(event.headers, '__proto__', { value: 'v', enumerable: true })
      const response = await handler(event as never, scfContext())
      assertIntegrated(response)
      expect(response.statusCode).toBe(200)

      const received = JSON.parse(response.body) as Record<string, string>
      for (const name of [
        'x-crlf',
        'x-lf',
        'x-cr',
        'x-nul',
        'x-bell',
        'x-del',
        'bad name',
        'x\r\nset-cookie',
        'x:y',
        'ümlaut',
        '',
        '__proto__',
      ]) {
        expect(Object.keys(received)).not.toContain(name)
      }
      expect(received['x-tab']).toBe('a\tb')
      expect(received['x-fine']).toBe('plain value')
      // The client's unsafe request id is dropped; the gateway's (or the invocation's) takes its place.
      expect(received['x-request-id']).not.toContain('stolen')

      expect(response.headers['set-cookie']).toBeUndefined()
      expect(response.headers.location).toBeUndefined()
      expect(JSON.stringify(response.headers)).not.toContain('stolen')
      expect(response.headers['x-echo-x-fine']).toBe('plain value')
    },
  )
})

// ---- address trust ------------------------------------------------------------

const spoofing = {
  'x-forwarded-for': '6.6.6.6',
  'x-real-ip': '6.6.6.7',
  'x-scf-remote-addr': '6.6.6.8',
  forwarded: 'for=6.6.6.9',
}

function ipOf(response: IntegratedResponse): string | undefined {
  return parseEcho(response).ip
}

describe.each([
  {
    name: 'Express 5',
    app: () => expressEcho(express5),
    trustOne: (a: ReturnType<typeof expressEcho>) => a.set('trust proxy', 1),
    trustAll: (a: ReturnType<typeof expressEcho>) => a.set('trust proxy', true),
  },
  {
    name: 'Express 4',
    app: () => expressEcho(express4),
    trustOne: (a: ReturnType<typeof expressEcho>) => a.set('trust proxy', 1),
    trustAll: (a: ReturnType<typeof expressEcho>) => a.set('trust proxy', true),
  },
  {
    name: 'Koa 3',
    app: () => koaEcho(Koa3),
    trustOne: (a: ReturnType<typeof koaEcho>) => Object.assign(a, { proxy: true, maxIpsCount: 1 }),
    trustAll: (a: ReturnType<typeof koaEcho>) => Object.assign(a, { proxy: true }),
  },
  {
    name: 'Koa 2',
    app: () => koaEcho(Koa2),
    trustOne: (a: ReturnType<typeof koaEcho>) => Object.assign(a, { proxy: true, maxIpsCount: 1 }),
    trustAll: (a: ReturnType<typeof koaEcho>) => Object.assign(a, { proxy: true }),
  },
] as const)('the caller address in $name', ({ app, trustOne, trustAll }) => {
  it('API Gateway: the address is requestContext.sourceIp; the client headers are kept but change nothing', async () => {
    const response = await bridge(app())(httpEvent({ path: '/', headers: spoofing }) as never, scfContext())
    const echo = parseEcho(response)
    expect(echo.ip).toBe('20.197.69.95')
    expect(echo.headers['x-forwarded-for']).toBe('6.6.6.6, 20.197.69.95')
    expect(echo.headers['x-real-ip']).toBe('6.6.6.7')
  })

  it('API Gateway behind trust proxy = one hop: still the gateway-reported address', async () => {
    const trusting = app()
    ;(trustOne as (a: unknown) => void)(trusting)
    const response = await bridge(trusting)(httpEvent({ path: '/', headers: spoofing }) as never, scfContext())
    expect(ipOf(response)).toBe('20.197.69.95')
  })

  it('trusting every proxy hands the address to the client (the reason SECURITY.md says: trust one hop)', async () => {
    const trusting = app()
    ;(trustAll as (a: unknown) => void)(trusting)
    const response = await bridge(trusting)(httpEvent({ path: '/', headers: spoofing }) as never, scfContext())
    expect(ipOf(response)).toBe('6.6.6.6')
  })

  it('Function URL: the address is the platform header x-scf-remote-addr', async () => {
    const response = await bridge(app())(
      httpEvent({ path: '/', dialect: 'url', headers: { 'x-forwarded-for': '6.6.6.6' } }) as never,
      scfContext(),
    )
    expect(ipOf(response)).toBe('203.0.113.7')
  })

  it.each([
    ['an API Gateway event without sourceIp', { sourceIp: undefined }],
    ['an API Gateway event whose sourceIp is not an address', { sourceIp: '6.6.6.6, 7.7.7.7' }],
  ])(
    '%s: no address at all, never a loopback one, and x-forwarded-for is left as the client sent it',
    async (_, requestContext) => {
      const event = httpEvent({
        path: '/',
        headers: { 'x-forwarded-for': '6.6.6.6', 'x-scf-remote-addr': '127.0.0.1' },
      }) as { requestContext: Record<string, unknown> }
      Object.assign(event.requestContext, requestContext)
      const echo = parseEcho(await bridge(app())(event as never, scfContext()))
      expect(echo.ip === undefined || echo.ip === '').toBe(true)
      expect(echo.headers['x-forwarded-for']).toBe('6.6.6.6')
    },
  )

  it('a Function URL event without x-scf-remote-addr: no address, never a loopback one', async () => {
    const event = httpEvent({ path: '/', dialect: 'url' }) as { headers: Record<string, string> }
    delete event.headers['x-scf-remote-addr']
    const echo = parseEcho(await bridge(app())(event as never, scfContext()))
    expect(echo.ip === undefined || echo.ip === '').toBe(true)
  })
})

describe.each([
  { name: 'Fastify 5', app: fastifyEcho() as unknown },
  { name: 'hapi', app: hapiEcho() as unknown },
])('the caller address in $name', ({ app }) => {
  const handler = bridge(app)

  it('is requestContext.sourceIp, whatever the client sends', async () => {
    expect(ipOf(await handler(httpEvent({ path: '/', headers: spoofing }) as never, scfContext()))).toBe('20.197.69.95')
  })

  it('is none (never a loopback address) when the event has none', async () => {
    const event = httpEvent({ path: '/', headers: spoofing }) as { requestContext: Record<string, unknown> }
    delete event.requestContext.sourceIp
    const response = await handler(event as never, scfContext())
    expect(response.statusCode).toBe(200)
    expect(ipOf(response)).toBeUndefined()
  })
})

// ---- the path as sent ---------------------------------------------------------------

/** What a real Node server puts in req.url for a raw request target. */
function realServerUrl(target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => res.end(req.url))
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      )
      let raw = ''
      socket.on('data', (chunk) => (raw += chunk))
      socket.on('error', reject)
      socket.on('end', () => server.close(() => resolve(raw.slice(raw.indexOf('\r\n\r\n') + 4))))
    })
  })
}

describe('dot segments in the path', () => {
  const targets = [
    '/public/../admin',
    '/public/%2e%2e/admin',
    '/public/%2E./admin',
    '/a/./b',
    '/a/b/..',
    '/%2e%2e/x',
    '/a//b',
    '/%7Euser/x',
  ]

  it.each(targets)('%s reaches a Node app as a real server gives it (not resolved)', async (target) => {
    const handler = bridge(expressEcho(express5))
    const echo = parseEcho(await handler(httpEvent({ path: target }) as never, scfContext()))
    expect(echo.url).toBe(await realServerUrl(target))
  })

  it('/public/%2e%2e/admin does not reach the /admin route', async () => {
    const app = express5()
    app.get('/admin', (_req, res) => res.send('secret'))
    app.use((_req, res) => res.status(404).send('not found'))
    const response = await bridge(app)(httpEvent({ path: '/public/%2e%2e/admin' }) as never, scfContext())
    expect(response).toMatchObject({ statusCode: 404, body: 'not found' })
  })
})

// ---- size limits ----------------------------------------------------------------

describe('size limits', () => {
  const MB = 1024 * 1024

  // SCF itself refuses an event over 6 MB: the bridge never sees one, and the emulator answers as the gateway does.
  it.each([
    ['base64', 'application/octet-stream'],
    ['plain text', 'text/plain'],
  ])('a %s request body over 6 MB is refused with 413 before the app runs', async (_, type) => {
    const app = vi.fn((_req: unknown, res: ServerResponse) => res.end('ran'))
    const bytes = Buffer.alloc(6 * MB + 1, 'a')
    const response = await invoke(bridge(app), {
      method: 'POST',
      path: '/upload',
      headers: { 'content-type': type },
      body: bytes,
    })
    expect(response.status).toBe(413)
    expect(response.gatewayError).toMatch(/SCF accepts 6291456 \(6 MB\)/)
    expect(app).not.toHaveBeenCalled()
  })

  it('a request body of exactly 6 MB reaches the app', async () => {
    let received = -1
    const app = (req: NodeJS.ReadableStream, res: ServerResponse) => {
      let bytes = 0
      req.on('data', (chunk: Buffer) => (bytes += chunk.length))
      req.on('end', () => {
        received = bytes
        res.end('ok')
      })
    }
    const response = await bridge(app)(
      httpEvent({ method: 'POST', path: '/', body: Buffer.alloc(6 * MB, 1) }) as never,
      scfContext(),
    )
    expect(response.statusCode).toBe(200)
    expect(received).toBe(6 * MB)
  })

  const tooLarge: Array<[string, string, Buffer | string]> = [
    ['5 MB of binary (6.7 MB once base64)', 'application/octet-stream', Buffer.alloc(5 * MB, 7)],
    ['6.5 MB of text', 'text/plain; charset=utf-8', 'x'.repeat(6.5 * MB)],
    // Text or base64, whichever fits: 1.2 MB of these would go as base64 (test/response-size.test.ts).
    [
      '4.6 MB of control characters (28 MB once JSON-escaped, 6.4 MB once base64)',
      'text/plain; charset=utf-8',
      '\u0001'.repeat(4.6 * MB),
    ],
  ]
  it.each(tooLarge)(
    'a response of %s answers 502 with a log line, never an object SCF would reject',
    async (_, type, body) => {
      const app = (_req: unknown, res: ServerResponse) => {
        res.setHeader('content-type', type)
        res.end(body)
      }
      const response = await bridge(app)(httpEvent({ path: '/' }) as never, scfContext())
      assertIntegrated(response)
      expect(response.statusCode).toBe(502)
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(6 * MB)
      const line = loggedLines().find((entry) => entry.message === 'response too large for SCF')
      expect(line).toMatchObject({ level: 'error', source: 'scf-bridge', path: '/' })
      expect(line?.bytes).toBeGreaterThan(6 * MB)
    },
  )

  it('a response just under the limit is sent whole', async () => {
    const bytes = Buffer.alloc(4.4 * MB, 9)
    const app = (_req: unknown, res: ServerResponse) => {
      res.setHeader('content-type', 'application/octet-stream')
      res.end(bytes)
    }
    const response = await bridge(app)(httpEvent({ path: '/' }) as never, scfContext())
    expect(response.statusCode).toBe(200)
    expect(Buffer.from(response.body, 'base64').equals(bytes)).toBe(true)
  })
})

// ---- no stack traces --------------------------------------------------------------

const SECRET = 'db password is hunter2'

function failingExpress(express: typeof express5 | typeof express4) {
  const app = (express as typeof express5)()
  app.get('/throw', () => {
    throw new Error(SECRET)
  })
  app.get('/next', (_req, _res, next) => next(new Error(SECRET)))
  app.get('/reject', async () => {
    await Promise.resolve()
    throw new Error(SECRET)
  })
  return app
}

function failingKoa(Koa: typeof Koa3 | typeof Koa2) {
  const app = new (Koa as typeof Koa3)()
  app.use(async () => {
    await Promise.resolve()
    throw new Error(SECRET)
  })
  return app
}

function failingFastify() {
  const app = Fastify()
  app.get('/*', async () => {
    await Promise.resolve()
    throw new Error(SECRET)
  })
  return app
}

function failingHapi() {
  const server = Hapi.server({ debug: false })
  server.route({
    method: 'GET',
    path: '/{path*}',
    handler: async () => {
      await Promise.resolve()
      throw new Error(SECRET)
    },
  })
  return server
}

function failingHono() {
  const app = new Hono()
  app.get('*', async () => {
    await Promise.resolve()
    throw new Error(SECRET)
  })
  return app
}

function failingH3() {
  const app = new H3()
  app.get('/**', async () => {
    await Promise.resolve()
    throw new Error(SECRET)
  })
  return app
}

describe.each([
  { name: 'Express 5', app: failingExpress(express5) as unknown },
  { name: 'Express 4', app: failingExpress(express4) as unknown },
  { name: 'Koa 3', app: failingKoa(Koa3) as unknown },
  { name: 'Koa 2', app: failingKoa(Koa2) as unknown },
  { name: 'Fastify 5', app: failingFastify() as unknown },
  { name: 'hapi', app: failingHapi() as unknown },
  { name: 'Hono', app: failingHono() as unknown },
  { name: 'h3', app: failingH3() as unknown },
])('$name errors reach the log, not the caller', ({ app }) => {
  const options: BridgeOptions[] = [
    {},
    {
      onError: () => {
        throw new Error(`onError: ${SECRET}`)
      },
    },
  ]
  it.each(['/throw', '/next', '/reject'])(
    '%s: a plain 500 without message or stack; the log has both',
    async (path) => {
      for (const option of options) {
        errorLog.mockClear()
        const response = await bridge(app, option)(httpEvent({ path }) as never, scfContext())
        assertIntegrated(response)
        expect(response.statusCode).toBe(500)
        const visible = JSON.stringify(response)
        expect(visible).not.toContain('hunter2')
        expect(visible).not.toMatch(/\bat .+:\d+:\d+/)
        expect(JSON.stringify(loggedLines())).toContain('hunter2')
      }
    },
  )
})
