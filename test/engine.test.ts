/**
 * The bundled light-my-request (vendor/light-my-request, 6.6.0 with the changes listed in its README) against
 * the published 6.6.0 (devDependency): the same requests, served through both into the same recording app,
 * must reach the app as the same request and come back as the same reply. Where the copy differs on purpose
 * (plain paths kept as given, the `connection` getter on the prototype, the reply as a class, no option
 * validator) the difference itself is asserted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import vendored from '../vendor/light-my-request'
import type { DispatchFunc, InjectOptions, Response } from '../vendor/light-my-request'
import published from 'light-my-request'

type Engine = typeof vendored
type Options = InjectOptions
type Reply = Response
type Handler = (req: IncomingMessage, res: ServerResponse) => void

const engines: [string, Engine][] = [['copy', vendored], ['published', published as Engine]]

/** What the app saw of the request: `request` is the object itself, the rest is compared between engines. */
interface Seen {
  request: IncomingMessage
  method: string | undefined
  url: string | undefined
  httpVersion: string
  headers: IncomingMessage['headers']
  rawHeaders: string[]
  remoteAddress: string | undefined
  connectionIsSocket: boolean
  body: Buffer
}

interface Served {
  seen: Seen | undefined
  reply: Reply | null | undefined
  error: (Error & { code?: string }) | null | undefined
}

const ends: Handler = (_req, res) => res.end()

/**
 * Serves one request through `engine` into a recording app: it records the request, reads its body to the
 * end, then hands it to `handler`. Resolves with what the app saw and what the callback got (a synchronous
 * throw from inject() counts as the error).
 */
function serve(engine: Engine, options: Options, handler: Handler = ends): Promise<Served> {
  return new Promise((resolve) => {
    let seen: Seen | undefined
    const dispatch = (req: IncomingMessage, res: ServerResponse) => {
      const record: Seen = {
        request: req,
        method: req.method,
        url: req.url,
        httpVersion: req.httpVersion,
        headers: { ...req.headers },
        rawHeaders: [...req.rawHeaders],
        remoteAddress: req.socket.remoteAddress,
        connectionIsSocket: req.connection === req.socket,
        body: Buffer.alloc(0),
      }
      seen = record
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer | string) => chunks.push(Buffer.from(chunk)))
      req.on('end', () => {
        record.body = Buffer.concat(chunks)
        handler(req, res)
      })
    }
    try {
      engine(dispatch, options, (error, reply) => resolve({ seen, reply, error }))
    } catch (error) {
      resolve({ seen, reply: undefined, error: error as Error })
    }
  })
}

/** The compared part of what the app saw. */
function request(seen: Seen | undefined) {
  expect(seen, 'the app was called').toBeDefined()
  const { request: _object, ...fields } = seen!
  return fields
}

/** The compared part of a reply; the `date` value changes with time, so only its presence is kept. */
async function reply(served: Served) {
  expect(served.error ?? null).toBeNull()
  const r = served.reply!
  const { date, ...headers } = r.headers
  return {
    statusCode: r.statusCode,
    statusMessage: r.statusMessage,
    headers,
    date: date === undefined ? 'absent' : 'present',
    rawPayload: r.rawPayload,
    payload: r.payload,
    body: r.body,
    json: attempt(() => r.json()),
    cookies: r.cookies,
    trailers: r.trailers,
    streamed: Buffer.concat(await r.stream().toArray()),
  }
}

function attempt(f: () => unknown): { value: unknown } | { thrown: string } {
  try {
    return { value: f() }
  } catch (error) {
    return { thrown: `${(error as Error).name}: ${(error as Error).message}` }
  }
}

function named<T extends { name: string }>(table: T[], name: string): T {
  const found = table.find((entry) => entry.name === name)
  if (!found) throw new Error(`no case named ${name}`)
  return found
}

function failure(served: Served) {
  return {
    error: served.error ? { message: served.error.message, code: served.error.code } : null,
    reply: served.reply ?? null,
  }
}

/** Both engines, in order: [copy, published]. */
function both(options: () => Options, handler?: Handler): Promise<[Served, Served]> {
  return Promise.all([serve(vendored, options(), handler), serve(published as Engine, options(), handler)])
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

// Options are built per engine (thunks): an engine may mutate them, and a stream body can be read only once.
const requests: { name: string; options: () => Options }[] = [
  { name: 'GET with repeated query keys', options: () => ({ url: '/search?tag=a&tag=b&tag=c&q=x%20y&empty=&flag' }) },
  { name: 'query option merged into the url', options: () => ({ url: '/search?a=1&keep=k', query: { a: 'x', b: ['2', '3'] } }) },
  {
    name: 'POST with a Buffer body (bytes 0..255)',
    options: () => ({ method: 'POST', url: '/upload', headers: { 'content-type': 'application/octet-stream' }, payload: allBytes }),
  },
  {
    name: 'POST with a string body',
    options: () => ({ method: 'POST', url: '/text', headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: 'héllo wörld ✓ 𝄞' }),
  },
  { name: 'POST with an object body (JSON)', options: () => ({ method: 'POST', url: '/json', payload: { a: 1, b: ['é', null] } }) },
  { name: 'PUT with `body` instead of `payload`', options: () => ({ method: 'PUT', url: '/body', body: 'given as body' }) },
  { name: 'POST with a stream body', options: () => ({ method: 'POST', url: '/stream', payload: Readable.from([Buffer.from('one,'), Buffer.from('two')]) }) },
  {
    name: 'POST with its own content-length',
    options: () => ({ method: 'POST', url: '/cl', headers: { 'Content-Length': '5' }, payload: 'hello' }),
  },
  {
    name: 'header names in mixed case, an array-valued header',
    options: () => ({
      url: '/headers',
      headers: { 'X-Mixed-Case': 'v', 'CONTENT-TYPE': 'text/plain', 'User-Agent': 'test-agent/1', Accept: ['text/html', 'application/json'], 'x-num': 42 },
    }),
  },
  { name: 'a user-agent given as undefined', options: () => ({ url: '/', headers: { 'user-agent': undefined } }) },
  { name: 'HEAD', options: () => ({ method: 'HEAD', url: '/head' }) },
  { name: 'lowercase method', options: () => ({ method: 'delete', url: '/thing/1' }) },
  { name: 'no headers at all (default host and user-agent)', options: () => ({ url: '/' }) },
  { name: 'a host header given', options: () => ({ url: '/', headers: { Host: 'api.example.com' } }) },
  { name: 'an authority given', options: () => ({ url: '/', authority: 'auth.example.com:8443' }) },
  { name: 'a remoteAddress given', options: () => ({ url: '/', remoteAddress: '203.0.113.7' }) },
  { name: 'cookies given', options: () => ({ url: '/', headers: { cookie: 'a=1' }, cookies: { b: '2', c: 'x y' } }) },
  { name: 'an empty string body', options: () => ({ method: 'POST', url: '/empty', payload: '' }) },
  { name: 'an empty Buffer body', options: () => ({ method: 'POST', url: '/empty', payload: Buffer.alloc(0) }) },
  { name: 'percent-encoded bytes and non-ASCII already encoded', options: () => ({ url: '/caf%C3%A9/%E2%9C%93/%00?name=J%C3%BCrgen&x=%2F%3F%23&bad=%zz' }) },
  { name: 'an encoded slash', options: () => ({ url: '/a%2Fb/%2f' }) },
  { name: '`path` instead of `url`', options: () => ({ path: '/by-path?x=1' }) },
  // Not plain paths: both parse them with the WHATWG URL parser.
  { name: 'an absolute url', options: () => ({ url: 'http://example.com/x?y=1' }) },
  { name: 'an absolute https url with a port', options: () => ({ url: 'https://example.com:8443/x' }) },
  { name: 'a url with spaces', options: () => ({ url: '/a b/c?d e=f g' }) },
  { name: 'a url with a tab', options: () => ({ url: '/a\tb' }) },
  // Raw non-ASCII (a Node HTTP server answers 400 to it; an API gateway sends it encoded): percent-encoded by both.
  { name: 'a url with raw non-ASCII', options: () => ({ url: '/é?ü=1' }) },
  { name: 'a url starting with //', options: () => ({ url: '//double/slash' }) },
  { name: 'a relative url', options: () => ({ url: 'relative/path' }) },
  { name: 'a url object', options: () => ({ url: { pathname: '/obj', protocol: 'http:', hostname: 'example.org', port: 8080, query: { a: '1' } } }) },
]

describe('the app sees the same request through the copy and the published engine', () => {
  it.each(requests)('$name', async ({ options }) => {
    const [copy, original] = await both(options)
    expect(copy.error ?? null).toBeNull()
    expect(original.error ?? null).toBeNull()
    expect(request(copy.seen)).toEqual(request(original.seen))
  })

  it('reads the binary body byte for byte', async () => {
    const [copy] = await both(named(requests, 'POST with a Buffer body (bytes 0..255)').options)
    expect(copy.seen!.body.equals(allBytes)).toBe(true)
  })
})

// The copy keeps a plain path (one leading '/', printable ASCII only) as given, as Node's HTTP
// server gives it; the published engine sends it through the WHATWG URL parser (pathname + search).
const keptAsGiven: { url: string; published: string }[] = [
  // Dot segments: the reason for the change ('/public/%2e%2e/admin' must not route as '/admin').
  { url: '/a/%2e%2e/b', published: '/b' },
  { url: '/public/%2E%2E/admin', published: '/admin' },
  { url: '/a/../b', published: '/b' },
  { url: '/a/./b', published: '/a/b' },
  { url: '/a/b/..', published: '/a/' },
  // Same rule, other consequences (a Node HTTP server also gives these as sent).
  { url: '/a#frag', published: '/a' },
  { url: '/a?', published: '/a' },
  { url: '/a\\b', published: '/a/b' },
  { url: '/a"b<c>{d}`', published: '/a%22b%3Cc%3E%7Bd%7D%60' },
  { url: "/q?x='\"<>", published: '/q?x=%27%22%3C%3E' },
]

describe('a plain path is kept as given by the copy, resolved by the published engine', () => {
  it.each(keptAsGiven)('$url', async ({ url, published: resolved }) => {
    const [copy, original] = await both(() => ({ url }))
    expect(copy.seen!.url).toBe(url)
    expect(original.seen!.url).toBe(resolved)
    // Everything else is the same, default host included.
    expect({ ...request(copy.seen), url: undefined }).toEqual({ ...request(original.seen), url: undefined })
    expect(copy.seen!.headers.host).toBe('localhost:80')
  })
})

const replies: { name: string; handler: Handler }[] = [
  {
    name: 'JSON text',
    handler: (_req, res) => {
      res.setHeader('Content-Type', 'application/json; charset=utf-8')
      res.end(JSON.stringify({ a: 1, b: ['x', 'é', null], c: { d: true } }))
    },
  },
  {
    name: 'binary bytes (all 256 values) in several chunks',
    handler: (_req, res) => {
      res.setHeader('content-type', 'application/octet-stream')
      res.write(allBytes.subarray(0, 100))
      res.write(allBytes.subarray(100, 101))
      res.write(allBytes.subarray(101, 200))
      res.end(allBytes.subarray(200))
    },
  },
  {
    name: 'several Set-Cookie',
    handler: (_req, res) => {
      res.setHeader('Set-Cookie', [
        'a=1; Path=/; HttpOnly',
        'b=2; Max-Age=60; Secure; SameSite=Strict',
        'c=x%20y; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Domain=example.com',
      ])
      res.end('ok')
    },
  },
  {
    name: 'writeHead with a headers object',
    handler: (_req, res) => {
      res.setHeader('X-Before', 'set before writeHead')
      res.writeHead(201, 'Made It', { 'Content-Type': 'text/plain', 'X-Multi': ['1', '2'], Location: '/new', 'X-Num': 7 })
      res.end('made')
    },
  },
  {
    name: 'chunked, without content-length',
    handler: (_req, res) => {
      res.write('first,')
      res.write(Buffer.from('second,'))
      res.write('thïrd')
      res.end()
    },
  },
  {
    name: '204 with no body',
    handler: (_req, res) => {
      res.statusCode = 204
      res.end()
    },
  },
  {
    name: 'addTrailers',
    handler: (_req, res) => {
      res.setHeader('Trailer', 'X-Checksum, X-Count')
      res.write('data')
      res.addTrailers({ 'X-Checksum': ' abc ', 'X-Count': 3 })
      res.end()
    },
  },
  { name: 'an empty end()', handler: (_req, res) => res.end() },
  {
    name: 'a custom status and status message',
    handler: (_req, res) => {
      res.statusCode = 418
      res.statusMessage = 'Short And Stout'
      res.end('teapot')
    },
  },
  { name: 'a latin1 string given to end() with its encoding', handler: (_req, res) => res.end('caf\u00e9 \u00ff', 'latin1') },
  {
    name: 'invalid UTF-8 bytes (decoded to a string the same lossy way)',
    handler: (_req, res) => res.end(Buffer.from([0x61, 0xc3, 0x28, 0xff, 0xfe, 0x62])),
  },
  {
    name: 'content-length set by the app',
    handler: (_req, res) => {
      res.setHeader('Content-Length', 5)
      res.end('hello')
    },
  },
]

describe('the reply is the same through the copy and the published engine', () => {
  it.each(replies)('$name', async ({ handler }) => {
    const [copy, original] = await both(() => ({ url: '/reply' }), handler)
    expect(await reply(copy)).toEqual(await reply(original))
  })

  it('keeps the binary bytes and the chunk order', async () => {
    const [copy] = await both(() => ({ url: '/reply' }), named(replies, 'binary bytes (all 256 values) in several chunks').handler)
    expect(copy.reply!.rawPayload.equals(allBytes)).toBe(true)
  })

  it('reports the same for a HEAD request', async () => {
    const [copy, original] = await both(() => ({ method: 'HEAD', url: '/reply' }), named(replies, 'JSON text').handler)
    expect(await reply(copy)).toEqual(await reply(original))
  })
})

const failures: { name: string; handler: Handler }[] = [
  { name: 'res.destroy(error)', handler: (_req, res) => res.destroy(new Error('x')) },
  { name: 'res.destroy() without an error', handler: (_req, res) => res.destroy() },
  {
    name: 'res.destroy(error) after a partial write',
    handler: (_req, res) => {
      res.write('partial')
      res.destroy(new Error('broke off'))
    },
  },
  { name: 'the response socket destroyed with an error', handler: (_req, res) => res.socket!.destroy(new Error('socket gone')) },
  { name: 'an error emitted on the response', handler: (_req, res) => res.emit('error', new Error('emitted')) },
]

describe('a broken reply is reported the same way', () => {
  it.each(failures)('$name', async ({ handler }) => {
    const [copy, original] = await both(() => ({ url: '/broken' }), handler)
    expect(copy.error).toBeInstanceOf(Error)
    expect(failure(copy)).toEqual(failure(original))
  })

  it('res.destroy() without an error reports LIGHT_ECONNRESET', async () => {
    const [copy] = await both(() => ({ url: '/broken' }), named(failures, 'res.destroy() without an error').handler)
    expect(copy.error?.code).toBe('LIGHT_ECONNRESET')
  })
})

describe('the deliberate changes', () => {
  const ownShape = (object: object) =>
    Object.getOwnPropertyNames(object).map((name) => {
      const d = Object.getOwnPropertyDescriptor(object, name)!
      return { name, accessor: Boolean(d.get || d.set), fn: typeof d.value === 'function' ? d.value : undefined }
    })

  it('request.connection: a getter on the prototype in the copy, an own accessor in the published engine', async () => {
    const [copy, original] = await both(() => ({ url: '/' }))
    const copyReq = copy.seen!.request
    expect(Object.getOwnPropertyDescriptor(copyReq, 'connection')).toBeUndefined()
    expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(copyReq), 'connection')?.get).toBeTypeOf('function')
    expect(copyReq.connection).toBe(copyReq.socket)

    const originalReq = original.seen!.request
    expect(Object.getOwnPropertyDescriptor(originalReq, 'connection')?.get).toBeTypeOf('function')
  })

  it('requests of the copy all have the same own properties in the same order, none an accessor, no per-request function', async () => {
    const served = await Promise.all(requests.map(({ options }) => serve(vendored, options())))
    const shapes = served.map(({ seen }) => ownShape(seen!.request))
    const names = (shape: ReturnType<typeof ownShape>) => shape.map((p) => p.name)
    for (const shape of shapes) {
      expect(names(shape)).toEqual(names(shapes[0]))
      expect(shape.filter((p) => p.accessor)).toEqual([])
    }
    // The only own function is `_read`, shared by every request (one of two module functions), not a closure per request.
    const functions = shapes.map((shape) => shape.filter((p) => p.fn))
    expect(functions.map((fns) => fns.map((p) => p.name))).toEqual(shapes.map(() => ['_read']))
    expect(new Set(functions.map((fns) => fns[0].fn)).size).toBeLessThanOrEqual(2)
    const plain = functions.filter((_, i) => !requests[i].name.includes('stream'))
    expect(new Set(plain.map((fns) => fns[0].fn)).size).toBe(1)
  })

  it('replies of the copy share one prototype, payload/body/cookies/json are not own, no own accessor or function', async () => {
    const served = await Promise.all(replies.map(({ handler }) => serve(vendored, { url: '/reply' }, handler)))
    const prototypes = new Set(served.map(({ reply }) => Object.getPrototypeOf(reply)))
    expect(prototypes.size).toBe(1)
    expect([...prototypes][0]).not.toBe(Object.prototype)
    const names = served.map(({ reply }) => Object.getOwnPropertyNames(reply))
    for (const [i, { reply }] of served.entries()) {
      expect(names[i]).toEqual(names[0])
      for (const key of ['payload', 'body', 'cookies', 'json', 'stream']) {
        expect(Object.hasOwn(reply!, key), key).toBe(false)
        expect(key in reply!, key).toBe(true)
      }
      expect(ownShape(reply!).filter((p) => p.accessor || p.fn)).toEqual([])
    }
    expect(served[0].reply!.payload).toBeTypeOf('string')
  })

  it('replies of the published engine are object literals with their own payload, getter and closures', async () => {
    const [one, two] = await Promise.all([serve(published as Engine, { url: '/1' }), serve(published as Engine, { url: '/2' })])
    expect(Object.getPrototypeOf(one.reply)).toBe(Object.prototype)
    expect(Object.hasOwn(one.reply!, 'payload')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(one.reply!, 'cookies')?.get).toBeTypeOf('function')
    expect(one.reply!.json).not.toBe(two.reply!.json)
  })

  it('the copy has no option validator: options the published engine rejects are passed through', async () => {
    const options = () => ({ url: '/', method: 'BREW' }) as unknown as Options
    const [copy, original] = await both(options)
    expect(copy.error ?? null).toBeNull()
    expect(copy.seen!.method).toBe('BREW')
    expect(original.seen).toBeUndefined()
    expect(original.error?.message).toMatch(/allowed values/)
  })

  it('the copy still asserts that dispatch is a function', () => {
    expect(() => vendored('not a function' as unknown as DispatchFunc, { url: '/' }, () => {})).toThrow(/dispatchFunc should be a function/)
  })
})
