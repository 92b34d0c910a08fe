import type { IncomingMessage, ServerResponse } from 'node:http'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { IntegratedResponse } from '../../src'
import { bridge } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'
import { assertIntegrated, express4, express5, Koa2, Koa3 } from './support'

// An app that misbehaves (never answers, answers twice, writes after end(), throws after the headers went,
// destroys its socket, errors its request stream): the handler settles with a 5xx or with the reply the
// app completed, logs why, and the next invocation on the same instance works.

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
beforeEach(() => errorLog.mockClear())
afterAll(() => errorLog.mockRestore())

const logMessages = (): string[] =>
  errorLog.mock.calls.map((call: unknown[]) => {
    try {
      return (JSON.parse(String(call[0])) as { message: string }).message
    } catch {
      return String(call[0])
    }
  })

const forever = new Promise<never>(() => {})
const later = () => new Promise<void>((resolve) => setImmediate(resolve))

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

// The request stream breaks, as a library or a dropped connection makes it: while the app reads the body
// (queued on the same turn, before the body arrives), or after the app has read it and answered.
const requestErrors = new Map<string, (emit: () => void) => void>([
  ['/request-error', (emit) => process.nextTick(emit)],
  ['/request-error-after-body', (emit) => setImmediate(emit)],
])

function expressFaults(express: typeof express5 | typeof express4) {
  const app = (express as typeof express5)()
  app.get('/ok', (_req, res) => res.send('ok'))
  app.get('/never', () => undefined)
  app.get('/send-twice', (_req, res) => {
    res.send('one')
    res.send('two')
  })
  app.get('/end-twice', (_req, res) => {
    res.end('one')
    res.end('two')
  })
  app.get('/write-after-end', (_req, res) => {
    res.end('one')
    res.write('more')
  })
  app.get('/write-after-end-later', (_req, res) => {
    res.end('one')
    setImmediate(() => res.write('more'))
  })
  app.get('/throw-after-headers', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('partial')
    throw new Error('late failure')
  })
  app.get('/reject-after-headers', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('partial')
    await later()
    throw new Error('late async failure')
  })
  app.get('/destroy', (_req, res) => res.destroy())
  app.get('/destroy-after-write', (_req, res) => {
    res.write('partial')
    setImmediate(() => res.destroy(new Error('connection reset')))
  })
  app.get('/socket-destroy', (req) => req.socket.destroy())
  app.get('/response-socket-destroy', (_req, res) => {
    res.write('partial')
    res.socket?.destroy()
  })
  for (const [path, schedule] of requestErrors)
    app.post(
      path,
      (req, _res, next) => {
        schedule(() => req.emit('error', new Error('request stream broke')))
        next()
      },
      express.text({ type: () => true }),
      (req, res) => res.send(`read ${String(req.body)}`),
    )
  return app
}

function koaFaults(Koa: typeof Koa3 | typeof Koa2) {
  const app = new (Koa as typeof Koa3)()
  app.use(async (ctx) => {
    const res: ServerResponse = ctx.res
    switch (ctx.path) {
      case '/ok':
        ctx.body = 'ok'
        return
      case '/never':
        await forever
        return
      case '/send-twice':
      case '/end-twice':
        ctx.respond = false
        res.statusCode = 200
        res.end('one')
        res.end('two')
        return
      case '/write-after-end':
        ctx.respond = false
        res.statusCode = 200
        res.end('one')
        res.write('more')
        return
      case '/write-after-end-later':
        ctx.respond = false
        res.statusCode = 200
        res.end('one')
        setImmediate(() => res.write('more'))
        return
      case '/throw-after-headers':
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('partial')
        throw new Error('late failure')
      case '/reject-after-headers':
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('partial')
        await later()
        throw new Error('late async failure')
      case '/destroy':
        ctx.respond = false
        res.destroy()
        return
      case '/destroy-after-write':
        ctx.respond = false
        res.write('partial')
        setImmediate(() => res.destroy(new Error('connection reset')))
        return
      case '/socket-destroy':
        ctx.respond = false
        ctx.req.socket.destroy()
        return
      case '/response-socket-destroy':
        ctx.respond = false
        res.write('partial')
        res.socket?.destroy()
        return
    }
    const schedule = requestErrors.get(ctx.path)
    if (schedule && ctx.method === 'POST') {
      schedule(() => ctx.req.emit('error', new Error('request stream broke')))
      ctx.body = `read ${String(await readAll(ctx.req))}`
    }
  })
  return app
}

// readerHearsLateErrors: the Koa apps read the body with `for await`, whose stream iterator stays listening
// for 'error' once done and swallows a late one, as on a real server; body-parser leaves nothing listening,
// so on a real server the late 'error' would escape as an uncaught exception: the bridge logs it.
const apps = [
  { name: 'Express 5', app: expressFaults(express5), requestErrorStatus: 400, readerHearsLateErrors: false },
  { name: 'Express 4', app: expressFaults(express4), requestErrorStatus: 400, readerHearsLateErrors: false },
  { name: 'Koa 3', app: koaFaults(Koa3), requestErrorStatus: 500, readerHearsLateErrors: true },
  { name: 'Koa 2', app: koaFaults(Koa2), requestErrorStatus: 500, readerHearsLateErrors: true },
]

const get = (path: string) => httpEvent({ path }) as never
const textPost = (path: string) =>
  httpEvent({ method: 'POST', path, body: 'hello', headers: { 'content-type': 'text/plain' } }) as never

interface FaultCase {
  path: string
  status: number
  body: string
  log: string | undefined
}

// What a client gets. A reply the app completed stands (a real server has sent it); a reply cut short is
// never passed on half-written: the client gets a plain 500 (the app failed) or 502 (the connection died).
const cases: FaultCase[] = [
  { path: '/send-twice', status: 200, body: 'one', log: undefined },
  { path: '/end-twice', status: 200, body: 'one', log: undefined },
  { path: '/write-after-end', status: 200, body: 'one', log: undefined },
  { path: '/write-after-end-later', status: 200, body: 'one', log: undefined },
  { path: '/throw-after-headers', status: 500, body: 'Internal Server Error', log: 'the app failed' },
  { path: '/reject-after-headers', status: 500, body: 'Internal Server Error', log: 'the app failed' },
  { path: '/destroy', status: 502, body: 'Bad Gateway', log: 'the app ended the request without a reply' },
  { path: '/destroy-after-write', status: 502, body: 'Bad Gateway', log: 'the app ended the request without a reply' },
  { path: '/socket-destroy', status: 502, body: 'Bad Gateway', log: 'the app ended the request without a reply' },
  {
    path: '/response-socket-destroy',
    status: 502,
    body: 'Bad Gateway',
    log: 'the app ended the request without a reply',
  },
]

async function expectServes(handler: (event: never, context?: never) => Promise<IntegratedResponse>): Promise<void> {
  const response = await handler(get('/ok'), scfContext() as never)
  expect(response.statusCode).toBe(200)
  expect(response.body).toBe('ok')
}

describe.each(apps)('$name misbehaving', ({ app, requestErrorStatus, readerHearsLateErrors }) => {
  const handler = bridge(app)

  it.each(cases)('$path: answers $status, then serves the next invocation', async ({ path, status, body, log }) => {
    const response = await handler(get(path), scfContext() as never)
    assertIntegrated(response)
    expect(response.statusCode).toBe(status)
    expect(response.body).toBe(body)
    expect(response.body).not.toContain('partial')
    if (log) expect(logMessages()).toContain(log)
    await expectServes(handler)
  })

  it('an error on the request stream: the app answers it as it does any unreadable body, and the next invocation works', async () => {
    const response = await handler(textPost('/request-error'), scfContext() as never)
    assertIntegrated(response)
    expect(response.statusCode).toBe(requestErrorStatus)
    expect(response.body).not.toContain('request stream broke')
    expect(response.body).not.toMatch(/\bat .+:\d+:\d+/)
    await expectServes(handler)
  })

  it('an error on the request stream after the app read the body and answered: the reply stands, an error nobody hears is logged, and the next invocation works', async () => {
    const response = await handler(textPost('/request-error-after-body'), scfContext() as never)
    assertIntegrated(response)
    expect(response).toMatchObject({ statusCode: 200, body: 'read hello' })
    await later()
    if (readerHearsLateErrors) expect(logMessages()).toEqual([])
    else expect(logMessages()).toContain('the app failed after its reply was complete')
    await expectServes(handler)
  })

  it('never answers, with a context that tells the remaining time: 504 before the deadline, then serves', async () => {
    const context = scfContext({ time_limit_in_ms: 60_000, getRemainingTimeInMillis: () => 400 })
    const response = await handler(get('/never'), context as never)
    expect(response).toMatchObject({ statusCode: 504, body: 'Gateway Timeout' })
    expect(logMessages()).toContain('the app did not answer in time')
    await expectServes(handler)
  })

  it('never answers, with only time_limit_in_ms in the context: 504 from that limit', async () => {
    const response = await handler(get('/never'), scfContext({ time_limit_in_ms: 700 }) as never)
    expect(response.statusCode).toBe(504)
    await expectServes(handler)
  })

  it('never answers, with a context that tells no deadline: the invocation stays open (SCF ends it at its timeout), others are served', async () => {
    let settled = false
    void handler(get('/never'), {} as never).finally(() => {
      settled = true
    })
    for (let i = 0; i < 3; i++) await expectServes(handler)
    await later()
    expect(settled).toBe(false)
  })
})

describe('a plain (req, res) listener misbehaving', () => {
  it('throws synchronously after writing headers: 500, then serves', async () => {
    let calls = 0
    const handler = bridge((_req: IncomingMessage, res: ServerResponse) => {
      calls++
      if (calls === 1) {
        res.writeHead(200)
        res.write('partial')
        throw new Error('listener failure')
      }
      res.end('ok')
    })
    expect((await handler(get('/'), scfContext() as never)).statusCode).toBe(500)
    await expectServes(handler)
  })

  it('returns a promise that rejects after the reply was complete: the reply stands and the failure is logged', async () => {
    const handler = bridge(async (req: IncomingMessage, res: ServerResponse) => {
      res.end(req.url === '/ok' ? 'ok' : 'done')
      if (req.url !== '/ok') throw new Error('cleanup failed')
    })
    const response = await handler(get('/x'), scfContext() as never)
    expect(response).toMatchObject({ statusCode: 200, body: 'done' })
    expect(logMessages()).toContain('the app failed after its reply was complete')
    await expectServes(handler)
  })
})

describe('a fetch-style app misbehaving', () => {
  const encoder = new TextEncoder()
  let calls = 0
  const app = new Hono()
  app.all('*', (c) => {
    calls++
    switch (c.req.path) {
      case '/ok':
        return c.text('ok')
      case '/never':
        return forever
      case '/body-errors':
        return new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(encoder.encode('partial'))
              controller.error(new Error('stream died'))
            },
          }),
        )
      case '/body-never-ends':
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(encoder.encode('partial'))
            },
          }),
        )
      case '/not-a-response':
        return 'text' as unknown as Response
      default:
        return Response.error()
    }
  })
  const handler = bridge(app)

  it.each([
    ['/body-errors', 500],
    ['/not-a-response', 500],
    ['/network-error', 500],
  ])('%s: a plain %i without any of the partial body, logged, then serves', async (path, status) => {
    const response = await handler(get(path), scfContext() as never)
    assertIntegrated(response)
    expect(response.statusCode).toBe(status)
    expect(response.body).not.toContain('partial')
    expect(logMessages()).toContain('the app failed')
    await expectServes(handler)
  })

  it.each(['/never', '/body-never-ends'])(
    '%s: 504 before the deadline the context tells, then serves',
    async (path) => {
      const response = await handler(get(path), scfContext({ getRemainingTimeInMillis: () => 400 }) as never)
      expect(response.statusCode).toBe(504)
      await expectServes(handler)
    },
  )

  it.each(['CONNECT', 'TRACE', 'TRACK'])(
    '%s, which fetch cannot carry: 501 without calling the app, then serves',
    async (method) => {
      const before = calls
      const response = await handler(httpEvent({ path: '/ok', method }) as never, scfContext())
      expect(response).toMatchObject({ statusCode: 501, body: 'Not Implemented' })
      expect(calls).toBe(before)
      expect(logMessages()).toEqual([])
      await expectServes(handler)
    },
  )
})

describe('an onError hook that returns something SCF cannot send', () => {
  const failing = () => {
    throw new Error('route failed')
  }

  it.each([
    ['a string', 'oops'],
    ['a status that is not one', { statusCode: 'teapot', body: '' }],
    ['a body that is not a string', { statusCode: 503, body: { down: true } }],
    ['a header value with CR LF', { statusCode: 503, headers: { 'x-a': 'a\r\nSet-Cookie: x=1' }, body: 'down' }],
    ['a header name that is not a token', { statusCode: 503, headers: { 'bad name': 'v' }, body: 'down' }],
    ['headers: null', { statusCode: 503, headers: null, body: 'down' }],
  ])('%s: the default 500 and a log line saying why', async (_, custom) => {
    const handler = bridge(failing, { onError: () => custom as never })
    const response = await handler(get('/'), scfContext() as never)
    assertIntegrated(response)
    expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
    expect(logMessages()).toEqual(['onError returned an unusable response', 'the app failed'])
  })

  it('a partial response is completed, and the object it returned is not modified', async () => {
    const custom = Object.freeze({ statusCode: 503, body: 'down for maintenance' })
    const handler = bridge(failing, { onError: () => custom as never })
    const response = await handler(get('/'), scfContext() as never)
    assertIntegrated(response)
    expect(response).toMatchObject({ statusCode: 503, body: 'down for maintenance', isBase64Encoded: false })
    expect(response.headers['x-request-id']).toBe('gw-req-1')
    expect(custom).toEqual({ statusCode: 503, body: 'down for maintenance' })
    expect(logMessages()).toEqual([])
  })
})

describe('one failure, one report', () => {
  it('Fastify: an error thrown after the headers went is reported once (one onError call), answered 500', async () => {
    const app = Fastify()
    app.get('/throw-after-headers', async (_request, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'text/plain' })
      reply.raw.write('partial')
      throw new Error('late failure')
    })
    const onError = vi.fn(() => undefined)
    const response = await bridge(app, { onError })(get('/throw-after-headers'), scfContext() as never)
    expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
    await later()
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('an app that fails after its invocation was answered 504: no onError call, no log line for it', async () => {
    let threw!: () => void
    const thrown = new Promise<void>((resolve) => (threw = resolve))
    const app = express5()
    app.get('/late', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      setImmediate(threw)
      throw new Error('late failure')
    })
    const onError = vi.fn(() => undefined)
    const response = await bridge(app, { onError })(
      get('/late'),
      scfContext({ getRemainingTimeInMillis: () => 350 }) as never,
    )
    expect(response.statusCode).toBe(504)
    await thrown
    await later()
    expect(onError).not.toHaveBeenCalled()
    expect(logMessages()).toEqual(['the app did not answer in time'])
  })
})
