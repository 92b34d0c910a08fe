/**
 * What each app kind needs beyond the shared table (test/frameworks.test.ts): starting once (Promise, Fastify
 * ready(), hapi initialize(), Nest init()), failed starts, the app's own error handlers, and the fetch path.
 */

import Hapi from '@hapi/hapi'
import express from 'express'
import fastify from 'fastify'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { setCookiesOf, splitSetCookie } from '../src/fetch-mapping'
import { bridge, getCurrentInvoke } from '../src/index'
import type { ScfHttpEvent } from '../src/types'
import { bodyBytes, httpEvent, scfContext } from './fixtures/events'
import { expressApp } from './framework-apps/express'
import { fastifyApp } from './framework-apps/fastify'
import { nestApp } from './framework-apps/nest'

let errorLog: MockInstance
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  errorLog.mockRestore()
  vi.unstubAllGlobals()
})

const bridgeLines = () =>
  errorLog.mock.calls
    .map((call) => String(call[0]))
    .filter((line) => line.includes('"source":"scf-bridge"'))
    .map((line) => JSON.parse(line))

const get = (path: string, extra: Parameters<typeof httpEvent>[0] = {}) => httpEvent({ path, ...extra }) as ScfHttpEvent
const PLAIN_500 = {
  isBase64Encoded: false,
  statusCode: 500,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': 'gw-req-1' },
  body: 'Internal Server Error',
}

describe('a Promise of an app', () => {
  it('is resolved once and reused by every invocation', async () => {
    let thens = 0
    const app = expressApp(express)
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: the test needs a thenable that is not a Promise
      then: (resolve: (value: unknown) => void) => {
        thens++
        resolve(app)
      },
    }
    const handler = bridge(thenable)
    for (let i = 0; i < 3; i++) expect((await handler(get('/cookies'), scfContext())).statusCode).toBe(200)
    expect(thens).toBe(1)
  })

  it('reports a rejection on every invocation, with its cause, and never as an unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const handler = bridge(Promise.reject(new Error('database unreachable')))
      await new Promise((resolve) => setTimeout(resolve, 20))
      for (let i = 0; i < 3; i++) expect(await handler(get('/'), scfContext())).toEqual(PLAIN_500)
      const lines = bridgeLines()
      expect(lines).toHaveLength(3)
      for (const line of lines) {
        expect(line.error).toContain(
          'AppStartError: scf-bridge: the Promise of the app passed to bridge() rejected: Error: database unreachable',
        )
        expect(line.error).toContain('Caused by: Error: database unreachable')
      }
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('that never settles answers 504 at the deadline instead of hanging', async () => {
    const handler = bridge(new Promise(() => {}), { timeoutMarginMs: 0 })
    const response = await handler(get('/'), scfContext({ getRemainingTimeInMillis: () => 50 }))
    expect(response.statusCode).toBe(504)
    expect(bridgeLines()[0].message).toBe('the app did not answer in time')
  })

  it('of a Fastify instance (itself thenable) serves it', async () => {
    const create = async () => fastifyApp(fastify)
    const handler = bridge(create())
    const response = await handler(get('/cookies'), scfContext())
    expect(response.statusCode).toBe(200)
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/'])
  })

  it('that resolves to something that is not an app fails each invocation with a clear message', async () => {
    const handler = bridge(Promise.resolve({ notAnApp: true }))
    expect(await handler(get('/'), scfContext())).toEqual(PLAIN_500)
    expect(bridgeLines()[0].error).toContain('bridge(app) got an object with keys notAnApp')
  })
})

describe('Fastify', () => {
  it('waits for ready() once, even for concurrent first invocations', async () => {
    const app = fastifyApp(fastify)
    const ready = vi.spyOn(app, 'ready')
    const handler = bridge(app)
    const responses = await Promise.all([1, 2, 3].map(() => handler(get('/cookies'), scfContext())))
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200])
    await handler(get('/cookies'), scfContext())
    expect(ready).toHaveBeenCalledTimes(1)
    await app.close()
  })

  it("leaves a route error to the app's own error handler", async () => {
    const app = fastify()
    app.setErrorHandler(async (_error, _request, reply) => reply.code(503).send({ sorry: true }))
    app.get('/boom', async () => {
      throw new Error('secret')
    })
    const response = await bridge(app)(get('/boom'), scfContext())
    expect(response.statusCode).toBe(503)
    expect(response.body).toBe('{"sorry":true}')
    expect(bridgeLines()).toEqual([])
    await app.close()
  })

  it("leaves a route error to the route's own errorHandler option", async () => {
    const app = fastify()
    app.get('/boom', {
      errorHandler: async (_error, _request, reply) => reply.code(502).send('route handler'),
      handler: async () => {
        throw new Error('secret')
      },
    })
    app.get('/other', async () => {
      throw new Error('secret')
    })
    const handler = bridge(app)
    const own = await handler(get('/boom'), scfContext())
    expect([own.statusCode, own.body]).toEqual([502, 'route handler'])
    expect(bridgeLines()).toEqual([])
    expect(await handler(get('/other'), scfContext())).toEqual(PLAIN_500)
    expect(bridgeLines()).toHaveLength(1)
    await app.close()
  })

  it('sends a 4xx error of a route as Fastify does, not to the failure path', async () => {
    const app = fastify()
    app.get('/teapot', async () => {
      throw Object.assign(new Error('short and stout'), { statusCode: 418 })
    })
    const response = await bridge(app)(get('/teapot'), scfContext())
    expect(response.statusCode).toBe(418)
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 418, message: 'short and stout' })
    expect(bridgeLines()).toEqual([])
    await app.close()
  })

  it('serves an instance handed over already ready; its default error reply carries no stack', async () => {
    const app = fastify()
    app.get('/ok', async () => ({ ok: true }))
    app.get('/boom', async () => {
      throw new Error('boom')
    })
    await app.ready()
    const handler = bridge(app)
    expect((await handler(get('/ok'), scfContext())).body).toBe('{"ok":true}')
    const failed = await handler(get('/boom'), scfContext())
    expect(failed.statusCode).toBe(500)
    expect(failed.body).not.toMatch(/\n\s+at /)
    await app.close()
  })

  it('reports a plugin that fails to load on every invocation', async () => {
    const app = fastify()
    app.register(async () => {
      throw new Error('plugin exploded')
    })
    const handler = bridge(app)
    expect(await handler(get('/'), scfContext())).toEqual(PLAIN_500)
    expect(await handler(get('/'), scfContext())).toEqual(PLAIN_500)
    const lines = bridgeLines()
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line.error).toContain('the Fastify instance failed to start (ready())')
  })
})

describe('hapi', () => {
  it('initialises a server that was not, once (its onPreStart runs once)', async () => {
    const server = Hapi.server()
    let preStarts = 0
    server.ext('onPreStart', () => void preStarts++)
    server.route({ method: 'GET', path: '/', handler: () => 'hi' })
    const handler = bridge(server)
    expect((await handler(get('/'), scfContext())).body).toBe('hi')
    expect((await handler(get('/'), scfContext())).body).toBe('hi')
    expect(preStarts).toBe(1)
    await server.stop()
  })

  it("keeps a 500 that the app's own onPreResponse turned into its page", async () => {
    const server = Hapi.server()
    server.route({
      method: 'GET',
      path: '/boom',
      handler: () => {
        throw new Error('secret')
      },
    })
    server.ext('onPreResponse', (request, h) => {
      const response = request.response as { isBoom?: boolean }
      return response.isBoom ? h.response('our own error page').code(500).takeover() : h.continue
    })
    await server.initialize()
    const response = await bridge(server)(get('/boom'), scfContext())
    expect(response.statusCode).toBe(500)
    expect(response.body).toBe('our own error page')
    expect(bridgeLines()).toEqual([])
    await server.stop()
  })

  it('answers a 4xx Boom as hapi does', async () => {
    const server = Hapi.server()
    await server.initialize()
    const response = await bridge(server)(get('/missing'), scfContext())
    expect(response.statusCode).toBe(404)
    expect(JSON.parse(response.body)).toEqual({ statusCode: 404, error: 'Not Found', message: 'Not Found' })
    await server.stop()
  })
})

describe('NestJS', () => {
  it('calls init() once, even for concurrent first invocations', async () => {
    const app = await nestApp('express')
    const init = vi.spyOn(app, 'init')
    const handler = bridge(app)
    const responses = await Promise.all([1, 2].map(() => handler(get('/cookies'), scfContext())))
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200])
    expect(init).toHaveBeenCalledTimes(1)
    await app.close()
  })

  it("also serves the platform's instance taken after init()", async () => {
    const app = await nestApp('express')
    await app.init()
    const response = await bridge(app.getHttpAdapter().getInstance())(
      get('/cookies', { headers: { cookie: 'k=v' } }),
      scfContext(),
    )
    expect(response.body).toBe('{"cookie":"k=v"}')
    await app.close()
  })
})

describe('fetch-style apps', () => {
  it('a bare (request) => Response function with { fetch: true } gets the event as a WHATWG Request', async () => {
    const seen: Record<string, unknown>[] = []
    const handler = bridge(
      async (request: Request, invoke: { context: { request_id?: string } }) => {
        seen.push({
          method: request.method,
          url: request.url,
          ip: (request as Request & { ip?: string }).ip,
          forwardedFor: request.headers.get('x-forwarded-for'),
          type: request.headers.get('content-type'),
          body: await request.text(),
          invocation: invoke.context.request_id,
        })
        return new Response('made', { status: 201, headers: { 'content-type': 'text/plain' } })
      },
      { fetch: true },
    )
    const event = httpEvent({
      method: 'POST',
      path: '/a b/ü',
      query: { q: ['1', '2'], bare: true },
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    })
    const response = await handler(event, scfContext())
    expect(response).toEqual({
      isBase64Encoded: false,
      statusCode: 201,
      headers: { 'content-type': 'text/plain', 'x-request-id': 'gw-req-1' },
      body: 'made',
    })
    expect(seen).toEqual([
      {
        method: 'POST',
        url: 'https://service-x-1250000000.gz.apigw.tencentcs.com/a%20b/%C3%BC?q=1&q=2&bare',
        ip: '20.197.69.95',
        forwardedFor: '20.197.69.95',
        type: 'text/plain',
        body: 'hello',
        invocation: 'aa7b70e6-0000-4000-8000-000000000001',
      },
    ])
  })

  it('uses the client scheme for the URL and the default host (never localhost) for a Host that would not make a URL', async () => {
    const urls: string[] = []
    const handler = bridge(
      (request: Request) => {
        urls.push(request.url)
        return new Response(null, { status: 204 })
      },
      {
        fetch: true,
      },
    )
    for (const host of ['evil.example/path@x', 'a%b', 'example.com:99999', 'Example.COM:8080']) {
      await handler(httpEvent({ path: '/x', headers: { 'x-api-scheme': 'http', host } }), scfContext())
    }
    expect(urls).toEqual([
      'http://scf-bridge.invalid/x',
      'http://scf-bridge.invalid/x',
      'http://scf-bridge.invalid/x',
      'http://example.com:8080/x',
    ])
  })

  it('passes a non-ASCII header value as its UTF-8 bytes, as a server would', async () => {
    const values: (string | null)[] = []
    const handler = bridge(
      (request: Request) => {
        values.push(request.headers.get('x-name'))
        return new Response('ok')
      },
      {
        fetch: true,
      },
    )
    const response = await handler(httpEvent({ path: '/', headers: { 'x-name': 'café 中文' } }), scfContext())
    expect(response.statusCode).toBe(200)
    expect(values).toHaveLength(1)
    expect(Buffer.from(values[0] ?? '', 'latin1').toString('utf8')).toBe('café 中文')
  })

  it('drops a body that fetch cannot carry on GET and HEAD instead of failing', async () => {
    const handler = bridge(async (request: Request) => new Response(`${request.method} ${await request.text()}|`), {
      fetch: true,
    })
    const response = await handler(httpEvent({ method: 'GET', path: '/', body: 'ignored' }), scfContext())
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('GET |')
  })

  it('gives Hono the invocation as c.env, and getCurrentInvoke() inside its routes', async () => {
    const app = new Hono<{ Bindings: { event: ScfHttpEvent; context: { function_name?: string } } }>()
    app.get('/env', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return c.json({
        path: c.env.event.path,
        fn: c.env.context.function_name,
        current: getCurrentInvoke()?.event === c.env.event,
      })
    })
    const response = await bridge(app)(get('/env'), scfContext())
    expect(response.body).toBe('{"path":"/env","fn":"test-fn","current":true}')
  })

  // Hono reports a route error only to its errorHandler, which the bridge does not replace (issue 21): its
  // reply stands and Hono prints the error itself, as under a server; the bridge neither logs nor hands it on.
  it('leaves a Hono route error to Hono: its own 500 stands, Hono prints it, onError is not called', async () => {
    const app = new Hono()
    app.get('/boom', () => {
      throw new Error('hono secret')
    })
    const onError = vi.fn(() => ({ isBase64Encoded: false, statusCode: 503, headers: {}, body: 'custom' }))
    for (const handler of [bridge(app), bridge(app, { onError })]) {
      const response = await handler(get('/boom'), scfContext())
      expect([response.statusCode, response.body]).toEqual([500, 'Internal Server Error'])
    }
    expect(onError).not.toHaveBeenCalled()
    expect(bridgeLines()).toEqual([])
    const printed = errorLog.mock.calls.flat().filter((value): value is Error => value instanceof Error)
    expect(printed.map((error) => error.message)).toEqual(['hono secret', 'hono secret'])
  })

  it("keeps Hono's HTTPException reply (not the bridge's to log), and leaves an app.onError of the app's own alone", async () => {
    const { HTTPException } = await import('hono/http-exception')
    const app = new Hono()
    app.get('/teapot', () => {
      throw new HTTPException(503, { message: 'busy' })
    })
    app.get('/denied', () => {
      throw new HTTPException(403, { message: 'no' })
    })
    const withOwn = new Hono()
    withOwn.onError((error, c) => c.text(`own: ${error.message}`, 500))
    withOwn.get('/boom', () => {
      throw new Error('mine')
    })
    const busy = await bridge(app)(get('/teapot'), scfContext())
    expect([busy.statusCode, busy.body]).toEqual([503, 'busy'])
    expect(bridgeLines()).toEqual([])
    const denied = await bridge(app)(get('/denied'), scfContext())
    expect([denied.statusCode, denied.body]).toEqual([403, 'no'])
    const own = await bridge(withOwn)(get('/boom'), scfContext())
    expect([own.statusCode, own.body]).toEqual([500, 'own: mine'])
    expect(bridgeLines()).toEqual([])
  })

  it("leaves an h3 app's own onError alone", async () => {
    const { H3 } = await import('h3')
    const seen: string[] = []
    const app = new H3({ onError: (error) => void seen.push(error.message) })
    app.get('/boom', () => {
      throw new Error('h3 mine')
    })
    const response = await bridge(app)(get('/boom'), scfContext())
    expect(response.statusCode).toBe(500)
    expect(seen).toHaveLength(1)
    expect(bridgeLines()).toEqual([])
  })

  it('answers 500 for a fetch() that throws, rejects, returns no Response or a network error', async () => {
    const apps = [
      () => {
        throw new Error('sync failure')
      },
      async () => {
        throw new Error('async failure')
      },
      () => ({ status: 200 }),
      () => Response.error(),
    ]
    for (const fetch of apps) expect(await bridge({ fetch })(get('/'), scfContext())).toEqual(PLAIN_500)
    expect(bridgeLines().map((line) => line.error.split('\n')[0])).toEqual([
      'Error: sync failure',
      'Error: async failure',
      "TypeError: scf-bridge: the app's fetch() returned an object with keys status, not a Response",
      "TypeError: scf-bridge: the app's fetch() returned a network error Response (Response.error())",
    ])
  })

  it('sends a binary Response base64, byte for byte', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])
    const handler = bridge({ fetch: () => new Response(png, { headers: { 'content-type': 'image/png' } }) })
    const response = await handler(get('/'), scfContext())
    expect(response.isBase64Encoded).toBe(true)
    expect(bodyBytes(response).equals(png)).toBe(true)
  })

  it('refuses { fetch: true } for something that is neither a function nor has fetch()', () => {
    expect(() => bridge({ handle() {} }, { fetch: true })).toThrow(
      /bridge\(app, \{ fetch: true \}\) got an object with keys handle/,
    )
  })

  it('fails at bridge() time with a clear message where Request is missing (Node 16)', () => {
    vi.stubGlobal('Request', undefined)
    expect(() => bridge(new Hono())).toThrow(
      /fetch-style apps need the global Request, Response and Headers of Node 18 or later/,
    )
  })
})

describe('Set-Cookie values of a fetch Response', () => {
  it('are kept apart by getSetCookie()', () => {
    const headers = new Headers()
    headers.append('set-cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT')
    headers.append('set-cookie', 'b=2')
    expect(setCookiesOf(headers)).toEqual(['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2'])
  })

  it('are split from the joined value where getSetCookie() is missing, without splitting an Expires date', () => {
    const headers = new Headers()
    headers.append('set-cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/')
    headers.append('set-cookie', 'b=2')
    Object.defineProperty(headers, 'getSetCookie', { value: undefined })
    expect(setCookiesOf(headers)).toEqual(['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/', 'b=2'])
    expect(splitSetCookie('x=1, y=2; Max-Age=3,z=3')).toEqual(['x=1', 'y=2; Max-Age=3', 'z=3'])
    expect(splitSetCookie('only=1; Expires=Thu, 01 Jan 2026 00:00:00 GMT')).toEqual([
      'only=1; Expires=Thu, 01 Jan 2026 00:00:00 GMT',
    ])
  })
})
