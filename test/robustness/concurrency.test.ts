import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { describe, expect, it, vi } from 'vitest'
import { bridge, getCurrentInvoke } from '../../src'
import { bodyBytes, httpEvent, scfContext } from '../fixtures/events'
import { express4, express5, Koa2, Koa3, otherEchoApps, parseEcho, sha256 } from './support'

// 200 invocations in flight at once on one bridged app: each reply belongs to its own request, and
// getCurrentInvoke() inside the app (after awaits, timers and body reads) is its own invocation.

const N = 200

/** Waits a different number of timer and immediate turns per request, so replies finish out of order. */
function scramble(seed: number): Promise<void> {
  return new Promise((resolve) => {
    if (seed % 3 === 0) setTimeout(resolve, seed % 7)
    else if (seed % 3 === 1) setImmediate(() => setImmediate(resolve))
    else process.nextTick(resolve)
  })
}

/** A service the route calls after its own awaits: it finds the invocation without being handed it. */
async function whoAmI(seed: number): Promise<{ requestId: unknown; eventPath: unknown }> {
  await scramble(seed + 1)
  const invoke = getCurrentInvoke()
  return { requestId: invoke?.context.request_id, eventPath: invoke?.event.path }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

interface Reply {
  bodySha: string
  requestId: unknown
  eventPath: unknown
  scfRequestId: unknown
  url: string
}

async function describeRequest(req: IncomingMessage & { scf?: { context: { request_id?: string } } }): Promise<Reply> {
  const body = await readAll(req)
  const seed = body.length
  await scramble(seed)
  const { requestId, eventPath } = await whoAmI(seed)
  return { bodySha: sha256(body), requestId, eventPath, scfRequestId: req.scf?.context.request_id, url: req.url ?? '' }
}

function expressApp(express: typeof express5 | typeof express4) {
  const app = (express as typeof express5)()
  app.post('/{*path}', (req, res) => {
    describeRequest(req).then(
      (reply) => res.json(reply),
      (error: Error) => res.status(500).send(error.message),
    )
  })
  if (express === express4) {
    // Express 4 does not know the `{*path}` syntax of Express 5.
    app.post('*', (req, res) => {
      describeRequest(req).then(
        (reply) => res.json(reply),
        (error: Error) => res.status(500).send(error.message),
      )
    })
  }
  return app
}

function koaApp(Koa: typeof Koa3 | typeof Koa2) {
  const app = new (Koa as typeof Koa3)()
  app.use(async (ctx) => {
    ctx.body = await describeRequest(ctx.req)
  })
  return app
}

const apps = [
  { name: 'Express 5', app: expressApp(express5) },
  { name: 'Express 4', app: expressApp(express4) },
  { name: 'Koa 3', app: koaApp(Koa3) },
  { name: 'Koa 2', app: koaApp(Koa2) },
]

describe.each(apps)('$name under 200 concurrent invocations', ({ app }) => {
  const handler = bridge(app)

  it('each reply and each getCurrentInvoke() belongs to its own invocation', async () => {
    const invocations = Array.from({ length: N }, (_, i) => {
      // Distinct bodies of distinct lengths; every third one binary (base64 in the event).
      const body = i % 3 === 0 ? randomBytes(100 + i) : `body ${i} ${'x'.repeat(i)}`
      const event = httpEvent({ method: 'POST', path: `/item/${i}`, body, query: { i: String(i) } })
      const context = scfContext({ request_id: `invocation-${i}` })
      return { i, body: Buffer.isBuffer(body) ? body : Buffer.from(body), event, context }
    })

    const responses = await Promise.all(invocations.map(({ event, context }) => handler(event as never, context)))

    responses.forEach((response, i) => {
      expect(response.statusCode).toBe(200)
      const reply = JSON.parse(bodyBytes(response).toString('utf8')) as Reply
      expect(reply).toEqual({
        bodySha: sha256(invocations[i].body),
        requestId: `invocation-${i}`,
        eventPath: `/item/${i}`,
        scfRequestId: `invocation-${i}`,
        url: `/item/${i}?i=${i}`,
      })
    })
    expect(getCurrentInvoke()).toBeUndefined()
  }, 60_000)
})

describe.each(otherEchoApps())('$name under 200 concurrent invocations', ({ app }) => {
  const handler = bridge(app)

  it('each reply carries its own body, URL and getCurrentInvoke()', async () => {
    const invocations = Array.from({ length: N }, (_, i) => {
      const body = i % 3 === 0 ? randomBytes(100 + i) : Buffer.from(`body ${i} ${'y'.repeat(i)}`)
      const event = httpEvent({
        method: 'POST',
        path: `/item/${i}`,
        body,
        headers: { 'content-type': 'application/octet-stream' },
      })
      return { body, event, context: scfContext({ request_id: `invocation-${i}` }) }
    })
    const responses = await Promise.all(invocations.map(({ event, context }) => handler(event as never, context)))
    responses.forEach((response, i) => {
      expect(response.statusCode).toBe(200)
      const echo = parseEcho(response)
      expect(echo.url).toBe(`/item/${i}`)
      expect(echo.requestId).toBe(`invocation-${i}`)
      expect(Buffer.from(echo.bodyBase64, 'base64').equals(invocations[i].body)).toBe(true)
    })
  }, 60_000)
})

describe('failures among 200 concurrent invocations stay with their own invocation', () => {
  /** Fails every fourth request after some awaits; the others answer with what they read. */
  async function maybeFail(req: Parameters<typeof describeRequest>[0]): Promise<Reply> {
    const reply = await describeRequest(req)
    if (Number(req.url?.split('/').pop()) % 4 === 0) throw new Error(`failure of ${req.url}`)
    return reply
  }

  const express4App = express4()
  // Express 4 does not catch an async route's rejection: the bridge routes it to its invocation.
  express4App.post('*', async (req: IncomingMessage, res: { json(body: unknown): void }) =>
    res.json(await maybeFail(req)),
  )
  const express5App = express5()
  express5App.post('/{*path}', async (req, res) => {
    res.json(await maybeFail(req))
  })
  const koa3App = new Koa3()
  koa3App.use(async (ctx) => {
    ctx.body = await maybeFail(ctx.req)
  })

  it.each([
    { name: 'Express 4', app: express4App as unknown },
    { name: 'Express 5', app: express5App as unknown },
    { name: 'Koa 3', app: koa3App as unknown },
  ])(
    '$name: each failing request gets its 500 and its log line, each other one its own reply',
    async ({ app }) => {
      const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
      try {
        const handler = bridge(app)
        const responses = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            handler(
              httpEvent({ method: 'POST', path: `/item/${i}`, body: `body ${i}` }) as never,
              scfContext({ request_id: `invocation-${i}` }),
            ),
          ),
        )
        responses.forEach((response, i) => {
          if (i % 4 === 0) {
            expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
          } else {
            expect(response.statusCode).toBe(200)
            expect(JSON.parse(response.body)).toMatchObject({
              requestId: `invocation-${i}`,
              bodySha: sha256(Buffer.from(`body ${i}`)),
            })
          }
        })
        const failures = errorLog.mock.calls.map(
          (call: unknown[]) => JSON.parse(String(call[0])) as { requestId: string; error: string },
        )
        expect(failures).toHaveLength(N / 4)
        for (const failure of failures)
          expect(failure.error).toContain(`failure of /item/${failure.requestId.split('-')[1]}`)
      } finally {
        errorLog.mockRestore()
      }
    },
    60_000,
  )
})
