import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import express from 'express'
import Koa from 'koa'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge, getCurrentInvoke } from '../src'
import { httpEvent, scfContext } from './fixtures/events'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

/** Express and Koa apps with the same routes for this file. */
function apps(release: Promise<void>) {
  const seen = async () => {
    await sleep(Math.random() * 5)
    const current = getCurrentInvoke()
    return { path: current?.event.path, tag: current?.event.headers['x-tag'], requestId: current?.context.request_id }
  }
  const e = express()
  e.get('/current', async (_req, res) => res.json(await seen()))
  e.get('/hang', async (_req, res) => {
    await release
    res.send('late')
  })
  e.get('/fail', () => {
    throw new Error('boom with internals')
  })
  e.get('/request-id', (req, res) => res.json({ id: req.get('x-request-id') }))

  const k = new Koa()
  k.use(async (ctx) => {
    if (ctx.path === '/current') ctx.body = await seen()
    else if (ctx.path === '/hang') {
      await release
      ctx.body = 'late'
    } else if (ctx.path === '/fail') throw new Error('boom with internals')
    else if (ctx.path === '/request-id') ctx.body = { id: ctx.get('x-request-id') }
  })
  return [
    ['Express', e],
    ['Koa', k],
  ] as const
}

describe('getCurrentInvoke', () => {
  it('is undefined outside an invocation', () => {
    expect(getCurrentInvoke()).toBeUndefined()
  })

  for (const [name, app] of apps(Promise.resolve())) {
    it(`${name}: 100 concurrent invocations each see their own event and context`, async () => {
      const handler = bridge(app)
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          handler(
            httpEvent({ path: '/current', headers: { 'x-tag': `t${i}` } }),
            scfContext({ request_id: `inv-${i}` }),
          ),
        ),
      )
      for (const [i, r] of results.entries()) {
        expect(JSON.parse(r.body)).toEqual({ path: '/current', tag: `t${i}`, requestId: `inv-${i}` })
      }
      expect(getCurrentInvoke()).toBeUndefined()
    })
  }
})

describe('request ids', () => {
  for (const [name, app] of apps(Promise.resolve())) {
    const handler = bridge(app)
    const id = async (event: ReturnType<typeof httpEvent>, requestId = 'invocation-id') => {
      const r = await handler(event, scfContext({ request_id: requestId }))
      return { seen: JSON.parse(r.body).id, returned: r.headers['x-request-id'] }
    }

    it(`${name}: requestContext.requestId, then x-api-requestid, then context.request_id; a client's own id wins`, async () => {
      const withContextId = httpEvent({ path: '/request-id' }) as { requestContext: Record<string, unknown> }
      withContextId.requestContext.requestId = 'ctx-id'
      expect(await id(withContextId as never)).toEqual({ seen: 'ctx-id', returned: 'ctx-id' })
      expect(await id(httpEvent({ path: '/request-id' }))).toEqual({ seen: 'gw-req-1', returned: 'gw-req-1' })
      expect(await id(httpEvent({ path: '/request-id', dialect: 'url' }))).toEqual({
        seen: 'invocation-id',
        returned: 'invocation-id',
      })
      expect(await id(httpEvent({ path: '/request-id', headers: { 'x-request-id': 'client-id' } }))).toEqual({
        seen: 'client-id',
        returned: 'client-id',
      })
    })
  }
})

describe('time limit', () => {
  for (const [name] of apps(Promise.resolve())) {
    it(`${name}: a hanging route answers 504 when the context reports 500 ms left, and the next invocation works`, async () => {
      let release!: () => void
      const app = apps(new Promise<void>((resolve) => (release = resolve))).find(([n]) => n === name)![1]
      const handler = bridge(app)
      const r = await handler(
        httpEvent({ path: '/hang' }),
        scfContext({ request_id: 'slow-1', getRemainingTimeInMillis: () => 500 }),
      )
      expect(r).toMatchObject({ statusCode: 504, body: 'Gateway Timeout', isBase64Encoded: false })
      const line = JSON.parse(String(errorLog.mock.calls[0][0]))
      expect(line).toMatchObject({ requestId: 'slow-1', method: 'GET', path: '/hang' })
      release()
      await sleep(10) // the late reply arrives and is dropped
      const next = await handler(
        httpEvent({ path: '/request-id' }),
        scfContext({ getRemainingTimeInMillis: () => 500 }),
      )
      expect(next.statusCode).toBe(200)
    })
  }

  it('counts time_limit_in_ms from the start of the invocation when there is no getRemainingTimeInMillis', async () => {
    const handler = bridge(apps(new Promise(() => {}))[0][1], { timeoutMarginMs: 100 })
    const r = await handler(httpEvent({ path: '/hang' }), { request_id: 'x', time_limit_in_ms: 250 })
    expect(r.statusCode).toBe(504)
  })

  it('imposes no limit when the context does not tell the deadline', async () => {
    let release!: () => void
    const handler = bridge(apps(new Promise<void>((resolve) => (release = resolve)))[0][1])
    const pending = handler(httpEvent({ path: '/hang' }), { request_id: 'no-deadline' })
    const first = await Promise.race([pending, sleep(400).then(() => 'still waiting')])
    expect(first).toBe('still waiting')
    release()
    expect(await pending).toMatchObject({ statusCode: 200, body: 'late' })
  })

  it('rejects a bad timeoutMarginMs at bridge() time', () => {
    expect(() => bridge(() => {}, { timeoutMarginMs: -1 })).toThrow(/timeoutMarginMs/)
  })
})

describe('onError', () => {
  for (const [name, app] of apps(Promise.resolve())) {
    it(`${name}: gets the error, event and context, and its response is used`, async () => {
      const calls: unknown[] = []
      const handler = bridge(app, {
        onError: (error, { event, context }) => {
          calls.push([(error as Error).message, event.path, context.request_id])
          return {
            statusCode: 503,
            headers: { 'content-type': 'application/json' },
            body: '{"retry":true}',
            isBase64Encoded: false,
          }
        },
      })
      const r = await handler(httpEvent({ path: '/fail' }), scfContext({ request_id: 'inv-9' }))
      expect(r).toMatchObject({ statusCode: 503, body: '{"retry":true}' })
      expect(calls).toEqual([['boom with internals', '/fail', 'inv-9']])
      expect(errorLog).not.toHaveBeenCalled()
    })

    it(`${name}: an onError that returns nothing keeps the plain 500; one that throws is logged`, async () => {
      const quiet = bridge(app, { onError: () => undefined })
      expect(await quiet(httpEvent({ path: '/fail' }), scfContext())).toMatchObject({
        statusCode: 500,
        body: 'Internal Server Error',
      })
      const broken = bridge(app, {
        onError: () => {
          throw new Error('reporter down')
        },
      })
      const r = await broken(httpEvent({ path: '/fail' }), scfContext())
      expect(r).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
      const logged = errorLog.mock.calls.map((c: unknown[]) => String(c[0])).join('\n')
      expect(logged).toMatch(/reporter down/)
      expect(logged).toMatch(/boom with internals/)
    })
  }
})

describe('debug logging', () => {
  const script = `
    const { bridge } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))})
    const handler = bridge((req, res) => { res.setHeader('content-type', 'image/png'); res.end(Buffer.from([1, 2, 3])) })
    const event = { httpMethod: 'GET', path: '/img', headers: {}, requestContext: { sourceIp: '1.2.3.4' } }
    handler(event, { request_id: 'r' }).then(() => handler(event, { request_id: 'r2' })).then((r) => console.log('status', r.statusCode))
  `
  const run = (NODE_DEBUG: string) =>
    spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_DEBUG }, encoding: 'utf8' })

  it('prints nothing on a normal request', () => {
    const { stdout, stderr, status } = run('')
    expect(status).toBe(0)
    expect(stdout).toBe('status 200\n')
    expect(stderr).toBe('')
  })

  it('prints one line per invocation with NODE_DEBUG=scf-bridge: method, path, status, time, bytes, base64', () => {
    const { stdout, stderr } = run('scf-bridge')
    expect(stdout).toBe('status 200\n')
    const lines = stderr.split('\n').filter(Boolean)
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line).toMatch(/^SCF-BRIDGE \d+: GET \/img 200 \d+ms 3 bytes base64$/)
  })
})
