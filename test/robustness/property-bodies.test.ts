import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { bodyBytes, httpEvent, scfContext } from '../fixtures/events'
import {
  assertIntegrated,
  checkProperty,
  echoApps,
  express5,
  expressEcho,
  Koa3,
  koaEcho,
  otherEchoApps,
  SEED,
  sha256,
} from './support'

// Any body bytes travel byte-exact both ways: the app receives exactly the bytes the client sent
// (checked by its SHA-256), and the client decodes exactly the bytes the app sent.

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
  console.info(`property-bodies: fast-check seed ${SEED}`)
})
afterAll(() => errorLog.mockRestore())

const contentTypeArb = fc.constantFrom(
  undefined,
  'application/octet-stream',
  'image/png',
  'application/pdf',
  'text/plain; charset=utf-8',
  'text/html',
  'application/json',
  'text/plain; charset=iso-8859-1',
  'application/x-www-form-urlencoded',
)

const bytesArb = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 1000, maxLength: 20_000 }),
  // Mostly valid UTF-8 with some invalid sequences: the tricky middle for the text/binary decision.
  fc
    .tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 4 }))
    .map(([text, junk]) => new Uint8Array(Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(junk)]))),
)

// Unicode text as API Gateway delivers it (valid UTF-8: no lone surrogates).
const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', minLength: 2000, maxLength: 10_000 }),
  fc.constantFrom('', '\0', '\r\n', '\uFEFFbom', '{"a":"\\u0000"}', '%E4%B8%AD', '\u2028\u2029'),
)

describe.each([...echoApps(), ...otherEchoApps()])('bodies through $name', ({ app }) => {
  const handler = bridge(app)

  it('any bytes, base64 in the event: the app gets them all, the client decodes them all', async () => {
    await checkProperty(
      fc.asyncProperty(bytesArb, contentTypeArb, async (array, contentType) => {
        const bytes = Buffer.from(array)
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {}
        const response = await handler(
          httpEvent({ method: 'POST', path: '/reply', body: bytes, headers }) as never,
          scfContext(),
        )
        assertIntegrated(response)
        expect(response.statusCode).toBe(200)
        expect(response.headers['x-body-sha256']).toBe(sha256(bytes))
        expect(bodyBytes(response).equals(bytes)).toBe(true)
        if (bytes.length > 0 && !response.isBase64Encoded)
          expect(Buffer.from(response.body, 'utf8').equals(bytes)).toBe(true)
      }),
      120,
    )
  }, 120_000)

  it('any Unicode text, plain in the event (both dialects): the app gets its UTF-8, the client the same text', async () => {
    await checkProperty(
      fc.asyncProperty(
        textArb,
        fc.constantFrom('apigw', 'url') as fc.Arbitrary<'apigw' | 'url'>,
        async (text, dialect) => {
          const headers = { 'content-type': 'text/plain; charset=utf-8' }
          const event = httpEvent({ method: 'POST', path: '/reply', body: text, headers, dialect })
          const response = await handler(event as never, scfContext())
          assertIntegrated(response)
          expect(response.statusCode).toBe(200)
          expect(response.headers['x-body-sha256']).toBe(sha256(Buffer.from(text, 'utf8')))
          expect(response.isBase64Encoded).toBe(false)
          expect(response.body).toBe(text)
        },
      ),
      120,
    )
  }, 120_000)
})

describe.each([
  { name: 'Express 5', app: expressEcho(express5) },
  { name: 'Koa 3', app: koaEcho(Koa3) },
])('several MB through $name', ({ app }) => {
  const handler = bridge(app)

  it('4 MB of random bytes (base64 path) arrive and come back byte-exact', async () => {
    const bytes = randomBytes(4 * 1024 * 1024)
    for (const headers of [{ 'content-type': 'application/octet-stream' }, {}] as Array<Record<string, string>>) {
      const response = await handler(
        httpEvent({ method: 'POST', path: '/reply', body: bytes, headers }) as never,
        scfContext(),
      )
      assertIntegrated(response)
      expect(response.statusCode).toBe(200)
      expect(response.isBase64Encoded).toBe(true)
      expect(response.headers['x-body-sha256']).toBe(sha256(bytes))
      expect(bodyBytes(response).equals(bytes)).toBe(true)
    }
  }, 60_000)

  it('3 MB of multi-byte Unicode text (text path) arrives and comes back unchanged', async () => {
    const text = '中文 ünïcödé 😀 \u2028 '.repeat((3 * 1024 * 1024) / 32)
    const headers = { 'content-type': 'text/plain; charset=utf-8' }
    const response = await handler(
      httpEvent({ method: 'POST', path: '/reply', body: text, headers }) as never,
      scfContext(),
    )
    assertIntegrated(response)
    expect(response.statusCode).toBe(200)
    expect(response.isBase64Encoded).toBe(false)
    expect(response.headers['x-body-sha256']).toBe(sha256(Buffer.from(text, 'utf8')))
    expect(response.body === text).toBe(true)
  }, 60_000)
})

describe('base64 request bodies in every spelling', () => {
  const handler = bridge(expressEcho(express5))
  const spellingArb = fc.record({
    urlSafe: fc.boolean(),
    unpadded: fc.boolean(),
    lineBreaks: fc.constantFrom(undefined, 76, 64, 4),
  })
  const spell = (
    bytes: Buffer,
    { urlSafe, unpadded, lineBreaks }: { urlSafe: boolean; unpadded: boolean; lineBreaks: number | undefined },
  ) => {
    let text = bytes.toString('base64')
    if (urlSafe) text = text.replace(/\+/g, '-').replace(/\//g, '_')
    if (unpadded) text = text.replace(/=+$/, '')
    if (lineBreaks) text = text.replace(new RegExp(`(.{${lineBreaks}})`, 'g'), '$1\r\n')
    return text
  }
  const event = (body: string) => ({
    ...httpEvent({ method: 'POST', path: '/reply', headers: { 'content-type': 'application/octet-stream' } }),
    body,
    isBase64Encoded: true,
  })

  it('standard or URL-safe, padded or not, wrapped or not: the app gets the same bytes', async () => {
    await checkProperty(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), spellingArb, async (array, spelling) => {
        const bytes = Buffer.from(array)
        const response = await handler(event(spell(bytes, spelling)) as never, scfContext())
        expect(response.statusCode).toBe(200)
        expect(response.headers['x-body-sha256']).toBe(sha256(bytes))
      }),
      150,
    )
  }, 60_000)

  it('one character that base64 cannot hold, anywhere: refused with a clear error, never decoded short', async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.constantFrom('!', '*', '.', '%', '"', '中', '\u0000', '='),
        fc.nat(),
        async (array, bad, at) => {
          const text = Buffer.from(array).toString('base64').replace(/=+$/, '')
          const position = at % text.length
          const corrupted = text.slice(0, position) + bad + text.slice(position)
          await expect(handler(event(corrupted) as never, scfContext())).rejects.toThrow(
            /scf-bridge: event\.body is not valid base64/,
          )
        },
      ),
      150,
    )
  }, 60_000)
})
