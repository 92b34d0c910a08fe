import type { IncomingMessage, ServerResponse } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { bodyBytes, httpEvent, scfContext } from '../fixtures/events'
import { assertIntegrated, checkProperty, SEED } from './support'

// Any reply an app can make through Node's API (status, headers Node accepts, repeated headers, cookies,
// any body bytes, any content type or encoding) becomes a valid integrated response that carries the same
// status, the same headers (minus hop-by-hop ones) and the same bytes.

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
  console.info(`property-responses: fast-check seed ${SEED}`)
})
afterAll(() => errorLog.mockRestore())

interface ReplySpec {
  status: number
  headers: Array<[string, string | string[]]>
  contentType: string | undefined
  contentEncoding: string | undefined
  cookies: string[]
  body: Uint8Array
  chunked: boolean
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer']
const RESERVED = new Set([...HOP_BY_HOP, 'content-type', 'content-encoding', 'content-length', 'set-cookie', 'date'])

const tokenChar = fc.constantFrom(..."abcxyzABCXYZ0189-_.!#$%&'*+^`|~".split(''))
const headerNameArb = fc
  .oneof(
    fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 }),
    // Not 'trailer': Node itself refuses it on a reply that is not chunked.
    fc.constantFrom(
      'connection',
      'keep-alive',
      'transfer-encoding',
      'upgrade',
      'x-request-id',
      'location',
      'vary',
      'cache-control',
    ),
  )
  .filter(
    (name) =>
      !['content-type', 'content-encoding', 'content-length', 'set-cookie', 'date', 'trailer'].includes(
        name.toLowerCase(),
      ),
  )
// What Node accepts in a value: tab, printable ASCII and the Latin-1 range (no leading or trailing space:
// a server would not keep them either).
const valueChar = fc
  .oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0xa1, max: 0xff }))
  .map((code) => String.fromCharCode(code))
const headerValueArb = fc.oneof(
  fc.string({ unit: valueChar, maxLength: 30 }),
  fc
    .tuple(
      fc.string({ unit: valueChar, minLength: 1, maxLength: 10 }),
      fc.string({ unit: valueChar, minLength: 1, maxLength: 10 }),
    )
    .map(([a, b]) => `${a}\t${b} ${a}`),
)

const replyArb: fc.Arbitrary<ReplySpec> = fc.record({
  status: fc.oneof(
    fc.constantFrom(200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 400, 401, 404, 409, 418, 429, 500, 502, 503),
    fc.integer({ min: 200, max: 599 }),
  ),
  headers: fc.uniqueArray(
    fc.tuple(headerNameArb, fc.oneof(headerValueArb, fc.array(headerValueArb, { minLength: 1, maxLength: 3 }))),
    {
      selector: ([name]) => name.toLowerCase(),
      maxLength: 6,
    },
  ),
  contentType: fc.constantFrom(
    undefined,
    'text/plain; charset=utf-8',
    'text/html',
    'application/json',
    'image/png',
    'application/octet-stream',
    'text/plain; charset=iso-8859-1',
    'application/vnd.custom+json',
    'font/woff2',
    'not a type',
  ),
  contentEncoding: fc.constantFrom(undefined, undefined, undefined, 'gzip', 'br', 'identity'),
  cookies: fc.array(
    fc.string({ unit: valueChar, minLength: 1, maxLength: 20 }).map((value) => `c=${value}; Path=/`),
    { maxLength: 3 },
  ),
  body: fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc.string({ unit: 'binary', maxLength: 500 }).map((text) => new Uint8Array(Buffer.from(text, 'utf8'))),
  ),
  chunked: fc.boolean(),
})

function applyReply(spec: ReplySpec, res: ServerResponse): void {
  res.statusCode = spec.status
  for (const [name, value] of spec.headers) res.setHeader(name, value)
  if (spec.contentType) res.setHeader('content-type', spec.contentType)
  if (spec.contentEncoding) res.setHeader('content-encoding', spec.contentEncoding)
  if (spec.cookies.length) res.setHeader('set-cookie', spec.cookies)
  const body = Buffer.from(spec.body)
  if (spec.chunked && body.length > 1) {
    res.write(body.subarray(0, body.length >> 1))
    res.end(body.subarray(body.length >> 1))
  } else {
    res.end(body)
  }
}

describe('any reply through a (req, res) listener', () => {
  let current: ReplySpec | undefined
  const handler = bridge((_req: IncomingMessage, res: ServerResponse) => applyReply(current!, res))

  it('keeps the status, the headers (minus hop-by-hop) and the bytes, in a valid integrated response', async () => {
    await checkProperty(
      fc.asyncProperty(replyArb, fc.constantFrom('GET', 'HEAD', 'POST'), async (spec, method) => {
        current = spec
        const response = await handler(httpEvent({ method, path: '/' }) as never, scfContext())
        assertIntegrated(response)
        expect(response.statusCode).toBe(spec.status)

        for (const name of HOP_BY_HOP) expect(response.headers[name]).toBeUndefined()
        for (const [name, value] of spec.headers) {
          const lower = name.toLowerCase()
          if (RESERVED.has(lower)) continue
          expect(response.headers[lower]).toEqual(Array.isArray(value) && value.length > 1 ? value : String(value))
        }
        expect(response.headers['content-type']).toBe(spec.contentType)
        expect(response.headers['content-encoding']).toBe(spec.contentEncoding)
        if (spec.cookies.length) expect(response.headers['set-cookie']).toEqual(spec.cookies)
        else expect(response.headers['set-cookie']).toBeUndefined()

        const bodyless = method === 'HEAD' || spec.status === 204 || spec.status === 304
        const expected = bodyless ? Buffer.alloc(0) : Buffer.from(spec.body)
        expect(bodyBytes(response).equals(expected)).toBe(true)
        if (response.headers['content-length'] !== undefined && !bodyless) {
          expect(response.headers['content-length']).toBe(String(expected.length))
        }
      }),
      400,
    )
  }, 120_000)
})

describe('any Response from a fetch-style app', () => {
  let current: ReplySpec | undefined
  const NULL_BODY = new Set([204, 205, 304])
  const handler = bridge(
    () => {
      const spec = current!
      const headers = new Headers()
      for (const [name, value] of spec.headers)
        for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
      if (spec.contentType) headers.set('content-type', spec.contentType)
      if (spec.contentEncoding) headers.set('content-encoding', spec.contentEncoding)
      for (const cookie of spec.cookies) headers.append('set-cookie', cookie)
      return new Response(NULL_BODY.has(spec.status) ? null : new Uint8Array(spec.body), {
        status: spec.status,
        headers,
      })
    },
    { fetch: true },
  )

  it('keeps the status, the headers (repeated ones joined, as fetch does; cookies apart) and the bytes', async () => {
    await checkProperty(
      fc.asyncProperty(replyArb, fc.constantFrom('GET', 'HEAD', 'POST'), async (spec, method) => {
        current = spec
        const response = await handler(httpEvent({ method, path: '/' }) as never, scfContext())
        assertIntegrated(response)
        expect(response.statusCode).toBe(spec.status)
        for (const name of HOP_BY_HOP) expect(response.headers[name]).toBeUndefined()
        // What fetch itself makes of the values (repeated ones joined, whitespace trimmed) is what arrives.
        const appended = new Headers()
        for (const [name, value] of spec.headers)
          for (const item of Array.isArray(value) ? value : [value]) appended.append(name, item)
        const fetchView = new Response(null, { headers: appended }).headers
        for (const [name] of spec.headers) {
          const lower = name.toLowerCase()
          if (RESERVED.has(lower)) continue
          expect(response.headers[lower]).toBe(fetchView.get(lower))
        }
        expect(response.headers['content-type']).toBe(spec.contentType)
        if (spec.cookies.length) expect(response.headers['set-cookie']).toEqual(spec.cookies)
        else expect(response.headers['set-cookie']).toBeUndefined()
        const bodyless = method === 'HEAD' || NULL_BODY.has(spec.status)
        expect(bodyBytes(response).equals(bodyless ? Buffer.alloc(0) : Buffer.from(spec.body))).toBe(true)
      }),
      300,
    )
  }, 120_000)
})
