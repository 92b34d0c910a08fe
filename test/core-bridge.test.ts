import { spawnSync } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import express4 from 'express4'
import Koa3 from 'koa'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../src'
import { frameworks, tooBig } from './fixtures/core-apps'
import { bodyBytes, capturedGet, functionUrlGet, httpEvent, scfContext } from './fixtures/events'

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

describe.each(frameworks)('core behaviour on $name', ({ make, kind }) => {
  const handler = bridge(make())

  it('serves the real captured GET event', async () => {
    const r = await handler({ ...capturedGet(), path: '/json' }, scfContext())
    expect(r.statusCode).toBe(200)
    expect(r.isBase64Encoded).toBe(false)
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(JSON.parse(r.body)).toEqual({
      method: 'GET',
      path: '/json',
      query: {},
      ip: '20.197.69.95',
      protocol: 'http',
    })
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)))
  })

  it('serves a Function URL event with the caller address from x-scf-remote-addr', async () => {
    const r = await handler(
      { ...functionUrlGet(), path: '/json', queryString: { a: ['1', '2'], b: 'x y' } },
      scfContext(),
    )
    expect(JSON.parse(r.body)).toMatchObject({ ip: '203.0.113.7', query: { a: ['1', '2'], b: 'x y' } })
  })

  it('passes headers lowercased, with the real content-length and the forwarded headers', async () => {
    const r = await handler(
      httpEvent({ path: '/headers', headers: { 'X-Custom': 'v', 'content-length': '999' } }),
      scfContext(),
    )
    const seen = JSON.parse(r.body)
    expect(seen['x-custom']).toBe('v')
    expect(seen['content-length']).toBeUndefined()
    expect(seen['transfer-encoding']).toBeUndefined()
    expect(seen['x-forwarded-for']).toBe('20.197.69.95')
    expect(seen['x-forwarded-proto']).toBe('https')
    expect(seen.host).toBe('service-x-1250000000.gz.apigw.tencentcs.com')
    expect(seen['user-agent']).toBeUndefined()
  })

  it('round-trips binary bodies byte for byte, base64 both ways', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))
    const r = await handler(
      httpEvent({
        method: 'POST',
        path: '/echo',
        body: bytes,
        headers: { 'content-type': 'application/octet-stream' },
      }),
      scfContext(),
    )
    expect(r.statusCode).toBe(201)
    expect(r.isBase64Encoded).toBe(true)
    expect(bodyBytes(r)).toEqual(bytes)
    expect(r.headers['content-length']).toBe('512')
  })

  it('round-trips a multibyte UTF-8 text body with the right content-length', async () => {
    const text = '{"名前":"値","emoji":"😀"}'
    const r = await handler(
      httpEvent({ method: 'POST', path: '/echo', body: text, headers: { 'content-type': 'application/json' } }),
      scfContext(),
    )
    expect(r).toMatchObject({ statusCode: 201, isBase64Encoded: false, body: text })
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(text)))
  })

  it('returns several Set-Cookie values as one array', async () => {
    const r = await handler(httpEvent({ path: '/cookies' }), scfContext())
    const cookies = r.headers['set-cookie'] as string[]
    expect(Array.isArray(cookies)).toBe(true)
    expect(cookies.map((c) => c.split(';')[0])).toEqual(['a=1', 'b=2', 'c=%E4%B8%AD'])
    expect(cookies[0]).toMatch(/httponly/i)
  })

  it('keeps Location on redirects', async () => {
    const r = await handler(httpEvent({ path: '/redirect' }), scfContext())
    expect(r.statusCode).toBe(302)
    expect(r.headers.location).toBe('/target?x=1')
  })

  it('sends no body for 204, HEAD and 304', async () => {
    const empty = await handler(httpEvent({ path: '/empty' }), scfContext())
    expect(empty).toMatchObject({ statusCode: 204, body: '', isBase64Encoded: false })
    const head = await handler(httpEvent({ method: 'HEAD', path: '/etag' }), scfContext())
    expect(head).toMatchObject({ statusCode: 200, body: '' })
    const first = await handler(httpEvent({ path: '/etag' }), scfContext())
    const etag = first.headers.etag as string
    expect(etag).toBeTruthy()
    const notModified = await handler(httpEvent({ path: '/etag', headers: { 'if-none-match': etag } }), scfContext())
    expect(notModified).toMatchObject({ statusCode: 304, body: '' })
  })

  it('concatenates several writes', async () => {
    const r = await handler(httpEvent({ path: '/chunks' }), scfContext())
    expect(r).toMatchObject({ statusCode: 200, body: 'abc', isBase64Encoded: false })
    expect(r.headers['transfer-encoding']).toBeUndefined()
    expect(r.headers.connection).toBeUndefined()
  })

  it.each(['/throw', '/next-error'])(
    'answers an app error at %s with a plain 500 and logs it with the request id',
    async (path) => {
      const r = await handler(httpEvent({ path }), scfContext({ request_id: 'invocation-42' }))
      expect(r.statusCode).toBe(500)
      expect(r.body).toBe('Internal Server Error')
      expect(r.body).not.toMatch(/secret|at |Error:/)
      expect(errorLog).toHaveBeenCalledTimes(1)
      const line = JSON.parse(String(errorLog.mock.calls[0][0]))
      expect(line).toMatchObject({ requestId: 'invocation-42', method: 'GET', path })
      expect(line.error).toMatch(/secret detail/)
    },
  )

  it('keeps a client error (4xx) of the app as it is, unlogged', async () => {
    const r = await handler(httpEvent({ path: '/bad-request' }), scfContext())
    expect(r.statusCode).toBe(400)
    expect(r.body).not.toMatch(/at |stack/)
    expect(errorLog).not.toHaveBeenCalled()
  })

  it('answers a reply larger than 6 MB with 502 and one log line with the size', async () => {
    const r = await handler(httpEvent({ path: '/big' }), scfContext())
    expect(r.statusCode).toBe(502)
    expect(r.body).toMatch(/6 MB/)
    expect(errorLog).toHaveBeenCalledTimes(1)
    const line = JSON.parse(String(errorLog.mock.calls[0][0]))
    expect(line.bytes).toBeGreaterThan(tooBig.length)
  })

  it('sets callbackWaitsForEmptyEventLoop to false, unless told to wait', async () => {
    const context = scfContext({ callbackWaitsForEmptyEventLoop: true })
    await handler(httpEvent({ path: '/json' }), context)
    expect(context.callbackWaitsForEmptyEventLoop).toBe(false)
    const waiting = bridge(make(), { waitForEmptyEventLoop: true })
    const context2 = scfContext({ callbackWaitsForEmptyEventLoop: true })
    await waiting(httpEvent({ path: '/json' }), context2)
    expect(context2.callbackWaitsForEmptyEventLoop).toBe(true)
  })

  it('strips basePath', async () => {
    const based = bridge(make(), { basePath: '/api' })
    const r = await based(httpEvent({ path: '/api/json' }), scfContext())
    expect(JSON.parse(r.body).path).toBe('/json')
  })

  it('rejects a non-HTTP event with a clear message and injects nothing', async () => {
    await expect(handler({ Type: 'Timer', TriggerName: 'tick', Time: 'now' } as never, scfContext())).rejects.toThrow(
      /timer trigger/,
    )
    await expect(handler(null as never, scfContext())).rejects.toThrow(/expected an HTTP event/)
  })

  it(`puts event and context on the request${kind === 'koa' ? ' and ctx.state' : ''}`, async () => {
    const r = await handler(httpEvent({ path: '/scf' }), scfContext({ request_id: 'inv-1' }))
    const seen = JSON.parse(r.body)
    expect(seen).toMatchObject({ path: '/scf', requestId: 'inv-1', xRequestId: 'gw-req-1' })
    if (kind === 'koa') expect(seen.same).toBe(true)
    expect(r.headers['x-request-id']).toBe('gw-req-1')
  })
})

describe('app kinds', () => {
  it('accepts a plain listener and an http.Server', async () => {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => res.end(`hi ${req.url}`)
    for (const app of [listener, http.createServer(listener)]) {
      const r = await bridge(app)(httpEvent({ path: '/x', query: { q: '1' } }), scfContext())
      expect(r).toMatchObject({ statusCode: 200, body: 'hi /x?q=1' })
    }
  })

  it('turns a sync throw and a rejection of a plain listener into 500', async () => {
    const throwing = bridge(() => {
      throw new Error('sync')
    })
    const rejecting = bridge(async () => {
      throw new Error('async')
    })
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect((await throwing(httpEvent(), scfContext())).statusCode).toBe(500)
    expect((await rejecting(httpEvent(), scfContext())).statusCode).toBe(500)
    spy.mockRestore()
  })

  it.each([
    [undefined, /got undefined/],
    [null, /got null/],
    [42, /got a number/],
    [{ foo: 1 }, /got an object with keys foo/],
  ])('throws a TypeError at bridge() time for %j', (app, message) => {
    expect(() => bridge(app)).toThrow(TypeError)
    expect(() => bridge(app)).toThrow(message)
    expect(() => bridge(app)).toThrow(/accepts an Express app, a Koa app/)
  })
})

// light-my-request re-parents Express's shared prototypes when handed an Express app: the bridge must not.
describe.each([
  ['Express 4', express4 as unknown as typeof express5],
  ['Express 5', express5],
])('%s: bridged and listening apps share a process', (_name, express) => {
  function app() {
    const a = express()
    a.use(express.json())
    a.post('/sum', (req, res) => res.json({ sum: (req.body as number[]).reduce((x, y) => x + y, 0), ip: req.ip }))
    return a
  }

  async function postOverHttp(server: http.Server): Promise<unknown> {
    const { port } = server.address() as AddressInfo
    const res = await fetch(`http://127.0.0.1:${port}/sum`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1,2,3]',
    })
    return res.json()
  }

  it('keeps real HTTP working for another app and for the bridged app itself', async () => {
    const bridgedApp = app()
    const other = app()
    const servers = [http.createServer(other), http.createServer(bridgedApp)]
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))))
    try {
      for (const server of servers) expect(await postOverHttp(server)).toEqual({ sum: 6, ip: '127.0.0.1' })
      const handler = bridge(bridgedApp)
      for (let i = 0; i < 3; i++) {
        const r = await handler(
          httpEvent({ method: 'POST', path: '/sum', body: '[4,5]', headers: { 'content-type': 'application/json' } }),
          scfContext(),
        )
        expect(JSON.parse(r.body)).toEqual({ sum: 9, ip: '20.197.69.95' })
      }
      for (const server of servers) expect(await postOverHttp(server)).toEqual({ sum: 6, ip: '127.0.0.1' })
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    }
  })
})

// Express 4 leaves an async route's rejection unhandled; vitest would flag it, so this runs in a child.
describe('unhandled rejections of an invocation', () => {
  const dist = JSON.stringify(require.resolve('../dist/index.js'))
  const run = (body: string) =>
    spawnSync(
      process.execPath,
      ['-e', `const { bridge } = require(${dist}); const express = require('express4'); ${body}`],
      { encoding: 'utf8', cwd: __dirname },
    )

  it('Express 4: an async route that throws answers 500, and the process keeps serving', () => {
    const { stdout, stderr, status } = run(`
      const app = express()
      app.get('/async', async () => { await null; throw new Error('async secret') })
      app.get('/ok', (req, res) => res.send('ok'))
      const handler = bridge(app)
      const event = (path) => ({ httpMethod: 'GET', path, headers: {}, requestContext: { sourceIp: '1.2.3.4' } })
      handler(event('/async'), { request_id: 'a1' })
        .then((r) => { console.log(r.statusCode, r.body); return handler(event('/ok'), {}) })
        .then((r) => console.log(r.statusCode, r.body))`)
    expect(status).toBe(0)
    expect(stdout).toBe('500 Internal Server Error\n200 ok\n')
    expect(JSON.parse(stderr.trim())).toMatchObject({
      requestId: 'a1',
      path: '/async',
      error: expect.stringMatching(/async secret/),
    })
  })

  it('a rejection outside any invocation still crashes the process as Node does by default', () => {
    const { status, stderr } = run(`
      bridge((req, res) => res.end())({ httpMethod: 'GET', path: '/', headers: {} }, {})
        .then(() => Promise.reject(new Error('not ours')))`)
    expect(status).not.toBe(0)
    expect(stderr).toMatch(/not ours/)
  })
})

describe('Koa: an error the app answers itself', () => {
  it('keeps the app page (Koa error-handler pattern) and logs the error with the request id', async () => {
    const app = new Koa3()
    app.use(async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        ctx.status = 500
        ctx.type = 'html'
        ctx.body = '<h1>Sorry, try again later</h1>'
        ctx.app.emit('error', error, ctx)
      }
    })
    app.use(() => {
      throw new Error('db down: secret')
    })
    const r = await bridge(app)(httpEvent({ path: '/' }), scfContext({ request_id: 'koa-page' }))
    expect(r).toMatchObject({ statusCode: 500, body: '<h1>Sorry, try again later</h1>' })
    expect(errorLog).toHaveBeenCalledTimes(1)
    expect(JSON.parse(String(errorLog.mock.calls[0][0]))).toMatchObject({
      requestId: 'koa-page',
      error: expect.stringMatching(/db down/),
    })
  })
})

// An app may load both builds (a CommonJS dependency beside ESM code): they must share one invocation store.
describe('CommonJS and ESM builds in one process', () => {
  it('getCurrentInvoke() of either build sees invocations of both', () => {
    const dist = (file: string) => JSON.stringify(require.resolve(`../dist/${file}`))
    const { stdout, stderr, status } = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import { createRequire } from 'node:module'
      import * as esm from ${dist('index.mjs')}
      const cjs = createRequire(import.meta.url)(${dist('index.js')})
      const event = { httpMethod: 'GET', path: '/', headers: {}, requestContext: { sourceIp: '1.2.3.4' } }
      const seen = (req, res) => res.end([esm, cjs].map((m) => m.getCurrentInvoke()?.context.request_id).join(','))
      for (const m of [esm, cjs]) console.log((await m.bridge(seen)(event, { request_id: 'id' })).body)
    `,
      ],
      { encoding: 'utf8' },
    )
    expect(stderr).toBe('')
    expect(status).toBe(0)
    expect(stdout).toBe('id,id\nid,id\n')
  })
})

describe('non-ASCII request header values', () => {
  it('reach the app as their UTF-8 bytes, as on a Node server, so the app can echo them', async () => {
    const app = express5()
    app.get('/echo-header', (req, res) => {
      res.setHeader('x-echo', req.get('x-name') ?? '')
      res.send(Buffer.from(req.get('x-name') ?? '', 'latin1').toString('utf8'))
    })
    const r = await bridge(app)(httpEvent({ path: '/echo-header', headers: { 'x-name': 'café 中文' } }), scfContext())
    expect(r.statusCode).toBe(200)
    expect(r.body).toBe('café 中文')
    expect(Buffer.from(r.headers['x-echo'] as string, 'latin1').toString('utf8')).toBe('café 中文')
  })
})
