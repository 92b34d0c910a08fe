import { createRequire } from 'node:module'
import express from 'express'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AppStartError, bridge, EventError, TriggerError } from '../src'
import { CliError } from '../src/cli/cli-error'
import { HandlerLoadError } from '../src/cli/load-handler'
import { BundleError } from '../src/cli/pack/bundle'
import { CollectError } from '../src/cli/pack/collect-files'
import { PackError } from '../src/cli/pack/pack'
import { InstallError } from '../src/cli/pack/stage-production'
import { ZipFormatError, ZipLimitError } from '../src/cli/pack/zip'
import { UsageError } from '../src/cli/usage-error'
import { httpEvent, scfContext } from './fixtures/events'

// Each error the bridge raises is of a class the package exports (docs/errors-and-logging.md, "Error classes").

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('the error classes of scf-bridge', () => {
  it('are exported from the package and its build, each named after its class', () => {
    const built = createRequire(__filename)('scf-bridge')
    for (const [name, type] of Object.entries({ EventError, AppStartError, TriggerError })) {
      expect(typeof built[name], name).toBe('function')
      expect(built[name].name).toBe(name)
      expect(new (type as new (...args: never[]) => Error)(...(['m', 'timer', 500] as never[])).name).toBe(name)
    }
  })

  it('EventError: an event that is no HTTP event and has no entry', async () => {
    const error = await rejection(bridge(express())({ orderId: 42 } as never, scfContext()))
    expect(error).toBeInstanceOf(EventError)
    expect((error as Error).message).toMatch(/event\.httpMethod is missing/)
  })

  it('TriggerError: a delivery answered with a status other than 2xx', async () => {
    const app = express()
    app.post('/jobs/timer', (_req, res) => res.status(503).send('later'))
    const timer = { Type: 'Timer', TriggerName: 't', Time: '2026-01-01T00:00:00Z', Message: '' }
    const error = await rejection(bridge(app, { events: { timer: '/jobs/timer' } })(timer, scfContext()))
    expect(error).toBeInstanceOf(TriggerError)
    expect(error).toMatchObject({ trigger: 'timer', statusCode: 503 })
  })

  it('AppStartError: the app that failed to start, handed to onError with its cause', async () => {
    const cause = new Error('database down')
    const seen: unknown[] = []
    const handler = bridge(Promise.reject(cause), {
      onError: (error) => {
        seen.push(error)
        return undefined
      },
    })
    const response = await handler(httpEvent({ path: '/' }), scfContext())
    expect(response.statusCode).toBe(500)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(AppStartError)
    expect((seen[0] as AppStartError).cause).toBe(cause)
    expect((seen[0] as Error).message).toMatch(/Promise of the app passed to bridge\(\) rejected: Error: database down/)
  })
})

describe("the CLI's errors", () => {
  it('share one base class, each named after its own', () => {
    const classes = {
      UsageError,
      HandlerLoadError,
      PackError,
      BundleError,
      InstallError,
      ZipLimitError,
      ZipFormatError,
      CollectError,
    }
    for (const [name, type] of Object.entries(classes)) {
      const error = new type('what to change')
      expect(error, name).toBeInstanceOf(CliError)
      expect(error, name).toBeInstanceOf(Error)
      expect(error.name).toBe(name)
    }
  })
})
