import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolve } from 'node:path'
import Hapi from '@hapi/hapi'
import Fastify from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'
import { express4, express5, Koa3 } from './support'

// A header or status Node refuses (a name that is not a token, a value with CR, LF, NUL or text past Latin-1,
// a Symbol, an object that throws when made a string, a status outside 100-999) makes setHeader, writeHead,
// write or end throw. Wherever that throw lands (the bridge's own final handler, the engine, a framework, a
// timer of the app), the invocation is answered at once with a 500 and a log line, never left to its deadline;
// the next invocation is served. Every context here tells a deadline a minute away: a request left hanging
// fails the test by its timeout.

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
beforeEach(() => errorLog.mockClear())
afterAll(() => errorLog.mockRestore())

const lines = (): Array<{ message: string; xRequestId?: string; error?: string }> =>
  errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])))

const context = () => scfContext({ getRemainingTimeInMillis: () => 60_000 }) as never
const get = (path: string) => httpEvent({ path }) as never

interface BadHeader {
  label: string
  name: string
  value: unknown
}

const unprintable = { toString: () => Symbol('not a string') as unknown as string }
const throwing = {
  toString(): string {
    throw new Error('no string for you')
  },
}

const badHeaders: BadHeader[] = [
  { label: 'a value with LF', name: 'x-a', value: 'a\nb' },
  { label: 'a value with CR LF and a header after it', name: 'x-a', value: 'a\r\nset-cookie: x=1' },
  { label: 'a value with NUL', name: 'x-a', value: 'a\u0000b' },
  { label: 'a value past Latin-1', name: 'x-a', value: '中文' },
  { label: 'a name with a space', name: 'bad name', value: 'v' },
  { label: 'an empty name', name: '', value: 'v' },
  { label: 'a name past ASCII', name: 'x-é', value: 'v' },
  { label: 'an undefined value', name: 'x-a', value: undefined },
  { label: 'a Symbol value', name: 'x-a', value: Symbol('s') },
  { label: 'an object whose toString throws', name: 'x-a', value: throwing },
  { label: 'an object whose toString returns no string', name: 'x-a', value: unprintable },
]

/** Frameworks that make a value a string themselves (String(value)) before Node sees it: a Symbol becomes valid text. */
const stringified = badHeaders.filter(({ value }) => typeof value !== 'symbol' && value !== undefined)
/** Where an empty header name is skipped rather than refused (writeHead's headers object, Koa's set()). */
const named = (headers: BadHeader[]) => headers.filter(({ name }) => name !== '')

const badStatuses: unknown[] = [1000, 0, 99, -1, 'abc', Number.NaN]

interface Place {
  name: string
  /** An app that answers /ok with 'ok' and sets the bad header on /bad. */
  app: (bad: BadHeader) => unknown
  headers: BadHeader[]
  /** The framework answers the failure with its own 500 without telling the bridge (hapi): no bridge line. */
  silent?: boolean
}

function expressErrorHeaders(express: typeof express5) {
  return (bad: BadHeader) => {
    const app = express()
    app.get('/ok', (_req, res) => res.send('ok'))
    app.get('/bad', (_req, _res, next) =>
      next(Object.assign(new Error('upstream down'), { status: 503, headers: { [bad.name]: bad.value } })),
    )
    return app
  }
}

function koaApp(set: (ctx: any, bad: BadHeader) => void) {
  return (bad: BadHeader) => {
    const app = new Koa3()
    app.use(async (ctx) => {
      if (ctx.path === '/bad') set(ctx, bad)
      ctx.body = 'ok'
    })
    return app
  }
}

const places: Place[] = [
  {
    name: 'Express 5: the `headers` of an error passed to next()',
    app: expressErrorHeaders(express5),
    headers: badHeaders,
  },
  {
    name: 'Express 4: the `headers` of an error passed to next()',
    app: expressErrorHeaders(express4 as unknown as typeof express5),
    headers: badHeaders,
  },
  {
    name: 'Express 5: res.set() in a route',
    app: (bad) => {
      const app = express5()
      app.get('/ok', (_req, res) => res.send('ok'))
      app.get('/bad', (_req, res) => res.set(bad.name, bad.value as string).send('ok'))
      return app
    },
    headers: stringified,
  },
  {
    name: 'a (req, res) listener: setHeader()',
    app: (bad) => (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/bad') res.setHeader(bad.name, bad.value as string)
      res.end('ok')
    },
    headers: badHeaders,
  },
  {
    name: 'a (req, res) listener: writeHead() with headers',
    app: (bad) => (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/bad') res.writeHead(200, { [bad.name]: bad.value as string })
      res.end('ok')
    },
    headers: named(badHeaders),
  },
  {
    name: 'an async (req, res) listener: setHeader() after an await',
    app: (bad) => async (req: IncomingMessage, res: ServerResponse) => {
      await new Promise((done) => setImmediate(done))
      if (req.url === '/bad') res.setHeader(bad.name, bad.value as string)
      res.end('ok')
    },
    headers: badHeaders,
  },
  { name: 'Koa: ctx.set()', app: koaApp((ctx, bad) => ctx.set(bad.name, bad.value)), headers: named(stringified) },
  {
    name: 'Koa: the `headers` of a thrown error',
    app: koaApp((ctx, bad) =>
      ctx.throw(Object.assign(new Error('upstream down'), { status: 503, headers: { [bad.name]: bad.value } })),
    ),
    headers: named(stringified),
  },
  {
    name: 'Fastify: reply.header()',
    app: (bad) => {
      const app = Fastify()
      app.get('/ok', async () => 'ok')
      app.get('/bad', (_request, reply) => {
        reply.header(bad.name, bad.value).send('ok')
      })
      return app
    },
    headers: badHeaders.filter(({ name, value }) => name !== '' && value !== undefined),
  },
  {
    name: 'hapi: h.response().header()',
    app: (bad) => {
      const server = Hapi.server()
      server.route({ method: 'GET', path: '/ok', handler: () => 'ok' })
      server.route({
        method: 'GET',
        path: '/bad',
        handler: (_request, h) => h.response('ok').header(bad.name, bad.value as string),
      })
      return server
    },
    headers: named(stringified),
    // hapi answers a reply it could not write with its own 500 and reports it on its 'request' event's
    // 'error' channel only, after the reply: the app's to log (docs/errors-and-logging.md).
    silent: true,
  },
]

async function expectAnswered500(handler: ReturnType<typeof bridge>, silent = false): Promise<void> {
  const response = await handler(get('/bad'), context())
  expect(response.statusCode).toBe(500)
  const logged = lines()
  if (silent) expect(logged).toEqual([])
  else {
    expect(logged.length).toBeGreaterThan(0)
    for (const line of logged) expect(line.xRequestId).toBe('gw-req-1')
    expect(logged.map((line) => line.message)).toContainEqual(
      expect.stringMatching(/^the app failed$|^the reply could not be converted for SCF$/),
    )
  }
  const next = await handler(get('/ok'), context())
  expect(next).toMatchObject({ statusCode: 200, body: 'ok' })
}

describe.each(places)('$name', ({ app, headers, silent }) => {
  it.each(headers)('$label: 500 at once, logged, then serves', async (bad) => {
    await expectAnswered500(bridge(app(bad)), silent)
  })
})

describe('a status Node refuses', () => {
  it.each(badStatuses)('%s set on a (req, res) listener: 500 at once, then serves', async (status) => {
    const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/bad') res.statusCode = status as number
      res.end('ok')
    })
    await expectAnswered500(handler)
  })

  it.each(badStatuses)('%s through Express 4 res.status(): 500 at once, then serves', async (status) => {
    const app = express4()
    app.get('/ok', (_req, res) => res.send('ok'))
    app.get('/bad', (_req, res) => res.status(status as number).send('ok'))
    await expectAnswered500(bridge(app))
  })
})

describe('inside the engine', () => {
  it('a header value that reads as text when the head is written and throws when read again: 500, logged', async () => {
    const value = {
      broken: false,
      toString(): string {
        if (this.broken) throw new Error('no longer a string')
        return 'v'
      },
    }
    const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== '/bad') return void res.end('ok')
      res.setHeader('x-a', value as unknown as string)
      res.end('ok')
      value.broken = true
    })
    const response = await handler(get('/bad'), context())
    expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
    expect(lines().map((line) => [line.message, line.error])).toEqual([
      ['the reply could not be converted for SCF', 'Error: no longer a string'],
    ])
    expect((await handler(get('/ok'), context())).statusCode).toBe(200)
  })

  it('a write callback that throws before the reply is complete: 500, logged', async () => {
    const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== '/bad') return void res.end('ok')
      res.write('partial', () => {
        throw new Error('callback failure')
      })
    })
    const response = await handler(get('/bad'), context())
    expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
    expect(response.body).not.toContain('partial')
    expect(lines().map((line) => [line.message, line.error])).toEqual([['the app failed', 'Error: callback failure']])
  })
})

describe('from a timer or a stream of the app, in a process that survives uncaught exceptions', () => {
  const dist = resolve(__dirname, '../../dist/index.js')
  // What would be an uncaught exception: the runtime's handler (here, the script's) keeps the process alive,
  // and the bridge, which observes it, answers the invocation it came from at once.
  const script = `
    process.on('uncaughtException', () => {})
    const { Readable } = require('node:stream')
    const { bridge } = require(${JSON.stringify(dist)})
    const context = { request_id: 'inv-1', getRemainingTimeInMillis: () => 60000 }
    const cases = {
      'writeHead from a timer, a value with LF': (res) => setImmediate(() => res.writeHead(200, { 'x-a': 'a\\nb' }).end('ok')),
      'setHeader from a timer, a Symbol': (res) => setTimeout(() => res.setHeader('x-a', Symbol('s')), 1),
      'end() from a timer, status 1000': (res) => setImmediate(() => { res.statusCode = 1000; res.end('ok') }),
      'a stream piped into a response with status 0': (res) => { res.statusCode = 0; Readable.from(['a', 'b']).pipe(res) },
    }
    ;(async () => {
      const results = {}
      for (const name of Object.keys(cases)) {
        const handler = bridge((req, res) => cases[name](res))
        const event = { httpMethod: 'GET', path: '/bad', headers: {}, requestContext: { sourceIp: '1.2.3.4' } }
        const response = await handler(event, context)
        results[name] = response.statusCode
      }
      process.stdout.write(JSON.stringify(results) + '\\n')
      process.exit(0)
    })()
  `

  it.skipIf(!existsSync(dist))('each is answered 500 with a log line', () => {
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(run.stdout).not.toBe('')
    const results = JSON.parse(run.stdout) as Record<string, number>
    expect(Object.values(results)).toEqual([500, 500, 500, 500])
    const messages = run.stderr
      .split('\n')
      .filter((line) => line.includes('"source":"scf-bridge"'))
      .map((line) => JSON.parse(line).message)
    expect(messages).toEqual(['the app failed', 'the app failed', 'the app failed', 'the app failed'])
  })
})
