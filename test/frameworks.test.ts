/**
 * One table of behaviour cases, run against a real app of every supported kind, in both event dialects
 * (API Gateway integrated request and Function URL). Each framework app builds the same routes in its own
 * idiom (test/framework-apps/*); the cases and their expectations are written once, here.
 */
import express from 'express'
import express4 from 'express4'
import fastify from 'fastify'
import fastify4 from 'fastify4'
import Koa from 'koa'
import Koa2 from 'koa2'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest'
import { parseMediaType } from '../src/binary'
import { bridge } from '../src/index'
import type { IntegratedResponse, ScfHandler } from '../src/types'
import { bodyBytes, httpEvent, scfContext } from './fixtures/events'
import { expressApp } from './framework-apps/express'
import { fastifyApp } from './framework-apps/fastify'
import { h3App } from './framework-apps/h3'
import { hapiServer } from './framework-apps/hapi'
import { honoApp } from './framework-apps/hono'
import { koaApp } from './framework-apps/koa'
import { nestApp } from './framework-apps/nest'
import { httpServer, plainListener } from './framework-apps/node'
import {
  COOKIES,
  normaliseQuery,
  REDIRECT_TO,
  reversed,
  SECRET,
  SECURE_COOKIE,
  schemeView,
  UNAVAILABLE,
} from './framework-apps/shared'

interface Framework {
  name: string
  /** What a user hands to bridge(): an app, or a Promise of one. */
  create(): unknown
  /** Releases what the app holds (timers, caches), if anything. */
  close?(app: unknown): Promise<unknown> | undefined
  /**
   * Frameworks whose own error layer answers a route that throws (Nest's exception filters, Hono's and h3's
   * default error handlers, Koa's ctx.onerror), exactly as under listen(). `logged`: the error also reaches
   * the bridge, which logs it (or hands it to onError); otherwise the bridge writes nothing. `printed`: the
   * framework prints the error itself (console.error), as under listen(). Every other kind goes through the
   * bridge's failure path.
   */
  ownError?: { contentType: string; body: string; logged?: boolean; printed?: boolean }
  /** hapi builds `request.url` from the server's own protocol, not the request's (docs/https-and-host.md). */
  urlFromServer?: boolean
  /**
   * What the framework answers for GET /unavailable (a 503 error in its own idiom), as under listen(): its
   * status and body stand. `logged`: false where the framework's error layer answers and never tells the
   * bridge (Nest's exception filters, Hono, h3).
   */
  unavailable: { contentType: string; body: string; logged?: false }
}

type Closable = { close(): Promise<unknown> }
const closeIt = async (app: unknown) => (await (app as Promise<Closable>)).close()

const koaError = { contentType: 'text/plain; charset=utf-8', body: 'Internal Server Error', logged: true }
const expressPage = (text: string) =>
  `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${text}</pre>\n</body>\n</html>\n`
const expressUnavailable = { contentType: 'text/html; charset=utf-8', body: expressPage('Service Unavailable') }
const koaUnavailable = { contentType: 'text/plain; charset=utf-8', body: 'Service Unavailable' }
const boomUnavailable = {
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: UNAVAILABLE }),
}
const nestUnavailable = {
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({ message: UNAVAILABLE, error: 'Service Unavailable', statusCode: 503 }),
  logged: false as const,
}
const plainUnavailable = { contentType: 'text/plain; charset=utf-8', body: 'Service Unavailable' }

const frameworks: Framework[] = [
  {
    name: 'Express 4',
    create: () => expressApp(express4 as unknown as typeof express),
    unavailable: expressUnavailable,
  },
  { name: 'Express 5', create: () => expressApp(express), unavailable: expressUnavailable },
  {
    name: 'Koa 2',
    create: () => koaApp(Koa2 as unknown as typeof Koa),
    ownError: koaError,
    unavailable: koaUnavailable,
  },
  { name: 'Koa 3', create: () => koaApp(Koa), ownError: koaError, unavailable: koaUnavailable },
  {
    name: 'Fastify 4',
    create: () => fastifyApp(fastify4 as unknown as typeof fastify),
    close: closeIt,
    unavailable: boomUnavailable,
  },
  { name: 'Fastify 5', create: () => fastifyApp(fastify), close: closeIt, unavailable: boomUnavailable },
  {
    name: 'Hono',
    create: honoApp,
    // Hono reports its route errors to nothing the bridge can observe without replacing its errorHandler.
    ownError: { contentType: 'text/plain; charset=UTF-8', body: 'Internal Server Error', printed: true },
    unavailable: { contentType: 'text/plain;charset=UTF-8', body: UNAVAILABLE, logged: false },
  },
  {
    name: 'h3 v2',
    create: h3App,
    ownError: {
      contentType: 'application/json;charset=UTF-8',
      body: '{"status":500,"unhandled":true,"message":"HTTPError"}',
      // As Hono: h3 reports to nothing the bridge can observe without replacing its config.onError.
      printed: true,
    },
    unavailable: {
      contentType: 'application/json;charset=UTF-8',
      body: JSON.stringify({ status: 503, message: UNAVAILABLE }),
      logged: false,
    },
  },
  {
    name: 'hapi',
    urlFromServer: true,
    create: () => hapiServer(),
    close: async (app) => (await (app as Promise<{ stop(): Promise<void> }>)).stop(),
    unavailable: boomUnavailable,
  },
  {
    name: 'NestJS (Express)',
    create: () => nestApp('express'),
    close: closeIt,
    ownError: {
      contentType: 'application/json; charset=utf-8',
      body: '{"statusCode":500,"message":"Internal server error"}',
    },
    unavailable: nestUnavailable,
  },
  {
    name: 'NestJS (Fastify)',
    create: () => nestApp('fastify'),
    close: closeIt,
    ownError: {
      contentType: 'application/json; charset=utf-8',
      body: '{"statusCode":500,"message":"Internal server error"}',
    },
    unavailable: nestUnavailable,
  },
  { name: 'plain (req, res) listener', create: plainListener, unavailable: plainUnavailable },
  { name: 'http.Server', create: httpServer, unavailable: plainUnavailable },
]

type Dialect = 'apigw' | 'url'
const dialects: { dialect: Dialect; label: string }[] = [
  { dialect: 'apigw', label: 'API Gateway event' },
  { dialect: 'url', label: 'Function URL event' },
]

const context = scfContext({ time_limit_in_ms: 15_000 })
/** The client address and request id the app must see, per dialect (see fixtures/events.ts). */
const seen = {
  apigw: { forwardedFor: '20.197.69.95', requestId: 'gw-req-1' },
  url: { forwardedFor: '203.0.113.7', requestId: String(context.request_id) },
}

interface Case {
  name: string
  event(dialect: Dialect): Parameters<typeof httpEvent>[0]
  check(response: IntegratedResponse, run: { framework: Framework; dialect: Dialect; errorLog: MockInstance }): void
}

const QUERY: Record<string, string | string[] | true> = { a: ['1', '2'], flag: true, ключ: 'значение & co' }
const inspected = (method: string, dialect: Dialect) =>
  JSON.stringify({
    method,
    name: '中文 name',
    query: normaliseQuery({ a: ['1', '2'], flag: '', ключ: 'значение & co' }),
    custom: 'Hello, World',
    forwardedFor: seen[dialect].forwardedFor,
    requestId: seen[dialect].requestId,
  })
const JSON_IN = { 名: '值', n: [1, 2.5, null], nested: { ok: true, text: 'line\nbreak "quoted"' } }
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
// Valid UTF-8 whose reversal is not: a text body in, a binary body out.
const UTF8_IN = Buffer.from('héllo ✓ 中文', 'utf8')

const cases: Case[] = [
  ...(['GET', 'POST', 'PUT', 'PATCH'] as const).map(
    (method): Case => ({
      name: `${method} with a unicode and space path, repeated and bare query keys, a custom header`,
      event: (dialect) => ({
        dialect,
        method,
        path: '/items/中文 name',
        query: QUERY,
        headers: { 'x-custom': 'Hello, World' },
      }),
      check(response, { dialect }) {
        expect(response.statusCode).toBe(200)
        expect(response.isBase64Encoded).toBe(false)
        expect(essence(response)).toBe('application/json')
        expect(response.headers['x-echo']).toBe('Hello, World')
        expect(response.body).toBe(inspected(method, dialect))
      },
    }),
  ),
  {
    name: 'DELETE answers 204 with no body',
    event: (dialect) => ({ dialect, method: 'DELETE', path: '/items/gone' }),
    check(response) {
      expect(response.statusCode).toBe(204)
      expect(response.isBase64Encoded).toBe(false)
      expect(response.body).toBe('')
      expect(response.headers['content-length']).toBeUndefined()
      expect(response.headers['content-type']).toBeUndefined()
    },
  },
  {
    name: 'a JSON body in and out, 201',
    event: (dialect) => ({
      dialect,
      method: 'POST',
      path: '/json',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(JSON_IN),
    }),
    check(response) {
      expect(response.statusCode).toBe(201)
      expect(response.isBase64Encoded).toBe(false)
      expect(essence(response)).toBe('application/json')
      expect(response.body).toBe(JSON.stringify({ received: JSON_IN }))
    },
  },
  {
    // A Function URL event carries no isBase64Encoded (Tencent's Function URL doc, 583/96099): bytes reach the app as UTF-8 text.
    name: 'a binary body in and out, bytes equal',
    event: (dialect) => ({
      dialect,
      method: 'POST',
      path: '/binary',
      headers: { 'content-type': 'application/octet-stream' },
      body: dialect === 'apigw' ? ALL_BYTES : UTF8_IN.toString('utf8'),
    }),
    check(response, { dialect }) {
      expect(response.statusCode).toBe(200)
      expect(response.isBase64Encoded).toBe(true)
      expect(essence(response)).toBe('application/octet-stream')
      expect(bodyBytes(response).equals(reversed(dialect === 'apigw' ? ALL_BYTES : UTF8_IN))).toBe(true)
    },
  },
  {
    name: 'several Set-Cookie out, the Cookie header in',
    event: (dialect) => ({ dialect, path: '/cookies', headers: { cookie: 'x=1; y=2' } }),
    check(response) {
      expect(response.statusCode).toBe(200)
      expect(response.headers['set-cookie']).toEqual(COOKIES)
      expect(response.body).toBe('{"cookie":"x=1; y=2"}')
    },
  },
  {
    name: '302 with Location',
    event: (dialect) => ({ dialect, path: '/redirect' }),
    check(response) {
      expect(response.statusCode).toBe(302)
      expect(response.headers.location).toBe(REDIRECT_TO)
    },
  },
  {
    name: '404 for an unknown path',
    event: (dialect) => ({ dialect, path: '/no/such/route' }),
    check(response) {
      expect(response.statusCode).toBe(404)
      expect(response.isBase64Encoded).toBe(false)
      expect(response.body).not.toMatch(/\n\s+at /)
    },
  },
  {
    name: 'a route that throws answers 500, without its stack or message',
    event: (dialect) => ({ dialect, path: '/boom' }),
    check(response, { framework, dialect, errorLog }) {
      expect(response.body).not.toContain(SECRET)
      expect(response.body).not.toMatch(/\n\s+at /)
      const requestId = seen[dialect].requestId
      if (framework.ownError) {
        expect(response).toEqual({
          isBase64Encoded: false,
          statusCode: 500,
          headers: expect.objectContaining({
            'content-type': framework.ownError.contentType,
            'x-request-id': requestId,
          }),
          body: framework.ownError.body,
        })
        if (framework.ownError.printed) {
          const printed = errorLog.mock.calls.flat().filter((value) => value instanceof Error)
          expect(printed.map((error) => (error as Error).message)).toEqual([SECRET])
        }
        if (!framework.ownError.logged) {
          const bridgeLines = errorLog.mock.calls.filter((call) => String(call[0]).includes('"source":"scf-bridge"'))
          return expect(bridgeLines).toEqual([])
        }
      } else {
        expect(response).toEqual({
          isBase64Encoded: false,
          statusCode: 500,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': requestId },
          body: 'Internal Server Error',
        })
      }
      // Logged once, with both ids and the stack, on stderr (not to the caller).
      const lines = errorLog.mock.calls
        .map((call) => String(call[0]))
        .filter((line) => line.includes('"source":"scf-bridge"'))
      expect(lines).toHaveLength(1)
      const logged = JSON.parse(lines[0])
      expect(logged).toMatchObject({
        level: 'error',
        requestId: context.request_id,
        xRequestId: requestId,
        path: '/boom',
      })
      expect(logged.error).toContain(SECRET)
    },
  },
  {
    // No trust-proxy setting in any app: the socket is encrypted, as behind a TLS-terminating server.
    name: 'https (x-api-scheme https; any Function URL): the app says https and sets its secure cookie',
    event: (dialect) => ({ dialect, path: '/scheme', query: { x: '1' } }),
    check(response, { framework }) {
      expect(response.statusCode).toBe(200)
      expect(JSON.parse(response.body)).toEqual(
        schemeView(framework.urlFromServer ? 'http' : 'https', true, `https://${EVENT_HOST}/scheme?x=1`, 'https'),
      )
      expect(secureCookie(response)).toMatch(/;\s*secure/i)
    },
  },
  {
    name: 'x-api-scheme http stays http, whatever x-forwarded-proto the client sends; a Function URL is https',
    event: (dialect) => ({
      dialect,
      path: '/scheme',
      headers: { 'x-api-scheme': 'http', 'x-forwarded-proto': 'https' },
    }),
    check(response, { framework, dialect }) {
      expect(response.statusCode).toBe(200)
      const scheme = dialect === 'url' ? 'https' : 'http'
      expect(JSON.parse(response.body)).toEqual(
        schemeView(
          framework.urlFromServer ? 'http' : scheme,
          scheme === 'https',
          `${scheme}://${EVENT_HOST}/scheme`,
          scheme,
        ),
      )
      if (scheme === 'http') expect(secureCookie(response)).toBeUndefined()
      else expect(secureCookie(response)).toMatch(/;\s*secure/i)
    },
  },
  {
    // Real Function URL events carry no Host; without bridge()'s host option the app gets the default.
    name: 'an event without Host: the default host name, never localhost',
    event: (dialect) => ({ dialect, path: '/scheme', headers: { host: undefined as unknown as string } }),
    check(response) {
      expect(response.statusCode).toBe(200)
      expect(JSON.parse(response.body).url).toBe('https://scf-bridge.invalid/scheme')
    },
  },
  {
    name: "an error with its own 503 status keeps it, with the framework's own body, and is logged",
    event: (dialect) => ({ dialect, path: '/unavailable' }),
    check(response, { framework, dialect, errorLog }) {
      const requestId = seen[dialect].requestId
      expect(response).toEqual({
        isBase64Encoded: false,
        statusCode: 503,
        headers: expect.objectContaining({
          'content-type': framework.unavailable.contentType,
          'x-request-id': requestId,
        }),
        body: framework.unavailable.body,
      })
      const lines = errorLog.mock.calls
        .map((call) => String(call[0]))
        .filter((line) => line.includes('"source":"scf-bridge"'))
      if (framework.unavailable.logged === false) return expect(lines).toEqual([])
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0])).toMatchObject({
        level: 'error',
        requestId: context.request_id,
        xRequestId: requestId,
        path: '/unavailable',
        status: 503,
      })
      expect(JSON.parse(lines[0]).error).toContain(UNAVAILABLE)
    },
  },
]

const EVENT_HOST = 'service-x-1250000000.gz.apigw.tencentcs.com'
const secureCookie = (response: IntegratedResponse): string | undefined =>
  ([] as string[])
    .concat(response.headers['set-cookie'] ?? [])
    .find((cookie) => cookie.startsWith(`${SECURE_COOKIE.name}=${SECURE_COOKIE.value}`))

const essence = (response: IntegratedResponse) => parseMediaType(String(response.headers['content-type'] ?? '')).essence

/** What every integrated response must be, whatever the case: SCF's shape, no framing headers, true lengths. */
function expectWellFormed(response: IntegratedResponse, dialect: Dialect): void {
  expect(Number.isInteger(response.statusCode)).toBe(true)
  expect(typeof response.body).toBe('string')
  for (const [name, value] of Object.entries(response.headers)) {
    expect(name).toBe(name.toLowerCase())
    expect(typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))).toBe(
      true,
    )
  }
  expect(response.headers['transfer-encoding']).toBeUndefined()
  expect(response.headers.connection).toBeUndefined()
  if (response.headers['content-length'] !== undefined)
    expect(Number(response.headers['content-length'])).toBe(bodyBytes(response).length)
  if (response.headers['set-cookie'] !== undefined) expect(Array.isArray(response.headers['set-cookie'])).toBe(true)
  expect(response.headers['x-request-id']).toBe(seen[dialect].requestId)
}

describe.each(frameworks)('$name', (framework) => {
  let app: unknown
  let handler: ScfHandler
  let errorLog: MockInstance

  beforeAll(() => {
    app = framework.create()
    handler = bridge(app)
  })
  afterAll(async () => {
    await framework.close?.(app)
  })
  beforeEach(() => {
    errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
  })
  afterEach(() => {
    errorLog.mockRestore()
  })

  describe.each(dialects)('$label', ({ dialect }) => {
    it.each(cases)('$name', async (testCase) => {
      const response = await handler(httpEvent(testCase.event(dialect)), { ...context })
      expectWellFormed(response, dialect)
      testCase.check(response, { framework, dialect, errorLog })
    })
  })
})
