import express from 'express'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../src'
import { httpEvent, scfContext } from './fixtures/events'

// What the bridge answers itself when a step of its own around the app fails: settled, logged, never hung.

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
