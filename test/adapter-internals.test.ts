/**
 * The framework internals the adapters read where no public API exists, one test per internal: these
 * fail when a new release changes what the adapter relies on (see the named function's comment).
 */
import fastify from 'fastify'
import fastify4 from 'fastify4'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { answeredByDefaultHandler } from '../src/apps/fastify'

describe.each([
  { name: 'Fastify 5', factory: fastify },
  { name: 'Fastify 4', factory: fastify4 as unknown as typeof fastify },
])('$name: answeredByDefaultHandler (src/apps/fastify.ts)', ({ factory }) => {
  it("tells Fastify's default error handler from the app's own, for the root, a plugin and a route", async () => {
    const app = factory()
    const seen: Record<string, boolean> = {}
    app.addHook('onError', async (request, _reply, error) => {
      seen[(error as Error).message] = answeredByDefaultHandler(request)
    })
    app.get('/default', async () => {
      throw new Error('default')
    })
    app.get('/route', { errorHandler: (_error, _request, reply) => void reply.code(502).send('route') }, async () => {
      throw new Error('route')
    })
    await app.register(async (child) => {
      child.setErrorHandler((_error, _request, reply) => void reply.code(503).send('plugin'))
      child.get('/plugin', async () => {
        throw new Error('plugin')
      })
    })
    await app.register(async (child) => {
      child.get('/inherited', async () => {
        throw new Error('inherited')
      })
    })
    for (const path of ['/default', '/route', '/plugin', '/inherited']) await app.inject(path)
    expect(seen).toEqual({ default: true, route: false, plugin: false, inherited: true })

    const withRoot = factory()
    withRoot.setErrorHandler((_error, _request, reply) => void reply.code(500).send('root'))
    let rootSeen: boolean | undefined
    withRoot.addHook('onError', async (request) => {
      rootSeen = answeredByDefaultHandler(request)
    })
    withRoot.get('/x', async () => {
      throw new Error('x')
    })
    await withRoot.inject('/x')
    expect(rootSeen).toBe(false)
    await Promise.all([app.close(), withRoot.close()])
  })
})

describe("Hono 4's errorHandler field (src/apps/fetch.ts, honoDefaultHandler)", () => {
  it('is the same default function on every new instance, and what app.onError replaces', () => {
    const handlerOf = (app: Hono) => (app as unknown as { errorHandler: unknown }).errorHandler
    const a = new Hono()
    const b = new Hono()
    expect(typeof handlerOf(a)).toBe('function')
    expect(handlerOf(a)).toBe(handlerOf(b))
    b.onError((_error, c) => c.text('own', 500))
    expect(handlerOf(b)).not.toBe(handlerOf(a))
  })
})
