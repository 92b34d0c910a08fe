import { createRequire } from 'node:module'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { parseArgs, UsageError } from '../src/cli/args'
import { gatewayReply, parseQueryString, stripStage } from '../src/emulator'
import { bridge } from '../src/index'
import { requestFromEvent } from '../src/request-from-event'
import { createApigwEvent, createFunctionUrlEvent, createScfContext, invoke, ResponseHeaders } from '../src/testing'
import { image } from './fixtures/cli/image.js'

const app = express()
app.get('/hello', (req, res) => res.json({ hello: req.query.name ?? 'world' }))
app.post('/echo', express.json(), express.urlencoded({ extended: false }), (req, res) =>
  res.json({ type: req.get('content-type'), body: req.body }),
)
app.post('/bytes', express.raw({ type: () => true }), (req, res) => res.type('application/octet-stream').send(req.body))
app.get('/image.png', (_req, res) => res.type('png').send(image()))
app.get('/cookies', (_req, res) => {
  res.cookie('a', '1')
  res.cookie('b', '2')
  res.send('ok')
})
app.get('/scheme', (req, res) => res.json({ protocol: req.protocol, secure: req.secure, host: req.get('host') }))
app.get('/throws', () => {
  throw new Error('route failed')
})
const main_handler = bridge(app)

describe('createApigwEvent', () => {
  it('builds the integrated-request event with API Gateway defaults', () => {
    const event = createApigwEvent()
    expect(event.httpMethod).toBe('GET')
    expect(event.path).toBe('/')
    expect(event.queryString).toEqual({})
    expect(event.isBase64Encoded).toBe(false)
    expect(event).not.toHaveProperty('body')
    expect(event.headers.host).toBe('service-local-1250000000.gz.apigw.tencentcs.com')
    expect(event.headers.requestsource).toBe('APIGW')
    expect(event.headers['x-api-requestid']).toMatch(/^[0-9a-f]{32}$/)
    expect(event.requestContext).toMatchObject({
      stage: 'release',
      sourceIp: '127.0.0.1',
      httpMethod: 'ANY',
      path: '/',
      identity: {},
    })
    expect(event.requestContext.requestId).toBe(event.headers['x-api-requestid'])
  })

  it('takes the query from the path and from `query`, with arrays and bare keys', () => {
    const event = createApigwEvent({ path: '/s?q=a+b&tag=1', query: { tag: ['2', 3], flag: true, off: false } })
    expect(event.path).toBe('/s')
    expect(event.queryString).toEqual({ q: 'a b', tag: ['1', '2', '3'], flag: true })
    expect(requestFromEvent(event).url).toBe('/s?q=a%20b&tag=1&tag=2&tag=3&flag')
  })

  it('lowercases header names and joins repeated values', () => {
    const event = createApigwEvent({
      headers: { 'X-Trace': 'a', Accept: ['text/html', 'application/json'], Cookie: ['a=1', 'b=2'] },
    })
    expect(event.headers['x-trace']).toBe('a')
    expect(event.headers.accept).toBe('text/html, application/json')
    expect(event.headers.cookie).toBe('a=1; b=2')
    expect(event.headers).not.toHaveProperty('X-Trace')
  })

  it('sends an object body as JSON and URLSearchParams as a form, defaulting the method to POST', () => {
    const json = createApigwEvent({ path: '/echo', body: { a: 1 } })
    expect(json.httpMethod).toBe('POST')
    expect(json.body).toBe('{"a":1}')
    expect(json.headers['content-type']).toBe('application/json')
    expect(json.headers['content-length']).toBe('7')

    const form = createApigwEvent({
      body: new URLSearchParams({ x: 'ü' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    })
    expect(form.body).toBe('x=%C3%BC')
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8')
  })

  it('base64-encodes bytes that are not UTF-8, and any body with base64: true', () => {
    const png = image()
    const binary = createApigwEvent({ method: 'PUT', body: png })
    expect(binary.isBase64Encoded).toBe(true)
    expect(Buffer.from(binary.body!, 'base64').equals(png)).toBe(true)

    const text = createApigwEvent({ body: 'hi', base64: true })
    expect(text).toMatchObject({ isBase64Encoded: true, body: 'aGk=' })
    const utf8Bytes = createApigwEvent({ body: new TextEncoder().encode('名') })
    expect(utf8Bytes).toMatchObject({ isBase64Encoded: false, body: '名' })
  })

  it('sets the gateway fields it is given', () => {
    const event = createApigwEvent({
      url: 'https://api.example.com/users/7',
      stage: 'prepub',
      requestId: 'abc',
      sourceIp: '203.0.113.9',
      pathParameters: { id: '7' },
      requestContext: { identity: { secretId: 'AKID' } },
    })
    expect(event.path).toBe('/users/7')
    expect(event.headers.host).toBe('api.example.com')
    expect(event.headers['x-api-scheme']).toBe('https')
    expect(event.pathParameters).toEqual({ id: '7' })
    expect(event.requestContext).toMatchObject({
      stage: 'prepub',
      requestId: 'abc',
      sourceIp: '203.0.113.9',
      identity: { secretId: 'AKID' },
    })
  })
})

describe('the client scheme of built events', () => {
  it('is https by default (x-api-scheme), http with https: false or an http:// url', () => {
    expect(createApigwEvent().headers['x-api-scheme']).toBe('https')
    expect(createApigwEvent({ https: false }).headers['x-api-scheme']).toBe('http')
    expect(createApigwEvent({ url: 'http://api.example.com/x' }).headers['x-api-scheme']).toBe('http')
    expect(createApigwEvent({ url: 'http://api.example.com/x', https: true }).headers['x-api-scheme']).toBe('https')
    expect(requestFromEvent(createApigwEvent()).secure).toBe(true)
    expect(requestFromEvent(createApigwEvent({ https: false })).secure).toBe(false)
    expect(requestFromEvent(createFunctionUrlEvent()).secure).toBe(true)
  })

  it.each([
    [{}, 'https'],
    [{ https: false }, 'http'],
    [{ trigger: 'url' as const }, 'https'],
    [{ trigger: 'url' as const, https: false }, 'https'],
  ])('invoke with %j: the app sees %s', async (options, protocol) => {
    const res = await invoke(main_handler, '/scheme', options)
    expect(await res.json()).toMatchObject({ protocol, secure: protocol === 'https' })
  })
})

describe('createFunctionUrlEvent', () => {
  it('builds the Function URL event without the API Gateway-only fields', () => {
    const event = createFunctionUrlEvent({ path: '/x?a=1', sourceIp: '198.51.100.1' })
    expect(event).toEqual({
      headers: { host: '1250000000-local.ap-guangzhou.tencentscf.com', 'x-scf-remote-addr': '198.51.100.1' },
      httpMethod: 'GET',
      path: '/x',
      queryString: { a: '1' },
    })
    expect(requestFromEvent(event)).toMatchObject({ remoteAddress: '198.51.100.1', url: '/x?a=1' })
  })
})

describe('createScfContext', () => {
  it('has SCF defaults and counts the remaining time down from the timeout', () => {
    let now = 1_000
    const context = createScfContext({ timeoutMs: 10_000, now: () => now })
    expect(context).toMatchObject({
      time_limit_in_ms: 10_000,
      memory_limit_in_mb: 128,
      function_version: '$LATEST',
      namespace: 'default',
      tencentcloud_region: 'ap-guangzhou',
      environment: '{"SCF_NAMESPACE":"default"}',
      callbackWaitsForEmptyEventLoop: true,
    })
    expect(context.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(context.getRemainingTimeInMillis!()).toBe(10_000)
    now += 2_500
    expect(context.getRemainingTimeInMillis!()).toBe(7_500)
    now += 60_000
    expect(context.getRemainingTimeInMillis!()).toBe(0)
  })

  it('takes the given names and refuses a timeout that is not a positive number', () => {
    expect(createScfContext({ functionName: 'api', requestId: 'r-1', memoryMb: 512 })).toMatchObject({
      function_name: 'api',
      request_id: 'r-1',
      memory_limit_in_mb: 512,
    })
    expect(() => createScfContext({ timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number/)
    expect(() => createScfContext({ timeoutMs: Number.NaN })).toThrow(TypeError)
  })
})

describe('invoke', () => {
  it('calls a bridge() handler in one line and decodes JSON', async () => {
    const res = await invoke(main_handler, '/hello?name=scf')
    expect(res.status).toBe(200)
    expect(res.ok).toBe(true)
    expect(res.statusText).toBe('OK')
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ hello: 'scf' })
    expect(res.gatewayError).toBeUndefined()
    expect(res.event.path).toBe('/hello')
    expect(res.context.time_limit_in_ms).toBe(3000)
  })

  it('posts JSON and forms', async () => {
    const json = await invoke(main_handler, { method: 'POST', path: '/echo', body: { a: [1, 2] } })
    expect(await json.json()).toEqual({ type: 'application/json', body: { a: [1, 2] } })
    const form = await invoke(main_handler, { path: '/echo', body: new URLSearchParams({ a: '1', b: 'x y' }) })
    expect(await form.json()).toEqual({ type: 'application/x-www-form-urlencoded', body: { a: '1', b: 'x y' } })
  })

  it('round-trips binary bytes and decodes a base64 response', async () => {
    const bytes = Buffer.from([0, 255, 254, 1, 128, 10, 13])
    const echoed = await invoke(main_handler, { path: '/bytes', body: bytes })
    expect(echoed.event.isBase64Encoded).toBe(true)
    expect((echoed.result as { isBase64Encoded: boolean }).isBase64Encoded).toBe(true)
    expect(echoed.body.equals(bytes)).toBe(true)
    expect(Buffer.from(await echoed.arrayBuffer()).equals(bytes)).toBe(true)

    const png = await invoke(main_handler, '/image.png')
    expect(png.body.equals(image())).toBe(true)
  })

  it('keeps every Set-Cookie', async () => {
    const res = await invoke(main_handler, '/cookies')
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    expect([...res.headers].filter(([name]) => name === 'set-cookie')).toHaveLength(2)
  })

  it("returns the app's 404 and 500", async () => {
    expect((await invoke(main_handler, '/nope')).status).toBe(404)
    const failed = await invoke(main_handler, '/throws')
    expect(failed.status).toBe(500)
    expect(await failed.text()).not.toContain('route failed')
  })

  it('accepts a fetch Request', async () => {
    const request = new Request('https://example.com/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":1}',
    })
    const res = await invoke(main_handler, request)
    expect(res.event.headers.host).toBe('example.com')
    expect(await res.json()).toEqual({ type: 'application/json', body: { x: 1 } })
  })

  it('supports callback-style handlers', async () => {
    const handler = (
      event: { path: string },
      _context: unknown,
      callback: (error: unknown, result?: unknown) => void,
    ) => {
      setTimeout(
        () =>
          callback(null, { isBase64Encoded: false, statusCode: 202, headers: { 'X-Path': event.path }, body: 'later' }),
        5,
      )
    }
    const res = await invoke(handler, '/cb')
    expect(res.status).toBe(202)
    expect(res.headers.get('x-path')).toBe('/cb')
    expect(await res.text()).toBe('later')
  })

  it('answers like the gateway when the handler fails, returns garbage or runs out of time', async () => {
    const boom = new Error('boom')
    const threw = await invoke(async () => {
      throw boom
    }, '/')
    expect(threw.status).toBe(502)
    expect(threw.error).toBe(boom)
    expect(threw.gatewayError).toBe('the function failed: Error: boom')

    const garbage = await invoke(async () => ({ statusCode: '200', body: 'x' }), '/')
    expect(garbage.status).toBe(502)
    expect(garbage.gatewayError).toMatch(/statusCode must be an integer/)
    expect((await garbage.json()).errno).toBe(502)

    const slow = await invoke(() => new Promise(() => {}), '/', { context: { timeoutMs: 30 } })
    expect(slow.status).toBe(504)
  })

  it('sends a Function URL event with trigger: url, where any JSON without statusCode is a 200', async () => {
    const res = await invoke(
      async (event: Record<string, unknown>) => ({ dialect: 'requestContext' in event ? 'apigw' : 'url' }),
      '/',
      { trigger: 'url' },
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ dialect: 'url' })
  })

  it('refuses a request over 6 MB as an event with 413, without calling the handler', async () => {
    let called = false
    const res = await invoke(
      async () => {
        called = true
        return { statusCode: 200, body: '' }
      },
      { path: '/', body: Buffer.alloc(6 * 1024 * 1024, 0xff) },
    )
    expect(res.status).toBe(413)
    expect(called).toBe(false)
  })
})

describe('ResponseHeaders', () => {
  it('reads like fetch Headers', () => {
    const headers = new ResponseHeaders({
      'set-cookie': ['a=1', 'b=2'],
      'x-multi': ['1', '2'],
      'content-type': ['text/plain'],
    })
    expect(headers.get('X-MULTI')).toBe('1, 2')
    expect(headers.get('missing')).toBeNull()
    expect(headers.has('Content-Type')).toBe(true)
    expect(headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect([...headers.entries()]).toEqual([
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-multi', '1, 2'],
    ])
  })
})

describe("the emulator's pure parts", () => {
  it('parses a query as API Gateway fills queryString', () => {
    expect(parseQueryString('?a=1&a=2&bare&empty=&sp=a+b%20c&bad=%zz&&k=v=w')).toEqual({
      a: ['1', '2'],
      bare: true,
      empty: '',
      sp: 'a b c',
      bad: '%zz',
      k: 'v=w',
    })
    expect(parseQueryString('x&x=1')).toEqual({ x: ['', '1'] })
    const proto = parseQueryString('__proto__=1')
    expect(Object.keys(proto)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype)
  })

  it('strips the stage only as a whole first segment', () => {
    expect(stripStage('/release/users', 'release')).toBe('/users')
    expect(stripStage('/release', 'release')).toBe('/')
    expect(stripStage('/releases/x', 'release')).toBe('/releases/x')
    expect(stripStage('/users', 'release')).toBe('/users')
  })

  it('reads an integrated response: repeated headers kept, framing headers dropped, unsafe values refused', () => {
    const reply = gatewayReply({
      kind: 'returned',
      value: {
        statusCode: 200,
        headers: { 'Content-Length': '999', 'Transfer-Encoding': 'chunked', 'X-N': 5, 'Set-Cookie': ['a=1'] },
        body: 'hé',
      },
    })
    expect(reply.headers).toEqual({ 'x-n': ['5'], 'set-cookie': ['a=1'] })
    expect(reply.body.toString()).toBe('hé')
    expect(
      gatewayReply({ kind: 'returned', value: { statusCode: 200, headers: { 'x-a': 'a\r\nb' }, body: '' } }).problem,
    ).toMatch(/line break/)
    expect(
      gatewayReply({ kind: 'returned', value: { statusCode: 200, headers: { 'x-a': '名' }, body: '' } }).problem,
    ).toMatch(/cannot carry/)
    expect(
      gatewayReply({ kind: 'returned', value: { statusCode: 200, headers: { 'x-a': 'café\tok' }, body: '' } }).headers,
    ).toEqual({ 'x-a': ['café\tok'] })
    expect(
      gatewayReply({ kind: 'returned', value: { statusCode: 200, headers: { 'bad name': 'x' }, body: '' } }).problem,
    ).toMatch(/header name/)
    expect(gatewayReply({ kind: 'returned', value: { statusCode: 100, body: '' } }).status).toBe(502)
    const noContent = gatewayReply({ kind: 'returned', value: { statusCode: 204 } })
    expect(noContent.status).toBe(204)
    expect(noContent.problem).toBeUndefined()
    expect(noContent.body.length).toBe(0)
  })
})

describe('CLI arguments', () => {
  it('has the documented defaults', () => {
    expect(parseArgs(['dev', './index.js'])).toEqual({
      name: 'dev',
      options: {
        entry: './index.js',
        handler: undefined,
        port: 9000,
        host: '127.0.0.1',
        stage: 'release',
        timeoutS: 30,
        memoryMb: 256,
        trigger: 'url',
        https: false,
        watch: false,
        target: 'event',
        concurrency: 1,
        initTimeoutMs: 65000,
      },
    })
    expect(parseArgs(['dev'])).toMatchObject({ options: { entry: '.' } })
  })

  it('reads every option, with a space or =', () => {
    const command = parseArgs([
      'dev',
      'src',
      '--handler',
      'app.main',
      '--port=3000',
      '--host',
      '0.0.0.0',
      '--stage',
      'test',
      '-t',
      '15',
      '--memory',
      '512',
      '--trigger=apigw',
      '-w',
      '--https',
    ])
    expect(command).toEqual({
      name: 'dev',
      options: {
        entry: 'src',
        handler: 'app.main',
        port: 3000,
        host: '0.0.0.0',
        stage: 'test',
        timeoutS: 15,
        memoryMb: 512,
        trigger: 'apigw',
        https: true,
        watch: true,
        target: 'event',
        concurrency: 1,
        initTimeoutMs: 65000,
      },
    })
    expect(parseArgs(['--help'])).toEqual({ name: 'help', command: undefined })
    expect(parseArgs(['dev', 'x', '-h'])).toEqual({ name: 'help', command: 'dev' })
    expect(parseArgs(['--version'])).toEqual({ name: 'version' })
  })

  it.each([
    [[], /missing command/],
    [['serve'], /unknown command "serve"/],
    [['dev', '--port', '70000'], /port number/],
    [['dev', '--port'], /needs a value/],
    [['dev', '--timeout', '0'], /whole number of seconds from 1 to 900/],
    [['dev', '--timeout', '1.5'], /whole number of seconds from 1 to 900/],
    [['dev', '--memory', '100'], /64 or a multiple of 128 from 128 to 3072/],
    [['dev', '--timeout', '--watch'], /needs a value/],
    [['dev', '--trigger', 'http'], /apigw or url/],
    [['dev', 'a.js', 'b.js'], /one entry only/],
    [['dev', '--nope'], /unknown option --nope for dev/],
    [['dev', '--watch=yes'], /--watch takes no value/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(UsageError)
    expect(() => parseArgs(argv as string[])).toThrow(message)
  })
})

describe('the published entry point', () => {
  it('resolves scf-bridge/testing to the build through the exports map', () => {
    const require = createRequire(__filename)
    const testing = require('scf-bridge/testing')
    expect(require.resolve('scf-bridge/testing')).toMatch(/dist[\\/]testing\.js$/)
    expect(Object.keys(testing).sort()).toEqual([
      'ResponseHeaders',
      'createApigwEvent',
      'createCkafkaEvent',
      'createClsEvent',
      'createCmqEvent',
      'createCosEvent',
      'createFunctionUrlEvent',
      'createScfContext',
      'createTimerEvent',
      'invoke',
      'invokeEvent',
    ])
  })
})
