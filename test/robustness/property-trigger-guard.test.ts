import Router from '@koa/router'
import fc from 'fast-check'
import Fastify from 'fastify'
import fastify4 from 'fastify4'
import { Hono } from 'hono'
import { describe, expect, it, vi } from 'vitest'
import { bridge, type ScfHttpEvent } from '../../src'
import { scfContext } from '../fixtures/events'
import { checkProperty, express4, express5, Koa3, SEED } from './support'

// The 404 guard of trigger paths cannot be bypassed: any spelling of the path that a real router routes to
// the job (without the guard) is answered 404 with the guard, and the job never runs.

console.info(`property-trigger-guard: fast-check seed ${SEED}`)

const ROUTE = '/internal/cos-uploaded'

/** One app per router, with the job route and a catch-all; `hits` counts requests that reached the job. */
function apps() {
  const make = {
    'Express 5': (hit: () => void) => {
      const app = express5()
      app.all(ROUTE, (_req, res) => {
        hit()
        res.send('job')
      })
      app.use((_req, res) => res.status(200).send('other'))
      return app
    },
    'Express 4': (hit: () => void) => {
      const app = express4()
      app.all(ROUTE, (_req, res) => {
        hit()
        res.send('job')
      })
      app.use((_req, res) => res.status(200).send('other'))
      return app
    },
    'Koa 3 + @koa/router': (hit: () => void) => {
      const app = new Koa3()
      const router = new Router()
      router.all(ROUTE, (ctx) => {
        hit()
        ctx.body = 'job'
      })
      app.use(router.routes())
      app.use((ctx) => {
        ctx.body = 'other'
      })
      return app
    },
    // Fastify 4 reads `;` as the start of the query by default (useSemicolonDelimiter), Fastify 5 when asked.
    'Fastify 4': (hit: () => void) => fastifyApp(fastify4 as unknown as typeof Fastify, hit),
    'Fastify 5 (useSemicolonDelimiter)': (hit: () => void) => fastifyApp(Fastify, hit, { useSemicolonDelimiter: true }),
    Hono: (hit: () => void) => {
      const app = new Hono()
      app.all(ROUTE, (c) => {
        hit()
        return c.text('job')
      })
      app.all('*', (c) => c.text('other'))
      return app
    },
  }
  return Object.entries(make).map(([name, build]) => ({ name, build }))
}

function fastifyApp(create: typeof Fastify, hit: () => void, options: { useSemicolonDelimiter?: boolean } = {}) {
  const app = create(options)
  app.all(ROUTE, async () => {
    hit()
    return 'job'
  })
  app.setNotFoundHandler(async () => 'other')
  return app
}

const hex = (code: number, upper: boolean) => {
  const text = code.toString(16).padStart(2, '0')
  return `%${upper ? text.toUpperCase() : text}`
}

/**
 * A spelling of ROUTE: the whole in one case or another, then a few characters changed: percent-encoded
 * (once or twice, either hex case), a slash in one of the forms routers or URL parsers fold, and a tail
 * (a query, or what Fastify's useSemicolonDelimiter reads as one).
 */
const spellingArb = fc
  .tuple(
    fc.constantFrom('as is', 'upper', 'title'),
    fc.array(fc.record({ at: fc.nat(ROUTE.length - 1), kind: fc.nat(5), upper: fc.boolean() }), { maxLength: 3 }),
    fc.constantFrom('', '/', '//', '/.', '/%2e', '?x=1', '/?x=1', ';x', ';', '/;x=1'),
  )
  .map(([casing, changes, tail]) => {
    const chars = [...ROUTE].map((char, i) =>
      casing === 'upper' ? char.toUpperCase() : casing === 'title' && ROUTE[i - 1] === '/' ? char.toUpperCase() : char,
    )
    for (const { at, kind, upper } of changes) {
      const char = ROUTE[at]
      if (char === '/') chars[at] = ['//', '\\', '/./', '/x/../', '/%2e/', '/%2F'][kind]
      else if (kind <= 1) chars[at] = upper ? char.toUpperCase() : char.toLowerCase()
      else if (kind <= 3) chars[at] = hex(char.charCodeAt(0), upper)
      else chars[at] = `%25${hex(char.charCodeAt(0), upper).slice(1)}`
    }
    return chars.join('') + tail
  })

describe.each(apps())('the trigger guard on $name', ({ build }) => {
  it('every spelling the router sends to the job is answered 404 with the guard, and the job never runs', async () => {
    let unguardedHits = 0
    let guardedHits = 0
    const unguarded = bridge(build(() => unguardedHits++))
    const guarded = bridge(
      build(() => guardedHits++),
      { events: { cos: ROUTE } },
    )
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    let routedSpellings = 0
    try {
      await checkProperty(
        fc.asyncProperty(spellingArb, fc.constantFrom('GET', 'POST'), async (path, method) => {
          const [pathPart, query] = path.split('?')
          const event: ScfHttpEvent = {
            httpMethod: method,
            path: pathPart,
            headers: {},
            queryString: query ? { x: '1' } : {},
          }
          const before = unguardedHits
          const plain = await unguarded(event, scfContext())
          const routed = unguardedHits > before
          if (routed) routedSpellings++
          const answer = await guarded(event, scfContext())
          expect(guardedHits).toBe(0)
          // Every spelling here is ROUTE to some reader: the guard refuses them all, routed or not.
          expect(answer.statusCode, `${method} ${path} (unguarded: ${plain.statusCode} ${plain.body})`).toBe(404)
        }),
        400,
      )
    } finally {
      log.mockRestore()
    }
    // The property is only worth something if the routers really route many of these spellings.
    expect(routedSpellings).toBeGreaterThan(10)
  }, 120_000)
})
