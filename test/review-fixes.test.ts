import express from 'express'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../src'
import { TRIGGER_KINDS } from '../src/event-kind'
import { logContextOf, logLine } from '../src/log'
import { triggerRouter } from '../src/triggers'
import { canonicalPath } from '../src/triggers/trigger-path'
import { httpEvent, scfContext } from './fixtures/events'

// Fixes for the review of the day's merged code: each test failed before its fix.

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

const logged = () => errorLog.mock.calls.map((call: unknown[]) => call.map(String).join(' ')).join('\n')

/** `promise`, or 'unsettled' when it has not settled within `ms` (a hang fails the test instead of timing it out). */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'unsettled'>((resolve) => setTimeout(resolve, ms, 'unsettled'))])

describe('a binaryTypes predicate that throws', () => {
  it('fails the invocation with a logged 500 instead of an uncaught exception', async () => {
    const app = express()
    app.get('/x', (_req, res) => res.type('application/octet-stream').send(Buffer.from('data')))
    const handler = bridge(app, {
      binaryTypes: () => {
        throw new Error('predicate broke')
      },
    })
    const response = await within(handler(httpEvent({ path: '/x' }), scfContext()), 2000)
    expect(response).not.toBe('unsettled')
    expect(response).toMatchObject({ statusCode: 500 })
    expect(logged()).toContain('predicate broke')
    expect(logged()).toContain('aa7b70e6-0000-4000-8000-000000000001')
  })
})

describe('a trigger path whose route throws while onError answers 2xx', () => {
  it('still fails the invocation, with the app error as the cause', async () => {
    const boom = new Error('job broke')
    const app = express()
    app.post('/jobs/timer', () => {
      throw boom
    })
    const handler = bridge(app, {
      events: { timer: '/jobs/timer' },
      onError: () => ({ isBase64Encoded: false, statusCode: 200, headers: {}, body: 'handled' }),
    })
    const timer = { Type: 'Timer', TriggerName: 't', Time: '2026-01-01T00:00:00Z', Message: '' }
    const failure = await handler(timer, scfContext()).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ name: 'TriggerError', statusCode: 200, trigger: 'timer', cause: boom })
    expect((failure as Error).message).toMatch(/failed on the timer trigger's POST \/jobs\/timer/)
  })
})

describe('a thrown plain object', () => {
  it('is logged by its key names, never its values', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const info = vi.spyOn(console, 'log').mockImplementation(() => {})
    const app = express()
    app.get('/x', () => Promise.reject({ headers: { authorization: 'Bearer SECRET-42' }, token: 'SECRET-43' }))
    try {
      const response = await bridge(app)(httpEvent({ path: '/x' }), scfContext())
      expect(response.statusCode).toBe(500)
      expect(response.body).not.toContain('SECRET')
      const everything = `${logged()}\n${out.mock.calls.join('\n')}\n${info.mock.calls.join('\n')}`
      expect(logged()).toContain('headers, token')
      expect(everything).not.toContain('SECRET')
    } finally {
      out.mockRestore()
      info.mockRestore()
    }
  })
})

describe('an onError that never settles', () => {
  it('is cut off by the deadline: 504, logged', async () => {
    const app = express()
    app.get('/x', () => {
      throw new Error('app broke')
    })
    const handler = bridge(app, { onError: () => new Promise(() => {}), timeoutMarginMs: 0 })
    const context = scfContext({ getRemainingTimeInMillis: () => 150 })
    const response = await within(handler(httpEvent({ path: '/x' }), context), 3000)
    expect(response).toMatchObject({ statusCode: 504 })
    expect(logged()).toContain('onError did not answer in time')
  })
})

describe('a failing path-form delivery', () => {
  const lines = () => errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])))
  const timer = { Type: 'Timer', TriggerName: 't', Time: '2026-01-01T00:00:00Z', Message: '' }

  it('logs one line with the invocation id when the app answers a status other than 2xx', async () => {
    const app = express()
    let requestId: string | undefined
    app.post('/jobs/timer', (req, res) => {
      requestId = req.get('x-request-id')
      res.status(503).send('later')
    })
    const context = scfContext()
    await expect(bridge(app, { events: { timer: '/jobs/timer' } })(timer, context)).rejects.toMatchObject({
      name: 'TriggerError',
      statusCode: 503,
    })
    expect(requestId).toBe(context.request_id)
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'error',
        source: 'scf-bridge',
        requestId: context.request_id,
        method: 'POST',
        path: '/jobs/timer',
        trigger: 'timer',
        error: expect.stringMatching(/TriggerError: .*status 503/),
      }),
    ])
  })

  it('logs one line when a CLS event cannot be decoded, as the function form does', async () => {
    const app = express()
    const context = scfContext()
    const handler = bridge(app, { events: { cls: '/jobs/cls' } })
    await expect(handler({ clslogs: { data: 'bm90IGd6aXA=' } }, context)).rejects.toMatchObject({ name: 'EventError' })
    expect(lines()).toEqual([
      expect.objectContaining({
        requestId: context.request_id,
        trigger: 'cls',
        error: expect.stringMatching(/EventError/),
      }),
    ])
  })
})

describe("the trigger guard's fast path", () => {
  const paths = ['/jobs/cos', '/Internal/Timer-Run', '/a;b/c']
  const router = triggerRouter({ cos: paths[0], timer: paths[1], cls: paths[2] })!
  const guarded = new Set(paths.map(canonicalPath))
  const reference = (url: string) => guarded.has(canonicalPath(url))

  it('blocks exactly what comparing canonical forms blocks', () => {
    const char = fc.constantFrom(...'/jobscJOBSCinternalTIMERrun-;.%2e5F\\?#aAbB éİK'.split(''), '%2F', '%25', '//')
    const tail = fc.array(char, { maxLength: 12 }).map((chars) => chars.join(''))
    const url = fc.tuple(fc.constantFrom('', ...paths, '/JOBS/cos', '/jobs'), tail).map(([head, rest]) => head + rest)
    fc.assert(
      fc.property(url, (u) => {
        expect(router.guards(u), u).toBe(reference(u))
      }),
      { numRuns: 5000, seed: 20261130 },
    )
    for (const u of [
      '/jobs/cos',
      '/jobs/cos?x=1',
      '/jobs/cos/',
      '/jobs/COS',
      '/a;b/c',
      '/a',
      '/jobs/cos;x',
      'jobs/cos',
    ]) {
      expect(router.guards(u), u).toBe(reference(u))
    }
    expect(router.guards('/jobs/cos?x=1')).toBe(true)
    expect(router.guards('/jobs/other')).toBe(false)
  })

  it('knows every trigger kind from one list', () => {
    expect(TRIGGER_KINDS).toEqual(['timer', 'cos', 'ckafka', 'cmq', 'cls', 'other'])
    expect(() => triggerRouter({ http: '/x' } as never)).toThrow(/the kinds are timer, cos, ckafka, cmq, cls, other/)
  })
})

describe('the log context of a request', () => {
  it('keeps the URL and cuts its query only when a line is written', () => {
    const request = { method: 'GET', url: '/a/b?token=SECRET-7', headers: {}, body: Buffer.alloc(0) }
    const log = logContextOf(request as never, scfContext())
    expect(log).not.toHaveProperty('path')
    logLine(log, 'test line', {})
    const line = JSON.parse(String(errorLog.mock.calls[0][0]))
    expect(line).toMatchObject({ method: 'GET', path: '/a/b', requestId: 'aa7b70e6-0000-4000-8000-000000000001' })
    expect(logged()).not.toContain('SECRET')
  })
})
