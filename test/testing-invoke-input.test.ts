import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApigwEvent, createTimerEvent, invoke, invokeEvent } from '../src/testing'

// What invoke() accepts as its request: a path, a request description, a fetch Request or a trigger's event.
// Anything else is refused with a TypeError that names what is wrong, never sent as GET / (issue 24, item 10).

/** A handler that records each event it is called with. */
function recording() {
  const events: unknown[] = []
  const handler = async (event: unknown) => {
    events.push(event)
    return { isBase64Encoded: false, statusCode: 200, headers: {}, body: 'ok' }
  }
  return { handler, events }
}

const FIELDS = ['method', 'path', 'url', 'query', 'headers', 'body', 'sourceIp']

describe('invoke() with an object that is no request description', () => {
  it('refuses { orderId: 42 } naming the key and pointing to invokeEvent, without calling the handler', async () => {
    const { handler, events } = recording()
    const refusal = invoke(handler, { orderId: 42 } as never)
    await expect(refusal).rejects.toThrow(TypeError)
    await expect(refusal).rejects.toThrow(/"orderId"/)
    await expect(refusal).rejects.toThrow(/invokeEvent\(handler, event\)/)
    expect(events).toEqual([])
  })

  it('refuses an HTTP event built by hand (its fields are no description fields)', async () => {
    const { handler, events } = recording()
    const event = createApigwEvent({ path: '/x' })
    const first = Object.keys(event).find((key) => !FIELDS.includes(key))
    expect(first).toBeDefined()
    await expect(invoke(handler, event as never)).rejects.toThrow(JSON.stringify(first))
    expect(events).toEqual([])
  })

  it.each([
    ['null', null, /got null/],
    ['an array', ['/x'], /got an array/],
    ['a number', 42, /got number/],
    ['a boolean', true, /got boolean/],
  ])('refuses %s', async (_name, request, message) => {
    const { handler, events } = recording()
    await expect(invoke(handler, request as never)).rejects.toThrow(message)
    expect(events).toEqual([])
  })

  it('refuses any object with a key outside the description, whatever else it holds', async () => {
    const { handler } = recording()
    const key = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !FIELDS.includes(name))
    const known = fc.dictionary(fc.constantFrom('method', 'path', 'headers'), fc.constant(undefined))
    await fc.assert(
      fc.asyncProperty(key, known, fc.jsonValue(), async (name, rest, value) => {
        const request = { ...rest, [name]: value }
        const error = await invoke(handler, request as never).then(
          () => undefined,
          (thrown: unknown) => thrown,
        )
        expect(error).toBeInstanceOf(TypeError)
        expect((error as Error).message).toContain(JSON.stringify(name))
      }),
      { numRuns: 200, seed: 20261204 },
    )
  })
})

describe('invoke() with what it accepts', () => {
  it('serves a description, a path and an empty object as before', async () => {
    const { handler, events } = recording()
    expect((await invoke(handler, { method: 'POST', path: '/a', body: 'x' })).status).toBe(200)
    expect((await invoke(handler, '/b?c=1')).status).toBe(200)
    expect((await invoke(handler, {})).status).toBe(200)
    expect((await invoke(handler)).status).toBe(200)
    expect(events.map((event) => (event as { httpMethod: string; path: string }).httpMethod)).toEqual([
      'POST',
      'GET',
      'GET',
      'GET',
    ])
    expect(events.map((event) => (event as { path: string }).path)).toEqual(['/a', '/b', '/', '/'])
  })

  it('sends a trigger event as it is', async () => {
    const { handler, events } = recording()
    const timer = createTimerEvent({ message: 'purge' })
    const result = await invoke(handler, timer)
    expect(result.ok).toBe(true)
    expect(events).toEqual([timer])
  })
})

describe('invokeEvent()', () => {
  it('sends { orderId: 42 } as the event, as a direct invocation does', async () => {
    const { handler, events } = recording()
    const result = await invokeEvent(handler, { orderId: 42 })
    expect(events).toEqual([{ orderId: 42 }])
    expect(result).toMatchObject({ ok: true, timedOut: false, error: undefined, event: { orderId: 42 } })
  })

  it('says a handler that never finishes timed out, within the context time limit', async () => {
    const result = await invokeEvent(() => new Promise(() => {}), {}, { context: { timeoutMs: 50 } })
    expect(result).toMatchObject({ ok: false, timedOut: true, result: undefined })
    expect(String(result.error)).toMatch(/did not finish within its 0.05 s timeout/)
  })
})
