import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { bridge, getCurrentInvoke } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'

// The bridge stores no function made for one request on the objects of that request (the request, its
// socket, the response, the engine's reply collector): bisected with bench/gc-survival.cjs, such stores kept
// every request alive through young-generation GCs (BENCHMARKS.md, "GC"). Functions there are shared by all
// requests (methods, the engine's and the bridge's), which this checks on two requests in a row.

interface Seen {
  req: IncomingMessage
  res: ServerResponse
}

function ownFunctions(target: object | undefined): Map<PropertyKey, unknown> {
  const found = new Map<PropertyKey, unknown>()
  if (!target) return found
  for (const key of Reflect.ownKeys(target)) {
    const descriptor = Object.getOwnPropertyDescriptor(target, key)
    if (descriptor && typeof descriptor.value === 'function') found.set(key, descriptor.value)
  }
  return found
}

/** The per-request objects the bridge writes to. */
const objectsOf = ({ req, res }: Seen): Record<string, object | undefined> => ({
  request: req,
  socket: req.socket,
  response: res,
  'reply collector': (res.socket as unknown as { collector?: object } | null)?.collector,
})

async function serveTwice(): Promise<[Seen, Seen]> {
  const seen: Seen[] = []
  const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ req, res })
    res.setHeader('content-type', 'text/plain')
    res.end(`scope ${getCurrentInvoke()?.context.request_id}`)
  })
  for (const id of ['first', 'second']) {
    const response = await handler(httpEvent({ path: `/${id}` }), scfContext({ request_id: id }))
    expect(response.body).toBe(`scope ${id}`)
  }
  return [seen[0], seen[1]]
}

describe('per-request objects', () => {
  it('carry no function made for one request: every own function is the same on the next request', async () => {
    const [first, second] = await serveTwice()
    const a = objectsOf(first)
    const b = objectsOf(second)
    expect(a['reply collector'], "the engine's reply collector is reachable").toBeDefined()
    for (const name of Object.keys(a)) {
      const before = ownFunctions(a[name])
      const after = ownFunctions(b[name])
      expect([...after.keys()].map(String), name).toEqual([...before.keys()].map(String))
      for (const [key, fn] of before) expect(after.get(key), `${name}.${String(key)}`).toBe(fn)
    }
  })

  it('the request carries its invocation as an object, not as a closure', async () => {
    const [first, second] = await serveTwice()
    const reporterKey = Object.getOwnPropertySymbols(first.req).find(
      (key) => key.description === 'scf-bridge.invocation',
    )
    expect(reporterKey).toBeDefined()
    const reporter = (first.req as unknown as Record<symbol, { fail?: unknown }>)[reporterKey!]
    expect(typeof reporter).toBe('object')
    expect(typeof reporter.fail).toBe('function')
    expect((second.req as unknown as Record<symbol, { fail?: unknown }>)[reporterKey!].fail).toBe(reporter.fail)
  })
})
