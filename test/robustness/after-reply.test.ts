import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolve } from 'node:path'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge, type IntegratedResponse } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'
import { express4, express5, Koa2, Koa3 } from './support'

// A failure of the app after its reply was complete (a stray rejection, an async route that throws, next(err),
// an 'error' on the request or the response, Koa's ctx.onerror, a throwing 'finish' or 'close' listener) leaves
// the reply alone, is never handed to onError, and is logged once with the request id: under app.listen()
// the framework would log it or Node would crash. Each app below answers 'ok', then fails in one of these ways
// and calls `failed()` once it has.

const SECRET = 'tok-after-reply-5ecret'

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
beforeEach(() => errorLog.mockClear())
afterAll(() => errorLog.mockRestore())

interface Line {
  message: string
  requestId?: string
  xRequestId?: string
  path?: string
  error?: string
  stack?: string
  status?: number
}

const lines = (): Line[] => errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])) as Line)

const turn = () => new Promise<void>((done) => setImmediate(done))

/** Resolves once the app said it failed, and the failure had some turns of the event loop to be reported. */
async function settledFailure(failed: Promise<void>): Promise<void> {
  await failed
  for (let i = 0; i < 5; i++) await turn()
}

type Fail = () => void

interface Case {
  name: string
  /** The error message the app fails with (Node's own for a write after end()). */
  message: string
  /** Builds the app; `failed` is called once the failure happened. */
  app: (failed: Fail) => unknown
}

const LATE = 'late failure'

function listener(fn: (req: IncomingMessage, res: ServerResponse, failed: Fail) => unknown) {
  return (failed: Fail) => (req: IncomingMessage, res: ServerResponse) => fn(req, res, failed)
}

const cases: Case[] = [
  {
    name: 'a stray rejection after res.end() (Express 4 route)',
    message: LATE,
    app: (failed) => {
      const app = express4()
      app.get('/late', (_req, res) => {
        res.send('ok')
        setImmediate(() => {
          Promise.reject(new Error(LATE))
          setImmediate(failed)
        })
      })
      return app
    },
  },
  {
    name: 'an Express 5 async route that throws after res.send()',
    message: LATE,
    app: (failed) => {
      const app = express5()
      app.get('/late', async (_req, res) => {
        res.send('ok')
        await turn()
        setImmediate(failed)
        throw new Error(LATE)
      })
      return app
    },
  },
  ...[
    ['Express 4', express4],
    ['Express 5', express5],
  ].map(
    ([name, express]): Case => ({
      name: `next(err) after res.send() (${name})`,
      message: LATE,
      app: (failed) => {
        const app = (express as typeof express5)()
        app.get('/late', (_req, res, next) => {
          res.send('ok')
          setImmediate(() => {
            next(new Error(LATE))
            failed()
          })
        })
        return app
      },
    }),
  ),
  {
    name: 'a rejected dispatch promise (an async listener that throws after res.end())',
    message: LATE,
    app: listener(async (_req, res, failed) => {
      res.end('ok')
      await turn()
      setImmediate(failed)
      throw new Error(LATE)
    }),
  },
  {
    name: "an 'error' emitted on the response after the reply",
    message: LATE,
    app: listener((_req, res, failed) => {
      res.end('ok')
      setImmediate(() => {
        res.emit('error', new Error(LATE))
        failed()
      })
    }),
  },
  {
    name: 'a write after end(), which Node reports as an error on the response',
    message: 'write after end',
    app: listener((_req, res, failed) => {
      res.end('ok')
      res.write('more')
      setImmediate(failed)
    }),
  },
  {
    name: "an 'error' emitted on the request after the reply, that the app does not listen to",
    message: LATE,
    app: listener((req, res, failed) => {
      res.end('ok')
      setImmediate(() => {
        req.emit('error', new Error(LATE))
        failed()
      })
    }),
  },
  {
    name: "a 'finish' listener that throws",
    message: LATE,
    app: listener((_req, res, failed) => {
      res.on('finish', () => {
        setImmediate(failed)
        throw new Error(LATE)
      })
      res.end('ok')
    }),
  },
  {
    name: "a 'close' listener that throws",
    message: LATE,
    app: listener((_req, res, failed) => {
      res.on('close', () => {
        setImmediate(failed)
        throw new Error(LATE)
      })
      res.end('ok')
    }),
  },
  ...[
    ['Koa 3', Koa3],
    ['Koa 2', Koa2],
  ].map(
    ([name, Koa]): Case => ({
      name: `ctx.onerror after Koa responded (${name})`,
      message: LATE,
      app: (failed) => {
        const app = new (Koa as typeof Koa3)()
        app.use(async (ctx) => {
          ctx.body = 'ok'
          ctx.res.on('finish', () =>
            setImmediate(() => {
              ctx.onerror(new Error(LATE))
              failed()
            }),
          )
        })
        return app
      },
    }),
  ),
  {
    name: 'a stray rejection after a fetch app returned its Response (Hono)',
    message: LATE,
    app: (failed) => {
      const app = new Hono()
      app.get('/late', (c) => {
        setImmediate(() => {
          Promise.reject(new Error(LATE))
          setImmediate(failed)
        })
        return c.text('ok')
      })
      return app
    },
  },
  {
    name: 'a stray rejection after Fastify sent its reply',
    message: LATE,
    app: (failed) => {
      const app = Fastify()
      app.get('/late', (_request, reply) => {
        reply.send('ok')
        setImmediate(() => {
          Promise.reject(new Error(LATE))
          setImmediate(failed)
        })
      })
      return app
    },
  },
]

const event = () =>
  httpEvent({ path: '/late', query: { token: SECRET }, headers: { authorization: `Bearer ${SECRET}` } }) as never

describe.each(cases)('$name', ({ message, app }) => {
  it('keeps the reply, does not call onError, logs it once with the request id and without a stack', async () => {
    let failed!: Fail
    const failure = new Promise<void>((done) => (failed = done))
    const onError = vi.fn(() => undefined)
    const handler = bridge(app(failed), { onError })
    const response = (await handler(event(), scfContext())) as IntegratedResponse
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('ok')
    await settledFailure(failure)
    expect(onError).not.toHaveBeenCalled()
    expect(lines()).toEqual([
      {
        level: 'error',
        source: 'scf-bridge',
        message: 'the app failed after its reply was complete',
        requestId: 'aa7b70e6-0000-4000-8000-000000000001',
        xRequestId: 'gw-req-1',
        method: 'GET',
        path: '/late',
        error: `Error: ${message}`,
      },
    ])
    expect(JSON.stringify(errorLog.mock.calls)).not.toContain(SECRET)
  })
})

describe('one failure, one report; a bounded number of lines', () => {
  it('a failure before the reply goes to onError once; a later one is logged, not handed to onError', async () => {
    let failed!: Fail
    const failure = new Promise<void>((done) => (failed = done))
    const early = new Error('early failure')
    const app = express5()
    app.get('/late', async (_req, _res, next) => {
      next(early)
      await turn()
      Promise.reject(early)
      Promise.reject(new Error(LATE))
      setImmediate(failed)
    })
    const onError = vi.fn(() => undefined)
    const response = await bridge(app, { onError })(event(), scfContext())
    expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
    await settledFailure(failure)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]).toContain(early)
    // The bridge's 500 was the answer: the early failure was onError's to log, the late one is the bridge's.
    expect(lines().map((line) => [line.message, line.error])).toEqual([
      ['the app failed after the request was answered', `Error: ${LATE}`],
    ])
  })

  it('the same error reported again after the reply is logged once', async () => {
    let failed!: Fail
    const failure = new Promise<void>((done) => (failed = done))
    const late = new Error(LATE)
    const handler = bridge(async (_req: IncomingMessage, res: ServerResponse) => {
      res.end('ok')
      await turn()
      Promise.reject(late)
      Promise.reject(late)
      setImmediate(failed)
      throw late
    })
    expect((await handler(event(), scfContext())).statusCode).toBe(200)
    await settledFailure(failure)
    expect(lines().map((line) => line.error)).toEqual([`Error: ${LATE}`])
  })

  it('an app that keeps failing after its reply writes at most 10 lines for the invocation', async () => {
    let failed!: Fail
    const failure = new Promise<void>((done) => (failed = done))
    const handler = bridge((_req: IncomingMessage, res: ServerResponse) => {
      res.end('ok')
      setImmediate(() => {
        for (let i = 0; i < 50; i++) Promise.reject(new Error(`late ${i}`))
        setImmediate(failed)
      })
    })
    expect((await handler(event(), scfContext())).statusCode).toBe(200)
    await settledFailure(failure)
    const logged = lines()
    expect(logged.length).toBe(10)
    expect(logged.map((line) => line.error)).toEqual(Array.from({ length: 10 }, (_, i) => `Error: late ${i}`))
  })

  it("an 'error' on the request that the app listens to is the app's own, never reported", async () => {
    let failed!: Fail
    const failure = new Promise<void>((done) => (failed = done))
    const handled: string[] = []
    const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
      req.on('error', (error) => handled.push(error.message))
      res.end('ok')
      setImmediate(() => {
        req.emit('error', new Error(LATE))
        failed()
      })
    })
    expect((await handler(event(), scfContext())).statusCode).toBe(200)
    await settledFailure(failure)
    expect(handled).toEqual([LATE])
    expect(lines()).toEqual([])
  })

  it("an unheard 'error' on the request before the reply fails the invocation: 500, logged", async () => {
    const handler = bridge((req: IncomingMessage) => {
      setImmediate(() => req.emit('error', new Error('request stream broke')))
    })
    const response = await handler(event(), scfContext({ getRemainingTimeInMillis: () => 60_000 }))
    expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
    expect(lines().map((line) => [line.message, line.error])).toEqual([
      ['the app failed', 'Error: request stream broke'],
    ])
  })
})

describe('in a process that survives uncaught exceptions, as a runtime may keep it', () => {
  const dist = resolve(__dirname, '../../dist/index.js')
  // An uncaught exception is observed, never caught: a handler of the runtime's (here, the script's) keeps
  // the process alive. Without one, Node crashes as it would under app.listen().
  const script = (body: string) => `
    process.on('uncaughtException', () => {})
    const { bridge } = require(${JSON.stringify(dist)})
    const event = { httpMethod: 'GET', path: '/late', headers: { 'x-request-id': 'client-id-1' }, queryString: { token: '${SECRET}' }, requestContext: { sourceIp: '1.2.3.4' } }
    const context = { request_id: 'inv-1', getRemainingTimeInMillis: () => 60000 }
    ${body}
  `
  const run = (body: string, NODE_DEBUG = '') =>
    spawnSync(process.execPath, ['-e', script(body)], {
      env: { ...process.env, NODE_DEBUG },
      encoding: 'utf8',
      timeout: 30_000,
    })
  const bridgeLines = (stderr: string): Line[] =>
    stderr
      .split('\n')
      .filter((text) => text.includes('"source":"scf-bridge"'))
      .map((text) => JSON.parse(text) as Line)

  const late = `
    const handler = bridge((req, res) => {
      res.end('ok')
      setTimeout(() => { throw new Error('${LATE}') }, 1)
    })
    handler(event, context).then((r) => {
      process.stdout.write(r.statusCode + ' ' + r.body + '\\n')
      setTimeout(() => {}, 50)
    })
  `

  it.skipIf(!existsSync(dist))('an exception thrown from a timer after the reply is logged, without a stack', () => {
    const { stdout, stderr, status } = run(late)
    expect(status).toBe(0)
    expect(stdout).toBe('200 ok\n')
    expect(bridgeLines(stderr)).toEqual([
      {
        level: 'error',
        source: 'scf-bridge',
        message: 'the app failed after its reply was complete',
        requestId: 'inv-1',
        xRequestId: 'client-id-1',
        method: 'GET',
        path: '/late',
        error: `Error: ${LATE}`,
      },
    ])
    expect(stderr).not.toContain(SECRET)
  })

  it.skipIf(!existsSync(dist))('with NODE_DEBUG=scf-bridge the line carries the stack', () => {
    const { stdout, stderr } = run(late, 'scf-bridge')
    expect(stdout).toBe('200 ok\n')
    const [line] = bridgeLines(stderr)
    expect(line.message).toBe('the app failed after its reply was complete')
    expect(line.stack).toMatch(new RegExp(`^Error: ${LATE}\\n\\s+at `))
    expect(stderr).not.toContain(SECRET)
  })

  it.skipIf(!existsSync(dist))(
    'an exception thrown from a timer before the reply answers 500 at once, not at the deadline',
    () => {
      const { stdout, stderr } = run(`
        const handler = bridge((req, res) => {
          setTimeout(() => { throw new Error('timer failure') }, 1)
        })
        handler(event, context).then((r) => {
          process.stdout.write(r.statusCode + ' ' + r.body + '\\n')
          process.exit(0)
        })
      `)
      expect(stdout).toBe('500 Internal Server Error\n')
      expect(bridgeLines(stderr).map((line) => [line.message, line.error])).toEqual([
        ['the app failed', 'Error: timer failure'],
      ])
    },
  )
})
