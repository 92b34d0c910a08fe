import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { scfContext } from '../fixtures/events'
import {
  assertIntegrated,
  checkProperty,
  echoApps,
  otherEchoApps,
  parseEcho,
  prototypeSnapshot,
  SEED,
  settleWithin,
} from './support'

// Any event, valid or not: the handler answers with a valid integrated response or rejects with an Error
// that says what is wrong, it settles, and nothing global changes.

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
  console.info(`property-events: fast-check seed ${SEED}`)
})
afterAll(() => errorLog.mockRestore())

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.object({ maxDepth: 2, maxKeys: 4 }),
)

/** Mostly a usable value, sometimes a wrong one: enough events reach the app. */
const mostly = <T>(good: fc.Arbitrary<T>, ...bad: Array<fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: good, weight: 6 * bad.length }, ...bad.map((arbitrary) => ({ arbitrary, weight: 1 })))

const methodArb = mostly(
  fc.constantFrom(
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'HEAD',
    'OPTIONS',
    'PATCH',
    'get',
    'pOsT',
    'M-SEARCH',
    'PROPFIND',
    'BREW',
    'CONNECT',
    'TRACE',
  ),
  fc.constantFrom('GET /x HTTP/1.1', 'G\r\nET', '', ' '),
  fc.string({ maxLength: 12 }),
  anyValue,
)

const pathArb = mostly(
  fc.constantFrom(
    '/',
    '/a/b',
    '//evil.example/x',
    '/a/../../etc/passwd',
    '/%',
    '/%zz',
    '/%2e%2e/x',
    '/a?b=1#c',
    '/\\x',
    '/é/中',
    'no-slash',
    '',
    '/\uD800',
    '/\r\nx',
    '/\0',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.webPath(),
  anyValue,
)

const headerNameArb = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'Content-Length',
    'content-length',
    'transfer-encoding',
    'x-forwarded-for',
    'x-scf-remote-addr',
    'host',
    'Host',
    'Cookie',
    'cookie',
    'x-request-id',
    'user-agent',
    'bad name',
    'x\r\ny',
    '',
    ':authority',
    'ümlaut',
    'x-a',
  ),
  fc.string({ maxLength: 20 }),
)

const headerValueArb = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 6 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      'a\r\nSet-Cookie: evil=1',
      '\0',
      'x\ny',
      '\u0001',
      '\u007f',
      'é',
      '中文',
      '1.2.3.4',
      '::1',
    ),
    weight: 3,
  },
  { arbitrary: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), weight: 1 },
  { arbitrary: anyValue, weight: 2 },
  { arbitrary: fc.constant('x'.repeat(200 * 1024)), weight: 1 },
)

const objectOf = (key: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>, maxLength = 10) =>
  // Object.fromEntries defines own properties: `__proto__` stays a key, as JSON.parse makes it.
  fc.array(fc.tuple(key, value), { maxLength }).map((entries) => Object.fromEntries(entries) as Record<string, unknown>)

const queryKeyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'a', 'a[]', 'a[b]', '', '&', '='),
  fc.string({ maxLength: 10 }),
)
const queryValueArb = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
  fc.constant(true),
  anyValue,
)

const base64Arb = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64'))
const bodyArb = mostly(
  fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 100 }),
    base64Arb,
    base64Arb.map((b64) => b64.replace(/\+/g, '-').replace(/\//g, '_')),
  ),
  fc.constantFrom('!!!', 'abc', 'a', '====', 'a=b=', 'YQ', 'YQ==\n', '%%%', '中文'),
  anyValue,
)

const requestContextArb = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      sourceIp: fc.oneof(
        fc.ipV4(),
        fc.ipV6(),
        fc.constantFrom('127.0.0.1', ' 10.0.0.1 ', 'not-an-ip', '1.2.3.4, 5.6.7.8'),
        anyValue,
      ),
      requestId: anyValue,
      stage: anyValue,
      httpMethod: anyValue,
    },
    { requiredKeys: [] },
  ),
  anyValue,
)

const eventArb: fc.Arbitrary<unknown> = fc.record(
  {
    httpMethod: methodArb,
    path: pathArb,
    headers: mostly(objectOf(headerNameArb, headerValueArb, 12), anyValue),
    queryString: mostly(objectOf(queryKeyArb, queryValueArb), fc.string({ maxLength: 20 }), anyValue),
    queryStringParameters: mostly(objectOf(queryKeyArb, fc.string({ maxLength: 5 })), anyValue),
    pathParameters: mostly(objectOf(queryKeyArb, fc.string({ maxLength: 5 })), anyValue),
    body: bodyArb,
    isBase64Encoded: fc.oneof(fc.constantFrom(true, false, 'true', 'false', 'TRUE', 1, 0), anyValue),
    requestContext: requestContextArb,
  },
  { requiredKeys: ['httpMethod', 'headers'] },
)

// What arrives from SCF went through JSON: own `__proto__` keys included, no undefined.
const jsonRoundTrip = (value: unknown): unknown => {
  const json = JSON.stringify(value)
  return json === undefined ? undefined : JSON.parse(json)
}

const anyEventArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: eventArb, weight: 12 },
  { arbitrary: eventArb.map(jsonRoundTrip), weight: 6 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: anyValue, weight: 1 },
)

const contextArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(scfContext()),
  fc.record(
    {
      request_id: anyValue,
      time_limit_in_ms: fc.oneof(
        fc.integer({ min: 1500, max: 10_000 }),
        anyValue.filter((v) => typeof v !== 'number'),
      ),
      getRemainingTimeInMillis: fc.constantFrom(
        undefined,
        () => 3000,
        () => NaN,
        () => 'soon',
        () => {
          throw new Error('no deadline')
        },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.string({ maxLength: 5 }),
)

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const CONTROL = /[\0-\x08\n-\x1f\x7f]/

describe.each([
  ...echoApps().map((entry) => ({ ...entry, readsEveryBody: true })),
  ...otherEchoApps().map((entry) => ({ ...entry, readsEveryBody: false })),
])('any event into $name', ({ app, readsEveryBody }) => {
  const handler = bridge(app)
  const before = prototypeSnapshot()

  it('answers with a valid integrated response or rejects with a clear Error, and changes nothing global', async () => {
    await checkProperty(
      fc.asyncProperty(anyEventArb, contextArb, async (event, context) => {
        const outcome = await settleWithin(handler(event as never, context as never), 10_000, 'the handler')
        if ('error' in outcome) {
          const error = outcome.error
          expect(error).toBeInstanceOf(Error)
          expect((error as Error).message).toMatch(/^scf-bridge: \S/)
        } else {
          assertIntegrated(outcome.value)
          const response = outcome.value
          if (
            response.statusCode === 200 &&
            response.body !== '' &&
            String(response.headers['content-type']).startsWith('application/json')
          ) {
            const echo = parseEcho(response)
            expect(echo.url.startsWith('/')).toBe(true)
            for (let i = 0; i < echo.rawHeaders.length; i += 2) {
              expect(echo.rawHeaders[i]).toMatch(HEADER_NAME)
              expect(echo.rawHeaders[i + 1]).not.toMatch(CONTROL)
            }
            expect(Object.keys(echo.headers)).not.toContain('__proto__')
            // No smuggling: the length the app is told is the length it reads, and nothing else frames the body.
            expect(echo.headers['transfer-encoding']).toBeUndefined()
            // (Fastify, hapi and fetch do not read a GET's body: the framework-independent check is on Express and Koa.)
            const length = Buffer.from(echo.bodyBase64, 'base64').length
            if (readsEveryBody || length > 0) {
              if (echo.headers['content-length'] !== undefined)
                expect(echo.headers['content-length']).toBe(String(length))
              else expect(length).toBe(0)
            }
          }
        }
        expect(prototypeSnapshot()).toEqual(before)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
      200,
    )
  }, 120_000)
})

describe('events the bridge refuses', () => {
  const handler = bridge(echoApps()[0].app)
  const cases: Array<[string, unknown, RegExp]> = [
    ['no event', undefined, /expected an HTTP event/],
    ['a string', 'GET /', /expected an HTTP event/],
    ['an array', [], /expected an HTTP event/],
    ['a timer event', { Type: 'Timer', TriggerName: 't', Time: 'now' }, /httpMethod.*timer trigger/],
    ['headers that are not an object', { httpMethod: 'GET', headers: 'a: b' }, /event\.headers must be an object/],
    ['a method that is not a token', { httpMethod: 'GET /x HTTP/1.1', headers: {} }, /not an HTTP method/],
    ['a path that is not a string', { httpMethod: 'GET', headers: {}, path: 42 }, /event\.path must be a string/],
    ['invalid base64', { httpMethod: 'POST', headers: {}, body: '!!!', isBase64Encoded: true }, /not valid base64/],
    [
      'a query string that is a number',
      { httpMethod: 'GET', headers: {}, queryString: 5 },
      /queryString must be an object/,
    ],
    ['a body JSON cannot carry', { httpMethod: 'POST', headers: {}, body: () => 'x' }, /event\.body must be a string/],
    ['a bigint body', { httpMethod: 'POST', headers: {}, body: { n: 1n } }, /event\.body must be a string/],
  ]
  it.each(cases)('%s: rejects with a message naming the problem', async (_, event, message) => {
    await expect(handler(event as never, scfContext())).rejects.toThrow(message)
  })
})
