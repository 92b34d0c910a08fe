/**
 * The user's app is left as it was (issue 21): the bridge replaces no method or property of any app. For each
 * kind, a deep snapshot of the app (own properties followed into what they hold, its prototype chain, and so
 * Koa's createContext, Hono's errorHandler, h3's config) is taken before bridge(app); then the bridge serves a
 * 200, a 404, a thrown error and an async error. What changed is compared with what the framework's own
 * serving entry changes on a twin app serving the same requests over HTTP (Koa's callback() adds an 'error'
 * listener, Fastify's ready() and hapi's initialize() boot them, hapi counts requests): the bridge may change
 * nothing more, except the one error subscription a kind documents (docs/frameworks.md). Then the same app
 * object still serves under its own listen() on 127.0.0.1.
 */
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Hapi from '@hapi/hapi'
import express from 'express'
import express4 from 'express4'
import fastify from 'fastify'
import fastify4 from 'fastify4'
import { toNodeHandler } from 'h3'
import { Hono } from 'hono'
import Koa from 'koa'
import Koa2 from 'koa2'
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { bridge } from '../src'
import { defaultErrorListener } from '../src/apps/koa'
import { changedPaths, snapshot } from './fixtures/app-snapshot'
import { httpEvent, scfContext } from './fixtures/events'
import { nestApp } from './framework-apps/nest'

const PATHS = { ok: '/ok', missing: '/no/such/route', thrown: '/boom', async: '/async-boom' }
const fail = (message: string) => new Error(message)
const later = (message: string) => new Promise((_, reject) => setTimeout(() => reject(fail(message)), 1))

interface Listening {
  port: number
  close(): Promise<unknown>
}

interface Kind {
  name: string
  create(): unknown | Promise<unknown>
  /** The objects to snapshot: the app, and what it serves through (Nest's platform instance). */
  targets?(app: unknown): Record<string, object>
  /** The framework's own serving entry on 127.0.0.1, port 0. */
  listen(app: unknown): Promise<Listening>
  /** Paths the bridge may change beyond what listen() changes: its one documented error subscription. */
  subscription?: RegExp
  /** The paths of the four requests, when the app has its own. */
  paths?: typeof PATHS
  /** A real server cannot serve a listener that throws (an uncaught exception): that request is bridged only. */
  throwsUnderServer?: boolean
}

/** A server listening on 127.0.0.1 (asked to listen here unless `listening` already did). */
const serverOf = (server: Server, listening = false): Promise<Listening> =>
  new Promise((resolve, reject) => {
    const ready = () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => server.close(done)),
      })
    server.once('error', reject)
    if (!listening) server.listen(0, '127.0.0.1', ready)
    else if (server.listening) ready()
    else server.once('listening', ready)
  })

function expressKind(name: string, factory: typeof express): Kind {
  return {
    name,
    create() {
      const app = factory()
      app.get(PATHS.ok, (_req, res) => void res.send('ok'))
      app.get(PATHS.thrown, () => {
        throw fail('thrown')
      })
      app.get(PATHS.async, (_req, _res, next) => void later('async').catch(next))
      return app
    },
    listen: (app) => serverOf((app as ReturnType<typeof express>).listen(0, '127.0.0.1'), true),
  }
}

function koaKind(name: string, Class: typeof Koa, ownListener: boolean): Kind {
  return {
    name,
    create() {
      const app = new Class()
      if (ownListener) app.on('error', () => {})
      app.use(async (ctx) => {
        if (ctx.path === PATHS.ok) ctx.body = 'ok'
        else if (ctx.path === PATHS.thrown) throw fail('thrown')
        else if (ctx.path === PATHS.async) await later('async')
      })
      return app
    },
    listen: (app) => serverOf((app as Koa).listen(0, '127.0.0.1'), true),
  }
}

function fastifyKind(name: string, factory: typeof fastify, ready: boolean): Kind {
  return {
    name,
    async create() {
      const app = factory()
      app.get(PATHS.ok, async () => 'ok')
      app.get(PATHS.thrown, () => {
        throw fail('thrown')
      })
      app.get(PATHS.async, async () => later('async'))
      if (ready) await app.ready()
      return app
    },
    async listen(app) {
      const instance = app as ReturnType<typeof fastify>
      await instance.listen({ port: 0, host: '127.0.0.1' })
      return { port: (instance.server.address() as AddressInfo).port, close: () => instance.close() }
    },
    // The onError hook (public API), on the root's hook list and each route's context made from it at ready().
    subscription: ready ? undefined : /onError/,
  }
}

const fetchListen = async (app: unknown) => serverOf(createServer(toNodeHandler(app as never) as RequestListener))

const kinds: Kind[] = [
  expressKind('Express 5', express),
  expressKind('Express 4', express4 as unknown as typeof express),
  koaKind('Koa 3, with an error listener of its own', Koa, true),
  koaKind('Koa 2, with an error listener of its own', Koa2 as unknown as typeof Koa, true),
  koaKind('Koa 3, with none', Koa, false),
  koaKind('Koa 2, with none', Koa2 as unknown as typeof Koa, false),
  fastifyKind('Fastify 5, handed over ready', fastify, true),
  fastifyKind('Fastify 4, handed over ready', fastify4 as unknown as typeof fastify, true),
  fastifyKind('Fastify 5', fastify, false),
  fastifyKind('Fastify 4', fastify4 as unknown as typeof fastify, false),
  {
    name: 'hapi',
    create() {
      const server = Hapi.server({ debug: false, host: '127.0.0.1', port: 0 })
      server.route({ method: 'GET', path: PATHS.ok, handler: () => 'ok' })
      server.route({
        method: 'GET',
        path: PATHS.thrown,
        handler: () => {
          throw fail('thrown')
        },
      })
      server.route({ method: 'GET', path: PATHS.async, handler: () => later('async') })
      return server
    },
    async listen(app) {
      const server = app as Hapi.Server
      await server.start()
      return { port: Number(server.info.port), close: () => server.stop() }
    },
    // The onPreResponse extension (public API): the server's extension list and each route's copy of it.
    subscription: /onPreResponse|_extensions|extensionsSeq|_marshalCycle|_postCycle/,
  },
  ...(['express', 'fastify'] as const).map(
    (platform): Kind => ({
      name: `NestJS (${platform})`,
      create: () => nestApp(platform),
      paths: { ok: '/items/x', missing: PATHS.missing, thrown: '/boom', async: '/unavailable' },
      targets: (app) => ({
        app: app as object,
        instance: (app as { getHttpAdapter(): { getInstance(): object } }).getHttpAdapter().getInstance(),
      }),
      // On Fastify, the onError hook, as for a Fastify instance (Nest's init() does not make it ready).
      subscription: platform === 'fastify' ? /onError/ : undefined,
      async listen(app) {
        const nest = app as Awaited<ReturnType<typeof nestApp>>
        await nest.listen(0, '127.0.0.1')
        return { port: (nest.getHttpServer().address() as AddressInfo).port, close: () => nest.close() }
      },
    }),
  ),
  {
    name: 'Hono',
    create() {
      const app = new Hono()
      app.get(PATHS.ok, (c) => c.text('ok'))
      app.get(PATHS.thrown, () => {
        throw fail('thrown')
      })
      app.get(PATHS.async, async () => {
        await later('async')
        return new Response()
      })
      return app
    },
    targets: (app) => ({ app: app as object, errorHandler: (app as { errorHandler: object }).errorHandler }),
    listen: fetchListen,
  },
  {
    name: 'h3',
    async create() {
      const { H3 } = await import('h3')
      const app = new H3()
      app.get(PATHS.ok, () => 'ok')
      app.get(PATHS.thrown, () => {
        throw fail('thrown')
      })
      app.get(PATHS.async, () => later('async'))
      return app
    },
    targets: (app) => ({ app: app as object, config: (app as { config: object }).config }),
    listen: fetchListen,
  },
  {
    name: 'a plain (req, res) listener',
    create() {
      const listener: RequestListener = (req, res) => {
        if (req.url === PATHS.ok) return void res.end('ok')
        if (req.url === PATHS.thrown) throw fail('thrown')
        if (req.url === PATHS.async) return void later('async').catch(() => res.writeHead(500).end())
        res.writeHead(404).end()
      }
      return listener
    },
    listen: (app) => serverOf(createServer(app as RequestListener)),
    throwsUnderServer: true,
  },
  {
    name: 'an http.Server',
    create: () =>
      createServer((req, res) => {
        if (req.url === PATHS.ok) return void res.end('ok')
        res.writeHead(req.url === PATHS.missing ? 404 : 500).end()
      }),
    listen: (app) => serverOf(app as Server),
  },
]

let errorLog: MockInstance
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

const snapshotsOf = (targets: Record<string, object>) =>
  new Map(Object.entries(targets).map(([name, target]) => [name, snapshot(target)]))

function changes(before: Map<string, Map<string, string>>, after: Map<string, Map<string, string>>): string[] {
  return [...before.keys()].flatMap((name) =>
    changedPaths(before.get(name) ?? new Map(), after.get(name) ?? new Map()).map((path) => `${name}${path}`),
  )
}

describe.each(kinds)('$name', (kind) => {
  const targetsOf = (app: unknown) => kind.targets?.(app) ?? { app: app as object }

  it('is changed by bridge(app) and four invocations no more than by its own serving entry, and still listens', async () => {
    const paths = Object.values(kind.paths ?? PATHS)
    const overHttp = kind.throwsUnderServer ? paths.filter((path) => path !== PATHS.thrown) : paths
    // The twin: the framework's own serving entry, the same requests over HTTP.
    const twin = await kind.create()
    const twinBefore = snapshotsOf(targetsOf(twin))
    const served = await kind.listen(twin)
    const twinStatuses: Record<string, number> = {}
    for (const path of overHttp) twinStatuses[path] = await get(served.port, path)
    const byListen = new Set(changes(twinBefore, snapshotsOf(targetsOf(twin))))
    await served.close()

    const app = await kind.create()
    const before = snapshotsOf(targetsOf(app))
    const handler = bridge(app)
    const statuses: Record<string, number> = {}
    for (const path of paths) statuses[path] = (await handler(httpEvent({ path }), scfContext())).statusCode
    expect(statuses).toMatchObject(twinStatuses)
    expect([statuses[paths[0]], statuses[paths[1]], statuses[paths[2]], statuses[paths[3]]]).toEqual([
      200,
      404,
      500,
      expect.any(Number),
    ])
    expect(statuses[paths[3]]).toBeGreaterThanOrEqual(500)

    const byBridge = changes(before, snapshotsOf(targetsOf(app)))
    const beyondListen = byBridge.filter((path) => !byListen.has(path))
    const subscription = kind.subscription
    if (subscription) {
      expect(beyondListen.length).toBeGreaterThan(0)
      expect(beyondListen.filter((path) => !subscription.test(path))).toEqual([])
    } else expect(beyondListen).toEqual([])

    // The same app object under its own listen(): real requests, then close.
    const again = await kind.listen(app)
    try {
      expect(await get(again.port, paths[0])).toBe(200)
      expect(await get(again.port, paths[3])).toBe(statuses[paths[3]])
    } finally {
      await again.close()
    }
  })
})

describe('the internals the old adapters replaced', () => {
  it("Koa: createContext is Koa's own; an app with no 'error' listener gets one, as under listen()", async () => {
    const app = new Koa()
    app.use(() => {
      throw fail('thrown')
    })
    const createContext = app.createContext
    await bridge(app)(httpEvent({ path: '/' }), scfContext())
    expect(Object.hasOwn(app, 'createContext')).toBe(false)
    expect(app.createContext).toBe(createContext)
    expect(app.listeners('error')).toEqual([defaultErrorListener])
    const twin = new Koa()
    twin.callback()
    expect(twin.listeners('error')).toEqual([twin.onerror])
  })

  it("Koa: an app's own 'error' listener is alone again once the bridged request is through", async () => {
    const app = new Koa()
    const own = vi.fn()
    app.on('error', own)
    let during: unknown[] = []
    app.use(async (ctx) => {
      during = app.listeners('error')
      await later('async')
      ctx.body = 'never'
    })
    const response = await bridge(app)(httpEvent({ path: '/' }), scfContext())
    expect(response.statusCode).toBe(500)
    expect(during).toHaveLength(2)
    expect(app.listeners('error')).toEqual([own])
    expect(own).toHaveBeenCalledTimes(1)
  })

  it("Hono: errorHandler stays the app's, and no other instance of its class is made", async () => {
    const app = new Hono()
    const errorHandler = (app as unknown as { errorHandler: unknown }).errorHandler
    let made = 0
    class Counted extends Hono {
      constructor() {
        super()
        made++
      }
    }
    const counted = new Counted()
    await bridge(app)(httpEvent({ path: '/' }), scfContext())
    await bridge(counted)(httpEvent({ path: '/' }), scfContext())
    expect((app as unknown as { errorHandler: unknown }).errorHandler).toBe(errorHandler)
    expect(made).toBe(1)
  })

  it("h3: config is the app's object, without an onError", async () => {
    const { H3 } = await import('h3')
    const config = {}
    const app = new H3(config)
    app.get('/', () => {
      throw fail('thrown')
    })
    await bridge(app)(httpEvent({ path: '/' }), scfContext())
    expect(app.config).toBe(config)
    expect(config).toEqual({})
  })
})
