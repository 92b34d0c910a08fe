import Hapi from '@hapi/hapi'
import Router from '@koa/router'
import fc from 'fast-check'
import Fastify from 'fastify'
import fastify4 from 'fastify4'
import { H3 } from 'h3'
import { Hono } from 'hono'
import { describe, expect, it, vi } from 'vitest'
import { bridge, type ScfHttpEvent } from '../../src'
import { requestFromEvent } from '../../src/request-from-event'
import { scfContext } from '../fixtures/events'
import { checkProperty, express4, express5, Koa3, SEED, settleWithin } from './support'

// No HTTP request reaches a job path (the `events` option's path form), whatever its spelling: for every generated
// spelling that a real router, given the request directly, sends to a job route or into a job mount, the bridge
// with the job paths answers 404 in both event dialects and the app's job handler never runs.

console.info(`property-job-paths: fast-check seed ${SEED}`)

/** A job route (ckafka), and a job path the app mounts a handler on, which also gets its sub-paths (timer). */
const ROUTE = '/internal/ckafka-job'
const MOUNT = '/jobs/nightly'
const EVENTS = { ckafka: ROUTE, timer: MOUNT }

/** Spellings per router: about 3,000 in all. */
const RUNS = 180

type Hit = () => void

/** An app under test: built twice (guarded and not), and a direct way into its own router. */
interface RouterCase {
  name: string
  build(hit: Hit): unknown
  /** Sends `url` to the app's router without the bridge; resolves once answered. */
  direct(app: unknown, method: string, url: string): Promise<unknown>
  /** A URL the framework itself never answers (its bug, not the guard's): left out, or each would wait for the 504. */
  hangs?(url: string): boolean
}

const nodeInject = async (listener: unknown, method: string, url: string) => {
  const { inject } = await import('light-my-request')
  return inject(listener as never, { method: method as never, url })
}

const fetchDirect = async (app: unknown, method: string, url: string) =>
  (app as { fetch(request: Request): Promise<Response> | Response }).fetch(
    new Request(`https://example.test${url}`, { method }),
  )

function expressCase(name: string, express: typeof express5 | typeof express4): RouterCase {
  return {
    name,
    build(hit) {
      const app = (express as typeof express5)()
      app.all(ROUTE, (_req, res) => {
        hit()
        res.send('job')
      })
      app.use(MOUNT, (_req, res) => {
        hit()
        res.send('job')
      })
      app.use((_req, res) => res.send('other'))
      return app
    },
    direct: nodeInject,
  }
}

function koaCase(): RouterCase {
  return {
    name: 'Koa 3 + @koa/router (route, and the mount path with its sub-paths)',
    build(hit) {
      const app = new Koa3()
      const router = new Router()
      router.all(ROUTE, (ctx) => {
        hit()
        ctx.body = 'job'
      })
      // router.use() middleware runs only where a route matched: a mount is a route for the path and below.
      for (const path of [MOUNT, `${MOUNT}/(.*)`]) {
        router.all(path, (ctx) => {
          hit()
          ctx.body = 'job'
        })
      }
      app.use(router.routes())
      app.use((ctx) => {
        ctx.body = 'other'
      })
      return app
    },
    direct: (app, method, url) => nodeInject((app as InstanceType<typeof Koa3>).callback(), method, url),
  }
}

interface FastifyRouterOptions {
  caseSensitive: boolean
  ignoreTrailingSlash: boolean
  ignoreDuplicateSlashes: boolean
  useSemicolonDelimiter?: boolean
}

function fastifyCase(version: 4 | 5, options: FastifyRouterOptions): RouterCase {
  const flags = Object.entries(options)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ')
  return {
    name: `Fastify ${version} (${flags})`,
    build(hit) {
      const app: ReturnType<typeof Fastify> =
        version === 5
          ? Fastify({ routerOptions: options })
          : (fastify4 as unknown as typeof Fastify)(options as Parameters<typeof Fastify>[0])
      const job = async () => {
        hit()
        return 'job'
      }
      app.all(ROUTE, job)
      app.all(MOUNT, job)
      app.all(`${MOUNT}/*`, job)
      app.setNotFoundHandler(async () => 'other')
      return app
    },
    direct: (app, method, url) => (app as ReturnType<typeof Fastify>).inject({ method: method as 'GET', url }),
    // Fastify 4 never answers when what it reads as the query (after `;`) has an invalid escape.
    hangs: version === 4 ? (url) => url.includes(';') && !decodes(url.slice(url.indexOf(';'))) : undefined,
  }
}

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

function honoCase(strict: boolean): RouterCase {
  return {
    name: `Hono (strict: ${strict})`,
    build(hit) {
      const app = new Hono({ strict })
      app.all(ROUTE, (c) => {
        hit()
        return c.text('job')
      })
      app.all(`${MOUNT}/*`, (c) => {
        hit()
        return c.text('job')
      })
      app.all('*', (c) => c.text('other'))
      return app
    },
    direct: fetchDirect,
  }
}

function hapiCase(router: { isCaseSensitive: boolean; stripTrailingSlash: boolean }): RouterCase {
  return {
    name: `hapi (isCaseSensitive: ${router.isCaseSensitive}, stripTrailingSlash: ${router.stripTrailingSlash})`,
    build(hit) {
      const server = Hapi.server({ debug: false, router })
      const handler = () => {
        hit()
        return 'job'
      }
      server.route({ method: '*', path: ROUTE, handler })
      server.route({ method: '*', path: `${MOUNT}/{rest*}`, handler })
      server.route({ method: '*', path: '/{any*}', handler: () => 'other' })
      return server
    },
    direct: (app, method, url) => (app as Hapi.Server).inject({ method, url }),
  }
}

function h3Case(): RouterCase {
  return {
    name: 'h3 (route and mount)',
    build(hit) {
      const app = new H3()
      app.all(ROUTE, () => {
        hit()
        return 'job'
      })
      const jobs = new H3()
      jobs.all('/**', () => {
        hit()
        return 'job'
      })
      app.mount(MOUNT, jobs)
      app.all('/**', () => 'other')
      return app
    },
    direct: fetchDirect,
  }
}

const routerCases: RouterCase[] = [
  expressCase('Express 5 (route and app.use mount)', express5),
  expressCase('Express 4 (route and app.use mount)', express4),
  koaCase(),
  ...[4, 5].flatMap((version) =>
    [
      { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
      { caseSensitive: false, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
      { caseSensitive: true, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
      { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, useSemicolonDelimiter: true },
    ].map((options) => fastifyCase(version as 4 | 5, options)),
  ),
  honoCase(true),
  honoCase(false),
  hapiCase({ isCaseSensitive: true, stripTrailingSlash: false }),
  hapiCase({ isCaseSensitive: false, stripTrailingSlash: true }),
  h3Case(),
]

// ---- spellings ---------------------------------------------------------------------------------------------

/** Characters that some Unicode fold (case, compatibility) takes to an ASCII letter. */
const LOOKALIKES: Record<string, string[]> = {
  k: ['\u212a', '\uff2b', '\uff4b'], // KELVIN SIGN, fullwidth K and k
  s: ['\u017f', '\uff33'], // LATIN SMALL LETTER LONG S, fullwidth S
  i: ['\u0131', '\u0130', '\uff49', 'i\u0307'], // dotless i, Turkish dotted I, fullwidth i, i + combining dot
  j: ['\uff4a', '\u02b2'], // fullwidth j, modifier small j
  n: ['\uff4e', '\u207f'], // fullwidth n, superscript n
  a: ['\uff41', '\u00aa'], // fullwidth a, feminine ordinal
  l: ['\uff4c', '\u2113'], // fullwidth l, script l
  t: ['\uff54'],
  h: ['\u210e'], // PLANCK CONSTANT
  '-': ['\uff0d', '\u00ad-'], // fullwidth hyphen-minus; a soft hyphen before the real one
}

const utf8Escapes = (text: string, upper: boolean) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
    .map((hex) => (upper ? hex.toUpperCase() : hex))
    .join('')

/** An ASCII character as an overlong two-byte UTF-8 sequence: invalid, but some decoders read it. */
const overlong = (char: string) => {
  const code = char.charCodeAt(0)
  return `%${(0xc0 | (code >> 6)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`
}

type CharKind = 'upper' | 'lower' | 'lookalike' | 'escape' | 'escape twice' | 'overlong'

/** One character of a name written another way: case, a look-alike, an escape of any depth, an overlong form. */
function respell(char: string, kind: CharKind, pick: number, upperHex: boolean): string {
  const lookalikes = LOOKALIKES[char.toLowerCase()] ?? [char.toUpperCase()]
  const lookalike = lookalikes[pick % lookalikes.length]
  switch (kind) {
    case 'upper':
      return char.toUpperCase()
    case 'lower':
      return char.toLowerCase()
    case 'lookalike':
      return lookalike
    case 'escape':
      return utf8Escapes(pick % 2 === 0 ? char : lookalike, upperHex)
    case 'escape twice':
      return utf8Escapes(char, upperHex).replace(/%/g, '%25')
    case 'overlong':
      return overlong(char)
  }
}

const charChangeArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<CharKind>(
    'upper',
    'lower',
    'lookalike',
    'lookalike',
    'escape',
    'escape',
    'escape twice',
    'overlong',
  ),
  pick: fc.nat(),
  upperHex: fc.boolean(),
})

/** Ways to write a `/` between two segments. */
const SLASHES = [
  '/',
  '//',
  '\\',
  '%2F',
  '%2f',
  '%5C',
  '%252F',
  '/./',
  '/%2e/',
  '/x/../',
  '/x/%2e%2e/',
  '/x/%2E%2E/',
  '/x/%252e%252e/',
  '/x%2F..%2F',
  '/x/..;/',
  '/;x=1/',
  ';x/',
  '/%C0%AF',
  '\uff0f',
  '/\uff0e/',
]

/** What may precede the path: nothing, dot segments that resolve away, doubled slashes. */
const HEADS = ['', '', '', '/x/..', '/%2e%2e', '/..', '/.', '/', '/a/b/../..', '/x/%2E%2E', '/x/..%2F']

/** What may follow it: nothing, slashes, dot segments, `;` params, a query, a sub-path, bytes. */
const TAILS = [
  '',
  '',
  '',
  '/',
  '//',
  '/.',
  '/..',
  '/%2e%2e',
  ';x',
  ';',
  '/;x=1',
  '?x=1',
  '/?x=1',
  '.json',
  '/sub',
  '/sub/..',
  '/sub/../..',
  '%20',
  '%00',
  '%FF',
  '%C0%AE',
  '%2F',
  '\\',
  'x',
  '-list',
  '\u0301',
  '\u00ad',
]

/**
 * The path of a spelling, before basePath: a job route or mount path in one case or another, then a few
 * characters and slashes written another way, and what may precede or follow it.
 */
const jobSpelling = fc
  .record({
    path: fc.constantFrom(ROUTE, MOUNT, `${MOUNT}/run`),
    casing: fc.constantFrom('as is', 'as is', 'upper', 'title'),
    changes: fc.oneof(fc.constant([]), fc.array(charChangeArb, { minLength: 1, maxLength: 3 })),
    slashes: fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...SLASHES)), { minLength: 1, maxLength: 2 }),
      },
    ),
    head: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...HEADS) }),
    tail: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...TAILS) }),
  })
  .map(({ path, casing, changes, slashes, head, tail }) => {
    const chars = [...path].map((char, i) =>
      casing === 'upper' ? char.toUpperCase() : casing === 'title' && path[i - 1] === '/' ? char.toUpperCase() : char,
    )
    const letters = chars.flatMap((char, i) => (char === '/' ? [] : [i]))
    const slashAt = chars.flatMap((char, i) => (char === '/' ? [i] : []))
    for (const { at, kind, pick, upperHex } of changes) {
      const i = letters[at % letters.length]
      chars[i] = respell(path[i], kind, pick, upperHex)
    }
    for (const [at, slash] of slashes) chars[slashAt[at % slashAt.length]] = slash
    return head + chars.join('') + tail
  })

/** basePath: none, or `/api` with the path under it (or, not stripped, beside it). */
const basePathArb = fc.constantFrom(
  { basePath: undefined, prefix: '' },
  { basePath: '/api', prefix: '/api' },
  { basePath: '/api', prefix: '/api/' },
  { basePath: '/api', prefix: '' },
  { basePath: '/api', prefix: '/API' },
)

const spellingArb = fc.record({
  path: jobSpelling,
  base: basePathArb,
  method: fc.constantFrom('GET', 'POST', 'PUT'),
})

/** The event of a spelling in either dialect: a Function URL event (2025 shape) or an API Gateway one. */
function eventOf(dialect: 'function-url' | 'apigw', method: string, fullPath: string): ScfHttpEvent {
  const q = fullPath.indexOf('?')
  const path = q === -1 ? fullPath : fullPath.slice(0, q)
  const queryString: Record<string, string> = q === -1 ? {} : { x: '1' }
  if (dialect === 'function-url') {
    return { httpMethod: method, path, headers: {}, queryString, requestContext: { sourceIp: '203.0.113.9' } }
  }
  return {
    httpMethod: method,
    path,
    headers: { host: 'service-abc-123.gz.apigw.tencentcs.com', 'x-api-scheme': 'https' },
    queryString,
    queryStringParameters: {},
    requestContext: { serviceId: 'service-abc', stage: 'release', sourceIp: '203.0.113.9', path, httpMethod: method },
  } as ScfHttpEvent
}

describe.each(routerCases)('job paths on $name', (routerCase) => {
  it('every spelling the router sends to a job is answered 404 by the bridge in both dialects, and no job runs', async () => {
    let directHits = 0
    let plainHits = 0
    let guardedHits = 0
    const directApp = routerCase.build(() => directHits++)
    const plainApp = routerCase.build(() => plainHits++)
    const guardedApp = routerCase.build(() => guardedHits++)
    const bridges = new Map<
      string | undefined,
      { plain: ReturnType<typeof bridge>; guarded: ReturnType<typeof bridge> }
    >()
    const bridgesFor = (basePath: string | undefined) => {
      let pair = bridges.get(basePath)
      if (!pair) {
        pair = { plain: bridge(plainApp, { basePath }), guarded: bridge(guardedApp, { basePath, events: EVENTS }) }
        bridges.set(basePath, pair)
      }
      return pair
    }
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    let routed = 0
    try {
      await checkProperty(
        fc.asyncProperty(spellingArb, async ({ path, base, method }) => {
          const fullPath = base.prefix + path
          const options = { basePath: base.basePath }
          const { plain, guarded } = bridgesFor(base.basePath)
          // The router's own answer, without the bridge: the URL the bridge would hand the app, injected
          // directly (through the framework's inject or fetch), and through the bridge without job paths.
          const url = requestFromEvent(eventOf('function-url', method, fullPath), options).url
          if (routerCase.hangs?.(url)) return
          const before = directHits + plainHits
          const what = `${method} ${JSON.stringify(fullPath)}`
          const direct = await settleWithin(routerCase.direct(directApp, method, url), 5000, `direct ${what}`)
          if (direct.error instanceof Error && /did not settle/.test(direct.error.message)) throw direct.error
          await settleWithin(plain(eventOf('function-url', method, fullPath), scfContext()), 5000, `plain ${what}`)
          const reaches = directHits + plainHits > before
          if (reaches) routed++
          for (const dialect of ['function-url', 'apigw'] as const) {
            const ran = guardedHits
            const answer = await guarded(eventOf(dialect, method, fullPath), scfContext())
            expect(guardedHits - ran, `${dialect} ${method} ${JSON.stringify(fullPath)} ran a job`).toBe(0)
            if (reaches) {
              expect(answer.statusCode, `${dialect} ${method} ${JSON.stringify(fullPath)} (${url})`).toBe(404)
              expect(answer.body).toBe('Not Found')
            }
          }
        }),
        RUNS,
      )
    } finally {
      log.mockRestore()
    }
    // Worth something only if the router really routes many of the spellings.
    console.info(`property-job-paths: ${routerCase.name} routed ${routed} of ${RUNS} spellings to a job`)
    expect(routed).toBeGreaterThan(RUNS / 10)
  }, 120_000)
})
