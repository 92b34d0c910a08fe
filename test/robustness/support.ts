import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import Hapi from '@hapi/hapi'
import express5 from 'express'
import express4 from 'express4'
import fc from 'fast-check'
import Fastify from 'fastify'
import { H3 } from 'h3'
import { Hono } from 'hono'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import type { IntegratedResponse } from '../../src'
import { getCurrentInvoke } from '../../src'

/**
 * One fixed seed for every property (override with FC_SEED=<n>, raise runs with FC_RUNS=<factor>).
 * fast-check names the seed and the shrink path of a failure; `checkProperty` adds the command to replay it.
 */
export const SEED = Number(process.env.FC_SEED ?? 20261125)
const RUN_FACTOR = Number(process.env.FC_RUNS ?? 1)

export async function checkProperty<T>(
  property: fc.IAsyncPropertyWithHooks<T> | fc.IAsyncProperty<T>,
  numRuns: number,
): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * RUN_FACTOR)) })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const cause = (error as { cause?: unknown }).cause
    const because = cause instanceof Error ? `\nCause: ${cause.message}` : ''
    throw new Error(
      `property failed with seed ${SEED} (replay: FC_SEED=${SEED} npx vitest run test/robustness)\n${message}${because}`,
    )
  }
}

/** What the echo apps report about the request they received. */
export interface Echo {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  rawHeaders: string[]
  query: Record<string, unknown>
  ip: string | undefined
  bodyBase64: string
  requestId: string | undefined
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function echoOf(req: IncomingMessage, query: Record<string, unknown>, ip: string | undefined, body: Buffer): Echo {
  return {
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    query,
    ip,
    bodyBase64: body.toString('base64'),
    requestId: getCurrentInvoke()?.context.request_id,
  }
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

type ExpressModule = typeof express5

/**
 * An Express 4 or 5 app: `/reply` sends the request body back with the request's content type and
 * the SHA-256 of the bytes it received in `x-body-sha256`, every other path answers JSON describing the request (an `Echo`).
 */
export function expressEcho(express: ExpressModule | typeof express4, options: { simpleQuery?: boolean } = {}) {
  const app = (express as ExpressModule)()
  if (options.simpleQuery) app.set('query parser', 'simple')
  app.use(async (req, res) => {
    const body = await readAll(req)
    if (req.path === '/reply') {
      const type = req.headers['content-type']
      if (type) res.setHeader('content-type', type)
      res.setHeader('x-body-sha256', sha256(body))
      res.end(body)
      return
    }
    res.json(echoOf(req, req.query as Record<string, unknown>, req.ip, body))
  })
  return app
}

/** The same two routes in Koa 2 or 3. */
export function koaEcho(Koa: typeof Koa3 | typeof Koa2) {
  const app = new (Koa as typeof Koa3)()
  app.use(async (ctx) => {
    const body = await readAll(ctx.req)
    if (ctx.path === '/reply') {
      const type = ctx.get('content-type')
      ctx.body = body
      ctx.set('x-body-sha256', sha256(body))
      if (type) ctx.set('content-type', type)
      else ctx.remove('content-type')
      return
    }
    ctx.body = echoOf(ctx.req, ctx.query, ctx.ip, body)
  })
  return app
}

/** The echo app in each framework version the bridge supports. */
export const echoApps = () => [
  { name: 'Express 5', app: expressEcho(express5) },
  { name: 'Express 4', app: expressEcho(express4) },
  { name: 'Koa 3', app: koaEcho(Koa3) },
  { name: 'Koa 2', app: koaEcho(Koa2) },
]

export { express4, express5, Koa2, Koa3 }

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// What Node itself refuses in a header value.
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\u{10ffff}]/u

/** Throws unless `response` is an integrated response API Gateway accepts. */
export function assertIntegrated(response: unknown): asserts response is IntegratedResponse {
  const r = response as IntegratedResponse
  if (r === null || typeof r !== 'object') throw new Error(`not an object: ${String(r)}`)
  if (typeof r.isBase64Encoded !== 'boolean') throw new Error(`isBase64Encoded is ${typeof r.isBase64Encoded}`)
  if (!Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599)
    throw new Error(`statusCode ${r.statusCode}`)
  if (typeof r.body !== 'string') throw new Error(`body is ${typeof r.body}`)
  if (r.isBase64Encoded && Buffer.from(r.body, 'base64').toString('base64') !== r.body)
    throw new Error('body is not canonical base64')
  if (r.headers === null || typeof r.headers !== 'object') throw new Error('headers is not an object')
  for (const name of Object.keys(r.headers)) {
    if (!HEADER_NAME.test(name)) throw new Error(`header name ${JSON.stringify(name)}`)
    const value = r.headers[name]
    const values = Array.isArray(value) ? value : [value]
    for (const item of values) {
      if (typeof item !== 'string') throw new Error(`header ${name} has a ${typeof item} value`)
      if (BAD_HEADER_VALUE.test(item))
        throw new Error(`header ${name} value ${JSON.stringify(item)} carries a forbidden character`)
    }
  }
  JSON.stringify(r)
}

/** Resolves with the handler's outcome, or rejects if it has not settled after `ms` (a hang, not a slow run). */
export function settleWithin<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
  })
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
  return Promise.race([outcome, hang]).finally(() => clearTimeout(timer))
}

/** The names and values of Object.prototype, to prove nothing was added or replaced. */
export function prototypeSnapshot(): Map<string | symbol, unknown> {
  const snapshot = new Map<string | symbol, unknown>()
  for (const proto of [Object.prototype, Array.prototype, Function.prototype, String.prototype]) {
    for (const key of Reflect.ownKeys(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key)
      snapshot.set(
        `${proto === Object.prototype ? 'Object' : proto === Array.prototype ? 'Array' : proto === Function.prototype ? 'Function' : 'String'}.${String(key)}`,
        descriptor && 'value' in descriptor ? descriptor.value : descriptor?.get,
      )
    }
  }
  return snapshot
}

export function parseEcho(response: IntegratedResponse): Echo {
  return JSON.parse(
    response.isBase64Encoded ? Buffer.from(response.body, 'base64').toString('utf8') : response.body,
  ) as Echo
}

// ---- the other app kinds the bridge serves: the same two routes ----------------------------------------

function fetchEcho(request: Request, body: Buffer): Response {
  const url = new URL(request.url)
  if (url.pathname === '/reply') {
    const headers = new Headers({ 'x-body-sha256': sha256(body) })
    const type = request.headers.get('content-type')
    if (type) headers.set('content-type', type)
    return new Response(new Uint8Array(body), { headers })
  }
  const headers: Record<string, string> = {}
  const rawHeaders: string[] = []
  request.headers.forEach((value, name) => {
    headers[name] = value
    rawHeaders.push(name, value)
  })
  const query: Record<string, unknown> = {}
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key)
    query[key] = values.length === 1 ? values[0] : values
  }
  const echo: Echo = {
    method: request.method,
    url: url.pathname + url.search,
    headers,
    rawHeaders,
    query,
    ip: undefined,
    bodyBase64: body.toString('base64'),
    requestId: getCurrentInvoke()?.context.request_id,
  }
  return Response.json(echo)
}

/** A Fastify 5 instance: every method and path, any content type read as bytes. */
export function fastifyEcho() {
  const app = Fastify()
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  )
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE'],
    url: '/*',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      if (request.url.split('?')[0] === '/reply') {
        reply.header('x-body-sha256', sha256(body))
        const type = request.headers['content-type']
        if (type) reply.type(type)
        return reply.send(body)
      }
      return echoOf(request.raw, request.query as Record<string, unknown>, request.ip, body)
    },
  })
  return app
}

/** A hapi server: every method and path, the payload as raw bytes. */
export function hapiEcho() {
  const server = Hapi.server({ debug: false })
  server.route({
    method: '*',
    path: '/{path*}',
    options: { payload: { parse: false, output: 'data', maxBytes: 16 * 1024 * 1024 } },
    handler: (request, h) => {
      const body = Buffer.isBuffer(request.payload) ? request.payload : Buffer.alloc(0)
      if (request.path === '/reply') {
        // code(200): hapi answers an empty payload with 204 otherwise.
        const response = h.response(body).code(200).header('x-body-sha256', sha256(body))
        const type = request.headers['content-type'] as string | undefined
        return type ? response.type(type) : response
      }
      return echoOf(request.raw.req, request.query as Record<string, unknown>, request.info.remoteAddress, body)
    },
  })
  return server
}

/** A Hono app (fetch-style). */
export function honoEcho() {
  const app = new Hono()
  app.all('*', async (c) => fetchEcho(c.req.raw, Buffer.from(await c.req.arrayBuffer())))
  return app
}

/** An h3 v2 app (fetch-style). */
export function h3Echo() {
  const app = new H3()
  app.all('/**', async (event) => fetchEcho(event.req, Buffer.from(await event.req.arrayBuffer())))
  return app
}

/** The echo app on each other app kind. */
export const otherEchoApps = () => [
  { name: 'Fastify 5', app: fastifyEcho() as unknown },
  { name: 'hapi', app: hapiEcho() as unknown },
  { name: 'Hono', app: honoEcho() as unknown },
  { name: 'h3', app: h3Echo() as unknown },
]
