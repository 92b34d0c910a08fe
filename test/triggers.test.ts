import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  bridge,
  decodeClsLogs,
  getCurrentInvoke,
  type IntegratedResponse,
  type ScfCkafkaEvent,
  type ScfClsEvent,
  type ScfClsLogs,
  type ScfContext,
  type ScfCosEvent,
  type ScfEventHandler,
  type ScfHandler,
  type ScfTimerEvent,
  type TriggerKind,
} from '../src'
import { recogniseEvent } from '../src/event-kind'
import { isGuarded } from '../src/triggers/guard'
import { foldedJobPath } from '../src/triggers/trigger-path'
import { scfContext } from './fixtures/events'
import { collectionDigests, fixtureDigest } from './fixtures/real-events-collection'
import { triggerApps } from './fixtures/trigger-apps'

interface RealEvent {
  file: string
  kind: string
  event: Record<string, unknown>
}

const realEvents: RealEvent[] = readdirSync(join(__dirname, 'fixtures/real-events'))
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const { kind, event } = JSON.parse(readFileSync(join(__dirname, 'fixtures/real-events', file), 'utf8'))
    return { file, kind, event }
  })

const clsLogs: ScfClsLogs = {
  topic_id: 'xxxx-xx-xx-xx-yyyyyyyy',
  topic_name: 'testname',
  records: [
    { timestamp: '1605578090000000', content: 'GET /index.html 200 中文' },
    { timestamp: '1605578090000001', content: 'POST /login 302' },
  ],
}
const clsEvent = (logs: unknown = clsLogs) => ({ clslogs: { data: gzipSync(JSON.stringify(logs)).toString('base64') } })

/** Every real non-HTTP event, plus a CLS event built as CLS sends one (no real capture is public). */
const triggerEvents: Array<{ file: string; kind: TriggerKind; event: Record<string, unknown> }> = [
  ...realEvents
    .filter((e) => e.kind !== 'apigw' && e.kind !== 'function-url')
    .map((e) => ({ ...e, kind: e.kind as TriggerKind })),
  { file: '(built) cls gzip', kind: 'cls', event: clsEvent() },
]

const createTimer = () => ({ Type: 'Timer' as const, TriggerName: 't', Time: '2026-01-01T00:00:00Z', Message: '' })

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())
const logLines = () => errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])))

describe('recognising the kind of event', () => {
  it('has real events of every kind to check against', () => {
    expect(new Set(triggerEvents.map((e) => e.kind))).toEqual(new Set(['timer', 'cos', 'ckafka', 'cmq', 'cls']))
  })

  it('the fixtures match the shared collection they were copied from', () => {
    const digests = collectionDigests()
    const shared = Object.keys(digests)
      .filter((file) => /^(timer|cos|ckafka|cmq|cls)-.*\.json$/.test(file))
      .sort()
    const copies = realEvents.map((e) => e.file).filter((file) => /^(timer|cos|ckafka|cmq|cls)-/.test(file))
    expect(shared.length).toBeGreaterThanOrEqual(9)
    expect(copies).toEqual(shared)
    for (const file of shared) expect(fixtureDigest(file), file).toBe(digests[file])
  })

  it.each(realEvents)('$file is recognised as $kind', ({ kind, event }) => {
    expect(recogniseEvent(event)).toBe(kind === 'apigw' || kind === 'function-url' ? 'http' : kind)
  })

  it.each([
    ['CLS', clsEvent(), 'cls'],
    ['a direct invocation with any JSON', { orderId: 42 }, 'other'],
    ['an empty object', {}, 'other'],
    ['a string', 'hello', 'other'],
    ['an array', [1, 2], 'other'],
    ['null', null, 'other'],
    ['Records of another service', { Records: [{ kafka: {} }] }, 'other'],
    ['empty Records', { Records: [] }, 'other'],
    ['a CLB event (headers and payload)', { headers: { host: 'x' }, payload: {} }, 'other'],
    ['an HTTP event without headers', { httpMethod: 'GET', path: '/' }, 'http'],
    ['a partial API Gateway event', { headers: {}, headerParameters: {}, body: '' }, 'http'],
    ['an HTTP-looking event that also says Timer', { httpMethod: 'GET', headers: {}, Type: 'Timer' }, 'http'],
  ])('%s is %s', (_, event, kind) => {
    expect(recogniseEvent(event)).toBe(kind)
  })
})

describe.each(triggerApps)('every real trigger event on $name', (makeApp) => {
  describe.each(triggerEvents)('$file ($kind)', ({ kind, event }) => {
    const expectedBody = kind === 'cls' ? clsLogs : event

    it('the function form gets the event and context inside the invocation, and returns its result', async () => {
      const { app, seen } = makeApp()
      const calls: unknown[] = []
      const run = async (received: unknown, context: ScfContext) => {
        const current = getCurrentInvoke<unknown>()
        calls.push({
          received,
          context,
          current: current && { event: current.event, context: current.context, trigger: current.trigger },
        })
        await new Promise((resolve) => setTimeout(resolve, 1))
        return { handled: kind, requestId: getCurrentInvoke()?.context.request_id }
      }
      const handler = bridge(app, { events: { [kind]: run } })
      const context = scfContext()
      const result = await handler(event, context)
      expect(result).toEqual({ handled: kind, requestId: context.request_id })
      expect(calls).toEqual([{ received: event, context, current: { event, context, trigger: kind } }])
      expect(seen).toEqual([])
      expect(getCurrentInvoke()).toBeUndefined()
    })

    it('the path form posts the event as JSON to the path, and the JSON answer is the result', async () => {
      const { app, seen } = makeApp()
      const handler = bridge(app, { events: { [kind]: `/jobs/${kind}` } })
      const context = scfContext()
      const result = await handler(event, context)
      expect(result).toEqual({
        method: 'POST',
        path: `/jobs/${kind}`,
        contentType: 'application/json',
        body: expectedBody,
        trigger: kind,
        requestId: context.request_id,
        sameInvoke: true,
      })
      expect(seen).toEqual([`POST /jobs/${kind}`])
      expect(errorLog).not.toHaveBeenCalled()
    })
  })
})

describe.each(triggerApps)('path form answers on $name', (makeApp) => {
  const timer = realEvents.find((e) => e.kind === 'timer')!.event

  it('a text answer is the result as text, an empty one is null', async () => {
    expect(await bridge(makeApp().app, { events: { timer: '/jobs-text' } })(timer, scfContext())).toBe('done')
    expect(await bridge(makeApp().app, { events: { timer: '/jobs-empty' } })(timer, scfContext())).toBeNull()
  })

  it('a status other than 2xx fails the invocation with an error naming the status', async () => {
    const handler = bridge(makeApp().app, { events: { timer: '/jobs-fail' } })
    const failure = await handler(timer, scfContext()).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ name: 'TriggerError', statusCode: 500, trigger: 'timer' })
    expect((failure as Error).message).toMatch(/timer trigger's POST \/jobs-fail with status 500/)
  })

  it('a route that throws fails the invocation, and the failure is logged with the invocation id', async () => {
    const handler = bridge(makeApp().app, { events: { timer: '/jobs-throw' } })
    const context = scfContext()
    await expect(handler(timer, context)).rejects.toMatchObject({ name: 'TriggerError', statusCode: 500 })
    // Hono tells its route errors to nothing the bridge can observe (issue 21): it prints the error itself,
    // and the bridge's line is about the 500 Hono answered.
    const printedByHono = errorLog.mock.calls.filter((call: unknown[]) => call[0] instanceof Error)
    const lines = errorLog.mock.calls
      .filter((call: unknown[]) => !(call[0] instanceof Error))
      .map((call: unknown[]) => JSON.parse(String(call[0])))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 'error',
      requestId: context.request_id,
      method: 'POST',
      path: '/jobs-throw',
    })
    if (makeApp().name === 'fetch app (Hono)') expect(printedByHono.map(String)).toEqual(['Error: job route exploded'])
    else {
      expect(printedByHono).toEqual([])
      expect(lines[0].error).toMatch(/job route exploded/)
    }
  })
})

describe('what the app sees of a delivery', () => {
  it('https and the Host of the host option (or the default), as an HTTP request to the function would have', async () => {
    const express = (await import('express')).default
    const app = express()
    app.post('/jobs/timer', (req, res) =>
      res.json({ protocol: req.protocol, secure: req.secure, host: req.get('host'), ip: req.ip ?? null }),
    )
    const timer = createTimer()
    expect(await bridge(app, { events: { timer: '/jobs/timer' } })(timer, scfContext())).toEqual({
      protocol: 'https',
      secure: true,
      host: 'scf-bridge.invalid',
      ip: null,
    })
    expect(
      await bridge(app, { host: 'app.example.com', events: { timer: '/jobs/timer' } })(timer, scfContext()),
    ).toMatchObject({
      host: 'app.example.com',
    })
  })
})

describe('the function form', () => {
  const cos = realEvents.find((e) => e.file === 'cos-scfcli-template-put.json')!.event

  it('a throw fails the invocation with that error, logged with the invocation id and never the event', async () => {
    const boom = new Error('bucket unreachable')
    const handler = bridge(triggerApps[0]().app, {
      events: {
        cos: async () => {
          throw boom
        },
      },
    })
    const context = scfContext()
    await expect(handler(cos, context)).rejects.toBe(boom)
    const lines = logLines()
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        source: 'scf-bridge',
        requestId: context.request_id,
        trigger: 'cos',
        message: 'the cos trigger function failed',
      }),
    ])
    expect(lines[0].error).toMatch(/bucket unreachable/)
    // The COS event carries the uploader's request signature: nothing of the event reaches the log.
    expect(JSON.stringify(errorLog.mock.calls)).not.toMatch(/q-signature|q-ak|59\.37\.125\.38|testpic/)
  })

  it('a rejection the function leaves unhandled fails the invocation', async () => {
    const handler = bridge(triggerApps[0]().app, {
      events: {
        other: () =>
          new Promise((resolve) => {
            Promise.reject(new Error('forgotten promise'))
            setTimeout(() => resolve('finished anyway'), 50)
          }),
      },
    })
    await expect(handler({ job: 'x' }, scfContext())).rejects.toThrow('forgotten promise')
  })

  it('a synchronous function works, and undefined is a result too', async () => {
    const handler = bridge(triggerApps[0]().app, {
      events: { other: (event) => (event as { n: number }).n * 2, timer: () => undefined },
    })
    expect(await handler({ n: 21 }, scfContext())).toBe(42)
    expect(
      await handler({ Type: 'Timer', TriggerName: 't', Time: '2026-01-01T00:00:00Z', Message: '' }, scfContext()),
    ).toBeUndefined()
  })

  it('sets callbackWaitsForEmptyEventLoop = false as for HTTP requests', async () => {
    const context = scfContext()
    context.callbackWaitsForEmptyEventLoop = true
    await bridge(triggerApps[0]().app, { events: { other: () => 1 } })({ a: 1 }, context)
    expect(context.callbackWaitsForEmptyEventLoop).toBe(false)
  })
})

describe('events without an entry', () => {
  it.each([
    ['no events option', undefined],
    ['an events option without this kind', { timer: () => 1 }],
  ])('%s: a CMQ event is refused as before, naming the kind and the option', async (_, events) => {
    const handler = bridge(triggerApps[0]().app, events ? { events } : {})
    const cmq = realEvents.find((e) => e.kind === 'cmq')!.event
    await expect(handler(cmq as never, scfContext())).rejects.toMatchObject({
      name: 'EventError',
      message: expect.stringMatching(/not an HTTP event.*CMQ trigger event.*events\.cmq/),
    })
  })

  it('an HTTP event cut short is refused as such even with an `other` entry, never handed to it', async () => {
    const other = vi.fn()
    const handler = bridge(triggerApps[0]().app, { events: { other } })
    const partial = realEvents.find((e) => e.file === 'apigw-python-requests-json-newdomain-2023-partial.json')!.event
    await expect(handler(partial as never, scfContext())).rejects.toThrow(/an HTTP event .* lacks httpMethod, path/)
    expect(other).not.toHaveBeenCalled()
  })

  it('HTTP events still go to the app with an events option', async () => {
    const { app, seen } = triggerApps[0]()
    const handler = bridge(app, { events: { timer: '/jobs/timer', other: () => 'other' } })
    const r = await handler({ httpMethod: 'GET', path: '/hello', headers: {} }, scfContext())
    expect(r).toMatchObject({ statusCode: 200, body: 'reached' })
    expect(seen).toEqual(['GET /hello'])
  })
})

describe('the guard: HTTP requests for a trigger path never reach the app', () => {
  const spellings = [
    '/internal/cos-uploaded',
    '/internal/cos-uploaded/',
    '//internal/cos-uploaded',
    '/internal//cos-uploaded',
    '/INTERNAL/Cos-Uploaded',
    '/internal/cos%2Duploaded',
    '/internal/cos%2duploaded',
    '/internal%2Fcos-uploaded',
    '/%69nternal/cos-uploaded',
    '/internal/cos%252Duploaded',
    '/x/../internal/cos-uploaded',
    '/x/%2e%2e/internal/cos-uploaded',
    '/internal/./cos-uploaded',
    '\\internal\\cos-uploaded',
    '/internal\\cos-uploaded',
    'internal/cos-uploaded',
    '/internal/cos-uploaded/x',
    '/internal/cos-uploaded/..',
  ]

  describe.each(triggerApps)('on $name', (makeApp) => {
    it.each(spellings)('%s', async (path) => {
      const { app, seen } = makeApp()
      const handler = bridge(app, { events: { cos: '/internal/cos-uploaded' } })
      for (const method of ['POST', 'GET']) {
        const context = scfContext()
        const r = await handler(
          {
            httpMethod: method,
            path,
            headers: { 'content-type': 'application/json' },
            queryString: { token: 'secret-value' },
            body: '{}',
          },
          context,
        )
        expect(r).toMatchObject({ statusCode: 404, body: 'Not Found' })
        expect(r.headers['x-request-id']).toBe(context.request_id)
      }
      expect(seen).toEqual([])
      const lines = logLines()
      expect(lines[0]).toMatchObject({
        level: 'error',
        source: 'scf-bridge',
        message: expect.stringMatching(/trigger path.*404/),
      })
      expect(JSON.stringify(errorLog.mock.calls)).not.toMatch(/secret-value/)
    })

    it('after basePath stripping, with or without the prefix', async () => {
      const { app, seen } = makeApp()
      const handler = bridge(app, { basePath: '/api', events: { timer: '/jobs/timer' } })
      for (const path of ['/api/jobs/timer', '/jobs/timer', '/api//jobs/timer/']) {
        const r = await handler({ httpMethod: 'POST', path, headers: {} }, scfContext())
        expect(r.statusCode).toBe(404)
      }
      expect(seen).toEqual([])
    })

    it('other paths, including ones that only start like a trigger path, still reach the app', async () => {
      // A sub-path of a trigger path (/internal/cos-uploaded/x) is refused too: a mount routes it to the job.
      const { app, seen } = makeApp()
      const handler = bridge(app, { events: { cos: '/internal/cos-uploaded', timer: () => 1 } })
      for (const path of ['/internal/cos-uploaded-list', '/internal/cos', '/internal/cos-uploaded2', '/']) {
        const r = await handler({ httpMethod: 'GET', path, headers: {} }, scfContext())
        expect(r).toMatchObject({ statusCode: 200, body: 'reached' })
      }
      expect(seen).toEqual([
        'GET /internal/cos-uploaded-list',
        'GET /internal/cos',
        'GET /internal/cos-uploaded2',
        'GET /',
      ])
    })
  })

  it('isGuarded: every spelling reaches the trigger path, and different paths stay different', () => {
    const guarded = new Set([foldedJobPath('/internal/cos-uploaded')])
    for (const path of spellings) expect(isGuarded(guarded, path), path).toBe(true)
    expect(isGuarded(guarded, '/internal/cos-uploaded?x=/a')).toBe(true)
    expect(isGuarded(guarded, '/a/../../internal/cos-uploaded')).toBe(true)
    expect(isGuarded(guarded, '/internal/cos-uploaded2')).toBe(false)
    expect(isGuarded(guarded, '/internal/x/cos-uploaded')).toBe(false)
  })
})

describe('the events option is checked at bridge() time', () => {
  const app = triggerApps[0]().app
  it.each([
    ['not an object', 'timer', /events must be an object/],
    ['an array', [], /events must be an object/],
    [
      'an unknown kind',
      { cron: () => 1 },
      /events\.cron is not a trigger kind; the kinds are timer, cos, ckafka, cmq, cls, other/,
    ],
    ['http as a kind', { http: '/x' }, /events\.http is not a trigger kind: HTTP events always go to the app/],
    ['a number', { timer: 5 }, /events\.timer must be a function \(event, context\) or a path/],
    ['null', { cos: null }, /events\.cos must be a function/],
    ['a relative path', { timer: 'jobs/timer' }, /events\.timer path "jobs\/timer" must start with \//],
    ['the root', { timer: '/' }, /cannot be \//],
    ['a query', { timer: '/jobs?x=1' }, /must be a plain path/],
    ['percent-encoding', { timer: '/jobs/%41' }, /must be a plain path/],
    ['a dot segment', { timer: '/jobs/../admin' }, /must be a plain path/],
    ['an empty segment', { timer: '/jobs//timer' }, /must be a plain path/],
    ['a space', { timer: '/jobs/ timer' }, /must be a plain path/],
  ])('%s: TypeError', (_, events, message) => {
    expect(() => bridge(app, { events: events as never })).toThrow(TypeError)
    expect(() => bridge(app, { events: events as never })).toThrow(message)
  })

  it('an entry left undefined is no entry', async () => {
    const handler = bridge(app, { events: { timer: undefined, other: () => 'ok' } })
    await expect(handler({ Type: 'Timer', TriggerName: 't', Time: 'x', Message: '' }, scfContext())).rejects.toThrow(
      /timer trigger/,
    )
  })
})

describe('CLS records', () => {
  it("decodeClsLogs reads base64 of gzip, and base64 of plain JSON as in Tencent's doc example", async () => {
    expect(await decodeClsLogs(clsEvent())).toEqual(clsLogs)
    const plain = { clslogs: { data: Buffer.from(JSON.stringify(clsLogs)).toString('base64') } }
    expect(await decodeClsLogs(plain)).toEqual(clsLogs)
  })

  it.each([
    ['no data', { clslogs: {} }, /clslogs\.data must be a string/],
    ['not base64', { clslogs: { data: '!!!' } }, /not base64/],
    ['broken gzip', { clslogs: { data: Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString('base64') } }, /not valid gzip/],
    ['not JSON', { clslogs: { data: gzipSync('hello').toString('base64') } }, /does not hold JSON/],
    ['no records', clsEvent({ topic_id: 'x' }), /no records array/],
  ])('%s: the path form fails the invocation with an EventError', async (_, event, message) => {
    const { app, seen } = triggerApps[0]()
    const handler = bridge(app, { events: { cls: '/jobs/cls' } })
    await expect(handler(event as never, scfContext())).rejects.toMatchObject({
      name: 'EventError',
      message: expect.stringMatching(message),
    })
    expect(seen).toEqual([])
  })
})

describe('types', () => {
  it('types each handler by its kind, and the handler by the options', () => {
    const app = triggerApps[0]().app
    const handler = bridge(app, {
      events: {
        timer: (event, context) => {
          expectTypeOf(event).toEqualTypeOf<ScfTimerEvent>()
          expectTypeOf(context).toEqualTypeOf<ScfContext>()
        },
        cos: (event) => expectTypeOf(event.Records[0].cos.cosObject.size).toEqualTypeOf<number>(),
        ckafka: (event) => expectTypeOf(event).toEqualTypeOf<ScfCkafkaEvent>(),
        cmq: (event) => expectTypeOf(event.Records[0].CMQ.topicOwner).toEqualTypeOf<number | string>(),
        cls: (event) => expectTypeOf(event).toEqualTypeOf<ScfClsEvent>(),
        other: (event) => expectTypeOf(event).toEqualTypeOf<unknown>(),
      },
    })
    expectTypeOf(handler).toEqualTypeOf<ScfEventHandler>()
    expectTypeOf(handler({ httpMethod: 'GET', path: '/', headers: {} })).toEqualTypeOf<Promise<IntegratedResponse>>()
    expectTypeOf(handler({ Type: 'Timer', TriggerName: 't', Time: 'x', Message: '' })).toEqualTypeOf<Promise<unknown>>()
    expectTypeOf(bridge(app)).toEqualTypeOf<ScfHandler>()
    expectTypeOf<ReturnType<typeof bridge>>().toEqualTypeOf<ScfHandler>()
    const typeErrors = () => {
      // @ts-expect-error a COS handler cannot serve timer events
      bridge(app, { events: { timer: (event: ScfCosEvent) => event.Records } })
      // @ts-expect-error not a kind
      bridge(app, { events: { cron: () => 1 } })
    }
    expect(typeErrors).toThrow(/events\.cron is not a trigger kind/)
    expectTypeOf<
      NonNullable<ReturnType<typeof getCurrentInvoke<ScfTimerEvent>>>['event']
    >().toEqualTypeOf<ScfTimerEvent>()
    expectTypeOf<NonNullable<ReturnType<typeof getCurrentInvoke>>['trigger']>().toEqualTypeOf<TriggerKind | undefined>()
  })
})
