import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { bridge } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'
import { runGcWorker } from './run-gc-worker'

// Invocations awaited one after the other in a loop that never lets the event loop turn (a user's test, a
// batch job calling the handler) keep nothing once settled: 2,000 requests and replies of 100 KB each, through
// a listener, Express, Koa and Hono, leave the heap and the buffer memory within a bound that keeping any
// request, reply or event of them would pass many times over (a pending Immediate per invocation held them
// all until the loop turned). Measured after a full GC in the same turn as the loop, in its own process,
// which needs --expose-gc.

const INVOCATIONS = 2_000
const BOUND = 32 * 1024 * 1024

interface Measure {
  name: string
  invocations: number
  turned: boolean
  before: { heapUsed: number; arrayBuffers: number }
  after: { heapUsed: number; arrayBuffers: number }
}

const runWorker = () => runGcWorker<Measure[]>('tight-loop-worker.ts', { INVOCATIONS: String(INVOCATIONS) }, 120_000)

describe('memory in a loop that never yields', () => {
  it('2,000 invocations of 100 KB awaited in a row hold nothing once settled', async () => {
    const measures = await runWorker()
    expect(measures.map((m) => m.name)).toEqual(['listener', 'Express 5', 'Koa 3', 'Hono'])
    for (const { name, invocations, turned, before, after } of measures) {
      expect(invocations, name).toBe(INVOCATIONS)
      expect(turned, `${name}: the event loop turned during the loop`).toBe(false)
      expect(after.heapUsed - before.heapUsed, `${name}: heapUsed growth in bytes`).toBeLessThan(BOUND)
      expect(after.arrayBuffers - before.arrayBuffers, `${name}: Buffer memory growth in bytes`).toBeLessThan(BOUND)
    }
  }, 150_000)
})

describe('a settled invocation', () => {
  it('keeps no reference to the response, the reply, a timer or a closure, whoever still holds it', async () => {
    let seen: { req: IncomingMessage; res: ServerResponse } | undefined
    const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
      seen = { req, res }
      res.end('x'.repeat(1024))
    })
    const response = await handler(httpEvent({ path: '/' }), scfContext({ getRemainingTimeInMillis: () => 60_000 }))
    expect(response.statusCode).toBe(200)
    // The app may keep its request (a cache, a background job): the invocation it carries is kept with it.
    const key = Object.getOwnPropertySymbols(seen!.req).find((symbol) => symbol.description === 'scf-bridge.invocation')
    const invocation = (seen!.req as unknown as Record<symbol, Record<string, unknown>>)[key!]
    expect(invocation).toBeDefined()
    for (const [name, value] of Object.entries(invocation)) {
      expect(value, name).not.toBe(seen!.res)
      expect(value, name).not.toBe(response)
      expect(value instanceof Promise, `${name} is a Promise`).toBe(false)
      expect(typeof value, `${name} is a function`).not.toBe('function')
      expect(String(value?.constructor?.name), `${name} is a timer`).not.toMatch(/^(Timeout|Immediate)$/)
    }
  })
})
