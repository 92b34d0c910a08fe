/**
 * The app's own status stands (test/frameworks.test.ts runs the 503 case on every framework): here, how it
 * meets `onError`, the statuses SCF cannot send, and errors whose status is not one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import fastify from 'fastify'
import Koa from 'koa'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { bridge } from '../src'
import { httpEvent, scfContext } from './fixtures/events'

let errorLog: MockInstance
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())
const bridgeLines = () =>
  errorLog.mock.calls
    .map((call) => String(call[0]))
    .filter((line) => line.includes('"source":"scf-bridge"'))
    .map((line) => JSON.parse(line))
const get = (path: string) => httpEvent({ path })
const statusError = (status: unknown, field: 'status' | 'statusCode' = 'status') =>
  Object.assign(new Error(`failed with ${String(status)}`), { [field]: status })

function expressWith(error: unknown) {
  const app = express()
  app.get('/', (_req, _res, next) => next(error))
  return app
}

describe('an error with its own status and onError', () => {
  const custom = { isBase64Encoded: false, statusCode: 599, headers: { 'content-type': 'text/plain' }, body: 'custom' }

  it.each([
    ['Express', () => expressWith(statusError(502))],
    ['Koa', () => new Koa().use((ctx) => ctx.throw(502, 'bad upstream'))],
    [
      'Fastify',
      () =>
        fastify().get('/', async () => {
          throw statusError(502, 'statusCode')
        }),
    ],
  ])('%s: onError gets the error and its response wins; without onError the 502 stands', async (_, make) => {
    const onError = vi.fn(() => custom)
    const replaced = await bridge(make(), { onError })(get('/'), scfContext())
    expect(replaced).toMatchObject({ statusCode: 599, body: 'custom' })
    expect(onError).toHaveBeenCalledTimes(1)
    const [error] = onError.mock.calls[0] as unknown[]
    expect(error).toBeInstanceOf(Error)
    expect((error as { status?: number }).status ?? (error as { statusCode?: number }).statusCode).toBe(502)
    expect(bridgeLines()).toEqual([])

    const kept = await bridge(make())(get('/'), scfContext())
    expect(kept.statusCode).toBe(502)
    expect(bridgeLines()).toMatchObject([{ message: 'the app failed', status: 502 }])
  })
})

describe('statuses', () => {
  it.each([
    ['statusCode', statusError(504, 'statusCode'), 504],
    ['a status of 600', statusError(600), 500],
    ['a status of 399', statusError(399), 500],
    ['a status that is a string', statusError('503'), 500],
    ['a status that is not an integer', statusError(503.5), 500],
  ])('Express next(err) with %s answers %s', async (_, error, status) => {
    const response = await bridge(expressWith(error))(get('/'), scfContext())
    expect(response.statusCode).toBe(status)
    expect(bridgeLines()).toMatchObject([{ message: 'the app failed', status }])
  })

  it('a plain listener that throws an error with a 4xx status is answered with it, plain, and logged', async () => {
    const response = await bridge(() => {
      throw statusError(429)
    })(get('/'), scfContext())
    expect(response).toMatchObject({ statusCode: 429, body: 'Too Many Requests' })
    expect(bridgeLines()).toMatchObject([{ message: 'the app failed', status: 429, error: 'Error: failed with 429' }])
  })

  it('a client error (4xx) through Express is its page, not logged', async () => {
    const response = await bridge(expressWith(statusError(409)))(get('/'), scfContext())
    expect(response.statusCode).toBe(409)
    expect(response.body).toContain('<pre>Conflict</pre>')
    expect(bridgeLines()).toEqual([])
  })

  it.each([150, 600, 799, 999])(
    'a reply with status %i, which Node allows and SCF cannot send, becomes a 500 with a log line',
    async (status) => {
      const app = (_req: IncomingMessage, res: ServerResponse) => {
        res.statusCode = status
        res.end('odd')
      }
      const onError = vi.fn()
      const response = await bridge(app, { onError })(get('/'), scfContext())
      expect(response).toMatchObject({ statusCode: 500, body: 'Internal Server Error' })
      expect(bridgeLines()).toMatchObject([
        { message: `the app answered status ${status}, which SCF cannot send: answered 500 instead`, status },
      ])
      expect(onError).not.toHaveBeenCalled()
    },
  )

  it('an error with a 5xx status after the headers went out: the bridge answers that status, plain', async () => {
    const app = express()
    app.get('/', (_req, res, next) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('partial')
      next(statusError(503))
    })
    const response = await bridge(app)(get('/'), scfContext())
    expect(response).toMatchObject({ statusCode: 503, body: 'Service Unavailable' })
    expect(bridgeLines()).toMatchObject([{ message: 'the app failed', status: 503 }])
  })
})
