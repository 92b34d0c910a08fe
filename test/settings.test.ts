import express from 'express'
import { describe, expect, it } from 'vitest'
import { type BridgeOptions, bridge, type TriggerRoutes } from '../src'
import { httpEvent, scfContext } from './fixtures/events'

// bridge()'s options are checked once, into the one settings object every step of an invocation reads.

const OPTION_NAMES = [
  'binaryTypes',
  'basePath',
  'host',
  'waitForEmptyEventLoop',
  'timeoutMarginMs',
  'onError',
  'fetch',
  'events',
] as const

/** Options whose every property counts its reads. */
function countedOptions(values: Partial<Record<(typeof OPTION_NAMES)[number], unknown>>) {
  const reads: Record<string, number> = {}
  const options = {}
  for (const name of OPTION_NAMES) {
    reads[name] = 0
    Object.defineProperty(options, name, {
      enumerable: name in values,
      get: () => {
        reads[name]++
        return values[name]
      },
    })
  }
  return { options: options as BridgeOptions & { events: TriggerRoutes }, reads }
}

describe("bridge()'s options", () => {
  it('are each read once, when bridge() is called, never per invocation', async () => {
    const app = express()
    app.get('/x', (req, res) => res.json({ host: req.get('host'), url: req.url }))
    app.post('/jobs/timer', (_req, res) => res.json({ ran: true }))
    const { options, reads } = countedOptions({
      basePath: '/api',
      host: 'api.example.com',
      timeoutMarginMs: 100,
      binaryTypes: ['model/*'],
      onError: () => undefined,
      events: { timer: '/jobs/timer' },
    })
    const handler = bridge(app, options)
    expect(Object.values(reads).every((count) => count === 1)).toBe(true)
    for (let i = 0; i < 3; i++) {
      const response = await handler(httpEvent({ path: '/api/x', headers: { host: undefined } as never }), scfContext())
      expect(JSON.parse(response.body)).toEqual({ host: 'api.example.com', url: '/x' })
    }
    const timer = { Type: 'Timer', TriggerName: 't', Time: '2026-01-01T00:00:00Z', Message: '' }
    expect(await handler(timer, scfContext())).toEqual({ ran: true })
    expect(reads).toEqual(Object.fromEntries(OPTION_NAMES.map((name) => [name, 1])))
  })

  it('changed after bridge() change nothing', async () => {
    const app = express()
    app.get('*splat', (req, res) => res.send(req.url))
    const options: BridgeOptions = { basePath: '/api' }
    const handler = bridge(app, options)
    options.basePath = '/other'
    const response = await handler(httpEvent({ path: '/api/x' }), scfContext())
    expect(response.body).toBe('/x')
  })
})
