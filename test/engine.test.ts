/**
 * The bridge's engine (src/engine, derived from light-my-request 6.6.0) against the published light-my-request
 * 6.6.0 (devDependency): the same requests, served through both into the same recording app, must reach the
 * app as the same request and come back as the same reply, for everything the bridge relies on (docs/engine.md).
 * Where the engine differs on purpose (the URL kept as sent, no default headers or address, HTTPS, real
 * IncomingMessage/ServerResponse, no warning, HEAD and interim replies as a server sends them, its reset error)
 * the difference itself is asserted.
 */
import { createServer, request as httpRequest, IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import published from 'light-my-request'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type EngineReply, type EngineRequest, inject } from '../src/engine'

type Handler = (req: IncomingMessage, res: ServerResponse) => void
type Engine = 'engine' | 'published'

/** What the app saw of the request: `request` is the object itself, the rest is compared between engines. */
interface Seen {
  request: IncomingMessage
  response: ServerResponse
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
  reply: (Omit<EngineReply, 'headers'> & { headers: Record<string, unknown> }) | undefined
  error: (Error & { code?: string }) | undefined
}

const ends: Handler = (_req, res) => res.end()

/** A request as the bridge describes it (host and user-agent given, content-length set for a body). */
function described(overrides: Partial<EngineRequest> = {}): EngineRequest {
  const body = overrides.body
  return {
    method: 'GET',
    url: '/',
    remoteAddress: '203.0.113.7',
    body: undefined,
    ...overrides,
    headers: {
      host: 'api.example.com',
      'user-agent': 'test-agent/1',
      ...(body ? { 'content-length': String(body.length) } : {}),
      ...overrides.headers,
    },
  }
}

/**
 * Serves one request through `engine` into a recording app: it records the request, reads its body to the end,
 * then hands it to `handler`. Resolves with what the app saw and the reply or error the engine reported.
 */
function serve(engine: Engine, request: EngineRequest, handler: Handler = ends): Promise<Served> {
  return new Promise((resolve) => {
    let seen: Seen | undefined
    const dispatch = (req: IncomingMessage, res: ServerResponse) => {
      const record: Seen = {
        request: req,
        response: res,
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
    if (engine === 'engine') {
      inject(dispatch, request, {
        reply: (reply) => resolve({ seen, reply, error: undefined }),
        broken: (error) => resolve({ seen, reply: undefined, error }),
      })
      return
    }
    const { method, url, headers, body, remoteAddress } = request
    published(
      dispatch,
      { method: method as 'GET', url, headers, payload: body, remoteAddress, validate: false },
      (error, reply) =>
        resolve({
          seen,
          error: error ?? undefined,
          reply: reply
            ? {
                statusCode: reply.statusCode,
                statusMessage: reply.statusMessage,
                headers: reply.headers,
                body: reply.rawPayload,
              }
            : undefined,
        }),
    )
  })
}

type Serve = (dispatch: Handler, done: () => void) => void

/**
 * The order in which an app sees what it scheduled before reading (a tick, an immediate) and the body's
 * 'data' and 'end'. The immediate is awaited too, so the order is complete when the promise resolves.
 */
function orderOf(serveWith: Serve): Promise<string[]> {
  return new Promise((resolve) => {
    const order: string[] = []
    let pending = 2
    const done = () => {
      if (--pending === 0) resolve(order)
    }
    serveWith((req, res) => {
      setImmediate(() => {
        order.push('immediate')
        done()
      })
      process.nextTick(() => order.push('tick'))
      req.on('data', () => order.push('data'))
      req.on('end', () => {
        order.push('end')
        res.end()
      })
    }, done)
  })
}

/** A real server on 127.0.0.1 and one request to it with `body`, sent with its headers. */
function serveOverTcp(body: Buffer): Serve {
  return (dispatch, done) => {
    const server = createServer(dispatch)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST' }, (response) => {
        response.resume()
        response.on('end', () => server.close(() => done()))
      })
      request.end(body)
    })
  }
}

/** Both engines, in order: [engine, published]. */
const both = (request: EngineRequest, handler?: Handler) =>
  Promise.all([serve('engine', request, handler), serve('published', request, handler)])

/** The compared part of what the app saw. */
function request(served: Served) {
  expect(served.seen, 'the app was called').toBeDefined()
  const { request: _request, response: _response, body, ...fields } = served.seen!
  // As text: a deep comparison of a large Buffer goes element by element.
  return { ...fields, body: body.toString('base64') }
}

/** The compared part of a reply; the `date` value changes with time, so only its presence is kept. */
function reply(served: Served) {
  expect(served.error).toBeUndefined()
  const { date, ...headers } = served.reply!.headers
  return {
    ...served.reply!,
    headers,
    body: served.reply!.body.toString('base64'),
    date: date === undefined ? 'absent' : 'present',
  }
}

function named<T extends { name: string }>(table: T[], name: string): T {
  const found = table.find((entry) => entry.name === name)
  if (!found) throw new Error(`no case named ${name}`)
  return found
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

const requests: { name: string; request: EngineRequest }[] = [
  {
    name: 'GET with repeated query keys',
    request: described({ url: '/search?tag=a&tag=b&tag=c&q=x%20y&empty=&flag' }),
  },
  {
    name: 'POST with a binary body (bytes 0..255)',
    request: described({
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': 'application/octet-stream' },
      body: allBytes,
    }),
  },
  {
    name: 'POST with a UTF-8 text body',
    request: described({
      method: 'POST',
      url: '/text',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from('héllo wörld ✓ 𝄞'),
    }),
  },
  { name: 'a large body (1 MiB)', request: described({ method: 'PUT', url: '/big', body: Buffer.alloc(1 << 20, 7) }) },
  { name: 'POST without a body', request: described({ method: 'POST', url: '/empty' }) },
  {
    name: 'many headers, in the given order, values with Latin-1 bytes',
    request: described({
      url: '/headers',
      headers: {
        accept: 'text/html, application/json',
        cookie: 'a=1; b=2',
        'x-latin1': 'caf\u00e9',
        'x-empty': '',
        'x-forwarded-for': '198.51.100.1, 203.0.113.7',
      },
    }),
  },
  { name: 'HEAD', request: described({ method: 'HEAD', url: '/head' }) },
  { name: 'DELETE', request: described({ method: 'DELETE', url: '/thing/1' }) },
  { name: 'a method of its own', request: described({ method: 'PURGE', url: '/cache' }) },
  { name: 'no remote address known, the bridge passes none', request: described({ remoteAddress: '2001:db8::1' }) },
  {
    name: 'percent-encoded bytes and non-ASCII already encoded',
    request: described({ url: '/caf%C3%A9/%E2%9C%93/%00?name=J%C3%BCrgen&x=%2F%3F%23&bad=%zz' }),
  },
  { name: 'an encoded slash', request: described({ url: '/a%2Fb/%2f' }) },
]

describe('the app sees the same request through the engine and the published light-my-request', () => {
  it.each(requests)('$name', async ({ request: given }) => {
    const [engine, original] = await both(given)
    expect(engine.error).toBeUndefined()
    expect(original.error).toBeUndefined()
    expect(request(engine)).toEqual(request(original))
  })

  it('reads the binary body byte for byte', async () => {
    const [engine] = await both(named(requests, 'POST with a binary body (bytes 0..255)').request)
    expect(engine.seen!.body.equals(allBytes)).toBe(true)
  })
})

// The engine keeps every URL as given, as Node's HTTP server gives the request line; the published engine
// sends it through the WHATWG URL parser (pathname + search), which resolves dot segments and re-encodes.
const keptAsGiven: { url: string; published: string }[] = [
  // Dot segments: '/public/%2e%2e/admin' must not route as '/admin' past a gateway's path rules.
  { url: '/a/%2e%2e/b', published: '/b' },
  { url: '/public/%2E%2E/admin', published: '/admin' },
  { url: '/a/../b', published: '/b' },
  { url: '/a/./b', published: '/a/b' },
  { url: '/a/b/..', published: '/a/' },
  { url: '/a#frag', published: '/a' },
  { url: '/a?', published: '/a' },
  { url: '/a\\b', published: '/a/b' },
  { url: '/a"b<c>{d}`', published: '/a%22b%3Cc%3E%7Bd%7D%60' },
  { url: '/q?x=\'"<>', published: '/q?x=%27%22%3C%3E' },
  // Not plain paths: the bundled copy parsed these, the bridge then set the URL back as sent.
  { url: '/a b/%2e%2e/admin', published: '/admin' },
  { url: '/é?ü=1', published: '/%C3%A9?%C3%BC=1' },
]

describe('deliberate difference: the URL is kept exactly as given', () => {
  it.each(keptAsGiven)('$url', async ({ url, published: resolved }) => {
    const [engine, original] = await both(described({ url }))
    expect(engine.seen!.url).toBe(url)
    expect(original.seen!.url).toBe(resolved)
    expect({ ...request(engine), url: undefined }).toEqual({ ...request(original), url: undefined })
  })
})

describe('deliberate differences in the request', () => {
  it('adds no header: no user-agent, no host (the published engine adds lightMyRequest and localhost:80)', async () => {
    const bare: EngineRequest = {
      method: 'GET',
      url: '/',
      headers: { accept: '*/*' },
      body: undefined,
      remoteAddress: '203.0.113.7',
    }
    const [engine, original] = await both(bare)
    expect(engine.seen!.headers).toEqual({ accept: '*/*' })
    expect(engine.seen!.rawHeaders).toEqual(['accept', '*/*'])
    expect(original.seen!.headers).toEqual({ accept: '*/*', 'user-agent': 'lightMyRequest', host: 'localhost:80' })
  })

  it('adds no content-length: the headers are the ones given', async () => {
    const [engine, original] = await both({ ...described({ method: 'POST' }), body: Buffer.from('abc') })
    expect(engine.seen!.headers['content-length']).toBeUndefined()
    expect(engine.seen!.body.toString()).toBe('abc')
    expect(original.seen!.headers['content-length']).toBe('3')
  })

  it('an unknown caller has no address (the published engine says 127.0.0.1)', async () => {
    const [engine, original] = await both(described({ remoteAddress: undefined }))
    expect(engine.seen!.remoteAddress).toBeUndefined()
    expect(original.seen!.remoteAddress).toBe('127.0.0.1')
  })

  it('secure: the socket says encrypted, as a TLS socket does; plain HTTP has no encrypted member', async () => {
    const [secure, plain] = await Promise.all([
      serve('engine', described({ secure: true })),
      serve('engine', described()),
    ])
    expect((secure.seen!.request.socket as { encrypted?: boolean }).encrypted).toBe(true)
    expect('encrypted' in plain.seen!.request.socket).toBe(false)
  })

  it('the request is a plain http.IncomingMessage and the response a plain http.ServerResponse, on one socket', async () => {
    const [engine, original] = await both(described())
    const { request: req, response: res } = engine.seen!
    expect(Object.getPrototypeOf(req)).toBe(IncomingMessage.prototype)
    expect(Object.getPrototypeOf(res)).toBe(ServerResponse.prototype)
    expect(res.socket).toBe(req.socket)
    expect(req.complete).toBe(true)
    expect(original.seen!.request).not.toBeInstanceOf(IncomingMessage)
    expect(original.seen!.response.socket).not.toBe(original.seen!.request.socket)
  })

  it('reading request.connection emits no warning (the published engine emits a deprecation warning)', async () => {
    const warn = vi.spyOn(process, 'emitWarning')
    try {
      const served = await serve('engine', described())
      expect(served.seen!.connectionIsSocket).toBe(true)
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
  })

  it('the body arrives as it does from a network with the headers: before an immediate the app scheduled, as on a real server (the published engine delivers it after)', async () => {
    const body = Buffer.from('x')
    const [engine, server, original] = await Promise.all([
      orderOf((dispatch, done) => inject(dispatch, described({ method: 'POST', body }), { reply: done, broken: done })),
      orderOf(serveOverTcp(body)),
      orderOf((dispatch, done) =>
        published(dispatch, { method: 'POST', url: '/', payload: body, validate: false }, () => done()),
      ),
    ])
    expect(server).toEqual(['tick', 'data', 'end', 'immediate'])
    expect(engine).toEqual(server)
    expect(original).toEqual(['tick', 'immediate', 'data', 'end'])
  })
})

// `ended`: the app ends with the whole body in end(data). Node then frames the reply with its length; the
// published engine writes the data itself before ending, so Node frames it as chunked there.
const replies: { name: string; handler: Handler; ended?: true }[] = [
  {
    name: 'JSON text',
    ended: true,
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
    ended: true,
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
      res.writeHead(201, 'Made It', {
        'Content-Type': 'text/plain',
        'X-Multi': ['1', '2'],
        Location: '/new',
        'X-Num': 7,
      })
      res.end('made')
    },
  },
  {
    name: 'writeHead with headers and nothing set before',
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-only': 'here' })
      res.end('only')
    },
  },
  {
    name: 'chunked, without content-length, strings and buffers',
    handler: (_req, res) => {
      res.write('first,')
      res.write(Buffer.from('second,'))
      res.write(new Uint8Array([0x74, 0x68]))
      res.write('ïrd')
      res.end()
    },
  },
  {
    name: 'chunked, corked writes flushed together',
    handler: (_req, res) => {
      res.write('head,')
      res.cork()
      res.write('one,')
      res.write(Buffer.from('two,'))
      res.write('three')
      res.uncork()
      res.end(',end')
    },
  },
  {
    name: 'chunked, large writes (3 x 100 kB), hex and base64 strings',
    handler: (_req, res) => {
      for (let i = 0; i < 3; i++) res.write(Buffer.alloc(100_000, i + 1))
      res.write('68656c6c6f', 'hex')
      res.end('IHdvcmxk', 'base64')
    },
  },
  {
    name: 'flushHeaders, then the body',
    handler: (_req, res) => {
      res.setHeader('content-type', 'text/plain')
      res.flushHeaders()
      res.write('after ')
      res.end('flush')
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
    name: 'trailers (the body is the same; trailers are not part of an integrated response)',
    handler: (_req, res) => {
      res.setHeader('Trailer', 'X-Checksum')
      res.write('data')
      res.addTrailers({ 'X-Checksum': 'abc' })
      res.end('more')
    },
  },
  { name: 'an empty end()', handler: (_req, res) => res.end() },
  {
    name: 'a custom status and status message',
    ended: true,
    handler: (_req, res) => {
      res.statusCode = 418
      res.statusMessage = 'Short And Stout'
      res.end('teapot')
    },
  },
  {
    name: 'a latin1 string given to end() with its encoding',
    ended: true,
    handler: (_req, res) => res.end('caf\u00e9 \u00ff', 'latin1'),
  },
  {
    name: 'invalid UTF-8 bytes',
    ended: true,
    handler: (_req, res) => res.end(Buffer.from([0x61, 0xc3, 0x28, 0xff, 0xfe, 0x62])),
  },
  {
    name: 'content-length set by the app',
    handler: (_req, res) => {
      res.setHeader('Content-Length', 5)
      res.end('hello')
    },
  },
  {
    name: 'a write after end() is not part of the reply',
    ended: true,
    handler: (_req, res) => {
      res.on('error', () => {})
      res.end('one')
      res.write('two')
    },
  },
]

/**
 * The engine's reply against the published one's. `ended`: the one deliberate difference, the framing Node
 * chose for end(data) (a length, which is not among the reply's headers, where the published engine says chunked).
 */
function sameReply(engine: Served, original: Served, ended: boolean | undefined) {
  const expected = reply(original)
  if (ended) {
    expect(expected.headers['transfer-encoding']).toBe('chunked')
    expect(engine.reply!.headers['transfer-encoding']).toBeUndefined()
    delete expected.headers['transfer-encoding']
  }
  expect(reply(engine)).toEqual(expected)
}

describe('the reply is the same through the engine and the published light-my-request', () => {
  it.each(replies)('$name', async ({ handler, ended }) => {
    const [engine, original] = await both(described({ url: '/reply' }), handler)
    sameReply(engine, original, ended)
  })

  it('keeps the binary bytes and the chunk order', async () => {
    const [engine] = await both(described(), named(replies, 'binary bytes (all 256 values) in several chunks').handler)
    expect(engine.reply!.body.equals(allBytes)).toBe(true)
  })

  it('unchunks exactly: the corked and the large bodies', async () => {
    const [corked] = await both(described(), named(replies, 'chunked, corked writes flushed together').handler)
    expect(corked.reply!.body.toString()).toBe('head,one,two,three,end')
    expect(corked.reply!.headers['transfer-encoding']).toBe('chunked')
    const [large] = await both(
      described(),
      named(replies, 'chunked, large writes (3 x 100 kB), hex and base64 strings').handler,
    )
    expect(large.reply!.body.length).toBe(300_000 + 'hello world'.length)
    expect(large.reply!.body.subarray(300_000).toString()).toBe('hello world')
  })
})

describe('deliberate differences in the reply', () => {
  it('HEAD: no body, as Node sends none (the published engine keeps what the app wrote)', async () => {
    const [engine, original] = await both(described({ method: 'HEAD' }), named(replies, 'JSON text').handler)
    expect(engine.reply!.body.length).toBe(0)
    expect(original.reply!.body.length).toBeGreaterThan(0)
    original.reply!.body = engine.reply!.body
    sameReply(engine, original, false)
  })

  it('an interim 100 Continue is left out of the reply', async () => {
    const handler: Handler = (_req, res) => {
      res.writeContinue()
      res.setHeader('content-type', 'text/plain')
      res.end('final')
    }
    const [engine, original] = await both(described(), handler)
    expect(engine.reply!.body.toString()).toBe('final')
    sameReply(engine, original, true)
  })

  it('the reply is a plain object with the same keys every time, no function of its own', async () => {
    const served = await Promise.all(replies.map(({ handler }) => serve('engine', described(), handler)))
    for (const { reply } of served) {
      expect(Object.getPrototypeOf(reply)).toBe(Object.prototype)
      expect(Object.keys(reply!)).toEqual(['statusCode', 'statusMessage', 'headers', 'body'])
    }
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
  {
    name: 'the response socket destroyed with an error',
    handler: (_req, res) => res.socket!.destroy(new Error('socket gone')),
  },
  { name: 'an error emitted on the response', handler: (_req, res) => res.emit('error', new Error('emitted')) },
]

describe('a broken reply is reported the same way', () => {
  it.each(failures)('$name', async ({ handler }) => {
    const [engine, original] = await both(described({ url: '/broken' }), handler)
    expect(engine.error).toBeInstanceOf(Error)
    expect(engine.reply).toBeUndefined()
    expect(original.reply).toBeUndefined()
    if (original.error?.code === 'LIGHT_ECONNRESET') {
      // Deliberate: the engine names it as a socket does.
      expect(engine.error?.code).toBe('ECONNRESET')
    } else {
      expect({ message: engine.error?.message, code: engine.error?.code }).toEqual({
        message: original.error?.message,
        code: original.error?.code,
      })
    }
  })

  it('the request socket destroyed breaks the reply off, as on a real connection (the published one has no destroy())', async () => {
    const engine = await serve('engine', described(), (req) => req.socket.destroy())
    expect(engine.error?.code).toBe('ECONNRESET')
    expect(engine.seen!.response.destroyed).toBe(true)
    let destroy: unknown
    await serve('published', described(), (req, res) => {
      destroy = (req.socket as { destroy?: unknown }).destroy
      res.end()
    })
    expect(destroy).toBeUndefined()
  })

  it('the response closes after the reply, and an error after it is neither reported nor thrown', async () => {
    const events: string[] = []
    const served = await serve('engine', described(), (_req, res) => {
      res.on('finish', () => events.push('finish'))
      res.on('close', () => {
        events.push('close')
        res.emit('error', new Error('late'))
      })
      res.end('done')
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(served.reply!.body.toString()).toBe('done')
    expect(events).toEqual(['finish', 'close'])
  })

  it('a throw from dispatch reaches the caller', () => {
    expect(() =>
      inject(
        () => {
          throw new Error('sync')
        },
        described(),
        { reply() {}, broken() {} },
      ),
    ).toThrow('sync')
  })
})

describe('per-request objects carry no function of their own', () => {
  afterEach(() => vi.restoreAllMocks())

  it('request, response, socket and collector: the same own properties every time, no function made for one request', async () => {
    const served = await Promise.all(requests.map(({ request: given }) => serve('engine', given)))
    const shape = (object: object) => Reflect.ownKeys(object).map(String)
    const functions = (object: object) =>
      Reflect.ownKeys(object)
        .filter((key) => typeof Object.getOwnPropertyDescriptor(object, key)?.value === 'function')
        .map(String)
    const objects = ({ seen }: Served) => {
      const socket = seen!.request.socket as unknown as { collector: object }
      return { request: seen!.request, response: seen!.response, socket, collector: socket.collector }
    }
    const first = objects(served[0])
    for (const one of served) {
      const these = objects(one)
      for (const name of Object.keys(these) as (keyof typeof these)[]) {
        expect(shape(these[name]), name).toEqual(shape(first[name]))
        // Node's own shared no-op (`_onPendingData`) is the only own function, the same on every response.
        for (const key of functions(these[name]))
          expect((these[name] as Record<string, unknown>)[key], `${name}.${key}`).toBe(
            (first[name] as Record<string, unknown>)[key],
          )
        expect(
          functions(these[name]).filter((key) => key !== '_onPendingData'),
          name,
        ).toEqual([])
      }
    }
  })
})
