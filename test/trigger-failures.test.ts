import express from 'express'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../src'
import { scfContext } from './fixtures/events'

// A trigger's delivery to its path that fails: the invocation fails, with one log line.

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

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
