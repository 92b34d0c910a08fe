/**
 * What the adapters rely on where a framework tells them nothing through an API, one test per assumption:
 * these fail when a new release changes it (see the named function's comment).
 */
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import express4 from 'express4'
import fastify from 'fastify'
import fastify4 from 'fastify4'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { bridge } from '../src'
import { defaultErrorBody } from '../src/apps/fastify'
import { httpEvent, scfContext } from './fixtures/events'

let errorLog: MockInstance
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

const thrown = [
  new Error('plain'),
  Object.assign(new Error('with a string code'), { code: 'E_DB' }),
  Object.assign(new Error('with a number code'), { code: 42 }),
  Object.assign(new Error('own 502'), { statusCode: 502 }),
  Object.assign(new Error('own 503'), { status: 503 }),
  Object.assign(new Error('quotes " and \\ and\nnewline, <html> & ünïcödé 🎉'), {}),
  new Error(''),
  'a thrown string',
]

describe.each([
  { name: 'Fastify 5', factory: fastify },
  { name: 'Fastify 4', factory: fastify4 as unknown as typeof fastify },
])('$name: defaultErrorBody (src/apps/fastify.ts)', ({ factory }) => {
  it("is byte for byte the body of Fastify's default error handler, after the onError hook saw the error", async () => {
    const app = factory()
    const seen: unknown[] = []
    app.addHook('onError', async (_request, _reply, error) => void seen.push(error))
    thrown.forEach((error, index) => {
      app.get(`/${index}`, async () => {
        throw error
      })
    })
    for (const [index, error] of thrown.entries()) {
      const reply = await app.inject(`/${index}`)
      expect(seen.at(-1)).toBe(error)
      expect(reply.body).toBe(defaultErrorBody(error, reply.statusCode))
    }
    await app.close()
  })

  it("differs from the reply of the app's own error handler, of a plugin or of a route", async () => {
    const app = factory()
    app.get('/route', { errorHandler: (_error, _request, reply) => void reply.code(500).send('route') }, async () => {
      throw new Error('route')
    })
    await app.register(async (child) => {
      child.setErrorHandler(
        (error, _request, reply) => void reply.code(500).send({ message: (error as Error).message }),
      )
      child.get('/plugin', async () => {
        throw new Error('plugin')
      })
    })
    for (const path of ['/route', '/plugin']) {
      const reply = await app.inject(path)
      expect(reply.statusCode).toBe(500)
      expect(reply.body).not.toBe(defaultErrorBody(new Error(path.slice(1)), 500))
    }
    await app.close()
  })
})

interface Answer {
  status: number
  headers: IncomingHttpHeaders | Record<string, unknown>
  body: string
}

/** One request to a real server on 127.0.0.1. */
function over(server: Server, method: string, path: string): Promise<Answer> {
  const { port } = server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

const pageHeaders = ['content-type', 'content-security-policy', 'x-content-type-options', 'retry-after']
const pick = (headers: Record<string, unknown>) =>
  Object.fromEntries(pageHeaders.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]))

describe.each([
  { name: 'Express 5', factory: express },
  { name: 'Express 4', factory: express4 as unknown as typeof express },
])("$name: the bridge's final handler (src/apps/express.ts)", ({ factory }) => {
  const make = () => {
    const app = factory()
    app.get('/conflict', (_req, _res, next) => next(Object.assign(new Error('conflict detail'), { status: 409 })))
    app.get('/unavailable', (_req, _res, next) =>
      next(Object.assign(new Error('unavailable detail'), { status: 503, headers: { 'Retry-After': '5' } })),
    )
    return app
  }

  it.each([
    ['GET', '/no/such/route'],
    ['HEAD', '/no/such/route'],
    ['GET', '/%3Cscript%3E/caf%C3%A9?q=%3Cb%3E'],
    ['GET', '/conflict'],
    ['GET', '/unavailable'],
  ])("answers %s %s as Express's own final handler does in production", async (method, path) => {
    const twin = make()
    twin.set('env', 'production')
    const server = twin.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const real = await over(server, method, path)
      const [pathname, query] = path.split('?')
      const bridged = await bridge(make())(
        httpEvent({ method, path: pathname, query: query ? { q: decodeURIComponent(query.slice(2)) } : {} }),
        scfContext(),
      )
      expect(bridged.statusCode).toBe(real.status)
      expect(bridged.body).toBe(real.body)
      expect(pick(bridged.headers)).toEqual(pick(real.headers as Record<string, unknown>))
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
