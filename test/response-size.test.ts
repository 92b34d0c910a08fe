import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import express from 'express'
import fc from 'fast-check'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../src'
import { createBinaryDecider } from '../src/binary'
import { emulate, gatewayReply } from '../src/emulator'
import { responseToIntegrated } from '../src/response-to-integrated'
import {
  addedHeaderBytes,
  checkIntegratedResponse,
  fitBody,
  jsonTextSize,
  jsonUtf8Size,
  MAX_RESPONSE_BYTES,
  serialisedSize,
} from '../src/scf-contract'
import type { IntegratedResponse } from '../src/types'
import { httpEvent, scfContext } from './fixtures/events'
import { SEED } from './robustness/support'

// What SCF counts is the serialised integrated response: the bridge computes it exactly without serialising,
// sends a body in whichever encoding fits (text, else base64: the same bytes either way), and applies the
// same check to every response, its own, the app's and onError's, and in the emulator.

const MB = 1024 * 1024
const jsonBytes = (value: unknown) => {
  const json = JSON.stringify(value)
  return json === undefined ? 0 : Buffer.byteLength(json)
}
const options = (numRuns: number) => ({ seed: SEED, numRuns })

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())
const loggedLines = (): Array<Record<string, unknown>> =>
  errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])) as Record<string, unknown>)

// Any UTF-16 code unit (lone surrogates included), with what JSON escapes or leaves raw made frequent.
const codeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u0080', '\u07ff'),
  fc.constantFrom('\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '\ufeff', '\uffff'),
)
const anyString = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
)
const headerValue = fc.oneof(anyString, fc.array(anyString, { maxLength: 4 }))
const anyResponse = fc.record({
  isBase64Encoded: fc.boolean(),
  statusCode: fc.integer({ min: 200, max: 599 }),
  headers: fc.dictionary(anyString, headerValue, { maxKeys: 8 }),
  body: fc.oneof(anyString, fc.string({ unit: codeUnit, minLength: 1000, maxLength: 5000 })),
})

describe('serialisedSize: the bytes of JSON.stringify, without serialising', () => {
  it('is exact for any string: escapes, lone surrogates, U+2028/2029, astral characters', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        expect(jsonTextSize(text)).toBe(jsonBytes(text))
        expect(serialisedSize(text)).toBe(jsonBytes(text))
      }),
      options(3000),
    )
  })

  it('is exact for any integrated response (any headers, any body)', () => {
    fc.assert(
      fc.property(anyResponse, (response) => {
        expect(serialisedSize(response)).toBe(jsonBytes(response))
      }),
      options(1000),
    )
  })

  it('is exact for any JSON value a handler may return, toJSON, Dates and left-out values included', () => {
    const withToJSON = anyString.map((text) => ({ toJSON: (key: string) => ({ key, text }) }))
    const leaf = fc.oneof(
      anyString,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constantFrom(null, undefined, () => 1, Symbol('s'), -0, Number.NaN, Infinity, 1e21, 5e-7),
      fc.date({ noInvalidDate: true }),
      withToJSON,
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
    )
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 5 }),
      object: fc.dictionary(anyString, tie('node'), { maxKeys: 5 }),
    })).node
    fc.assert(
      fc.property(value, (v) => {
        expect(serialisedSize(v)).toBe(jsonBytes(v))
      }),
      options(2000),
    )
  })

  it('handles what it does not walk itself as JSON.stringify does: boxed primitives, class instances, cycles, BigInt', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly label: string,
      ) {}
    }
    for (const value of [
      new String('a"b'),
      { n: new Number(4), b: new Boolean(false) },
      new Point(1, '\u2028'),
      new Map([[1, 2]]),
      [undefined, () => 1],
    ]) {
      expect(serialisedSize(value)).toBe(jsonBytes(value))
    }
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    expect(() => serialisedSize(cycle)).toThrow(TypeError)
    expect(() => serialisedSize({ big: 1n })).toThrow(TypeError)
    expect(serialisedSize(undefined)).toBe(0)
  })

  it('counts valid UTF-8 bytes as JSON would write their text, without decoding them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), anyString, (text, more) => {
        const bytes = Buffer.from(text + more.replace(/[\ud800-\udfff]/g, ''), 'utf8')
        expect(jsonUtf8Size(bytes)).toBe(jsonBytes(bytes.toString('utf8')))
      }),
      options(2000),
    )
  })

  it('counts the x-request-id header the bridge adds afterwards, comma included', () => {
    fc.assert(
      fc.property(anyResponse, anyString, (response, id) => {
        fc.pre(id !== '' && !Object.hasOwn(response.headers, 'x-request-id'))
        const before = jsonBytes(response)
        const after = jsonBytes({ ...response, headers: { ...response.headers, 'x-request-id': id } })
        expect(after - before).toBe(addedHeaderBytes(id) - (Object.keys(response.headers).length === 0 ? 1 : 0))
      }),
      options(500),
    )
    expect(addedHeaderBytes('')).toBe(0)
  })
})

describe('the encoding that fits', () => {
  const decide = createBinaryDecider()
  const reply = (body: Buffer, contentType?: string) =>
    responseToIntegrated(
      { statusCode: 200, headers: contentType ? { 'content-type': contentType } : {}, body },
      'GET',
      decide,
    )

  it('sends 1 MiB of control bytes labelled text as base64, the same bytes, since JSON escaping would not fit', () => {
    const bytes = Buffer.alloc(MB, 1)
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/json', undefined]) {
      const r = reply(bytes, type) as IntegratedResponse
      expect(r.isBase64Encoded, type).toBe(true)
      expect(Buffer.from(r.body, 'base64').equals(bytes), type).toBe(true)
      expect(jsonBytes(r)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES)
    }
  })

  it('keeps text that fits as text, up to the last byte of the limit; one byte more fits neither way', () => {
    const envelope = jsonBytes({ isBase64Encoded: false, statusCode: 200, headers: { 'content-type': 'text/plain' } })
    // {"isBase64Encoded":false,"statusCode":200,"headers":{...},"body":"<text>"}: the body's key and quotes.
    const fixed = envelope + ',"body":""'.length
    const exact = Buffer.alloc(MAX_RESPONSE_BYTES - fixed, 0x61)
    const atLimit = reply(exact, 'text/plain') as IntegratedResponse
    expect(atLimit.isBase64Encoded).toBe(false)
    expect(jsonBytes(atLimit)).toBe(MAX_RESPONSE_BYTES)
    // One escaped byte: text is one byte over, and base64 of 6 MB is far over.
    exact[0] = 0x0a
    expect(reply(exact, 'text/plain')).toEqual({ tooLarge: MAX_RESPONSE_BYTES + 1, cutOff: false })
  })

  it('chooses exactly: text whenever its serialised size fits, base64 whenever only that fits, else too large', () => {
    const body = fc.tuple(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: -40, max: 40 }),
    )
    fc.assert(
      fc.property(
        body,
        fc.dictionary(fc.constantFrom('x-a', 'x-b', 'x-c'), fc.string(), { maxKeys: 3 }),
        ([byte, scale, delta], headers) => {
          // Sizes around the limit for text (each byte taking 1, 2 or 6) and for base64.
          const length = Math.max(0, Math.floor(MAX_RESPONSE_BYTES / scale) + delta)
          const bytes = Buffer.alloc(length, byte)
          const envelope: IntegratedResponse = { isBase64Encoded: false, statusCode: 200, headers, body: '' }
          const fit = fitBody(envelope, bytes, true)
          const asText = { ...envelope, body: bytes.toString('utf8') }
          const asBase64 = { ...envelope, isBase64Encoded: true, body: bytes.toString('base64') }
          const textFits = jsonBytes(asText) <= MAX_RESPONSE_BYTES
          const base64Fits = jsonBytes(asBase64) <= MAX_RESPONSE_BYTES
          if (textFits) expect(fit).toEqual({ encoding: 'text' })
          else if (base64Fits) expect(fit).toEqual({ encoding: 'base64' })
          else expect(fit).toEqual({ tooLarge: Math.min(jsonBytes(asText), jsonBytes(asBase64)) })
        },
      ),
      options(20),
    )
  })

  it('leaves room for the x-request-id the bridge adds: what leaves the handler fits, to the byte', async () => {
    const envelope = jsonBytes({ isBase64Encoded: false, statusCode: 200, headers: { 'content-type': 'text/plain' } })
    const room = MAX_RESPONSE_BYTES - envelope - ',"body":""'.length
    const statuses = new Set<number>()
    for (const id of ['short-id', 'i'.repeat(120)]) {
      for (let delta = -200; delta <= 0; delta += 8) {
        const app = (_req: IncomingMessage, res: ServerResponse) => {
          res.setHeader('content-type', 'text/plain')
          res.end(Buffer.alloc(room + delta, 0x61))
        }
        const response = await bridge(app)(
          httpEvent({ path: '/', headers: { 'x-request-id': id } }) as never,
          scfContext(),
        )
        expect(typeof response.headers['x-request-id']).toBe('string')
        expect(jsonBytes(response)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES)
        // Text or nothing: base64 of 6 MB cannot fit.
        if (response.statusCode === 200) expect(response.body.length).toBe(room + delta)
        else expect(response.statusCode).toBe(502)
        statuses.add(response.statusCode)
      }
    }
    expect([...statuses].sort()).toEqual([200, 502])
  })

  it('through the bridge and the emulator, the client gets the bytes the app sent, in either encoding', async () => {
    const sent = Buffer.concat([Buffer.alloc(MB, 0), Buffer.from('end "\n" \u2028 中文')])
    const app = express()
    app.get('/control', (_req, res) => res.type('text/plain').send(sent))
    const handler = bridge(app)
    const direct = await handler(httpEvent({ path: '/control' }) as never, scfContext())
    expect(direct).toMatchObject({ statusCode: 200, isBase64Encoded: true })
    const { reply } = await emulate(handler, { method: 'GET', path: '/control', headers: { host: 'localhost' } })
    expect(reply.status).toBe(200)
    expect(reply.body.equals(sent)).toBe(true)
    expect(reply.headers['content-type']).toEqual(['text/plain; charset=utf-8'])
  })
})

describe('one check for every response', () => {
  const failing = (_req: IncomingMessage, _res: ServerResponse) => {
    throw new Error('the app failed')
  }

  it.each([
    ['a 7 MB body', { statusCode: 200, body: 'x'.repeat(7 * MB) }, /7340\d{3} bytes once serialised/],
    ['6 MB that only JSON escaping blows up', { statusCode: 200, body: '\u0001'.repeat(1.1 * MB) }, /6 MB/],
    ['a status SCF cannot send', { statusCode: 700, body: 'odd' }, /statusCode must be an integer/],
    ['a header that splits the reply', { statusCode: 200, headers: { 'x-a': 'b\r\nc: d' } }, /line break/],
  ])('an onError response with %s is replaced by the default 500, with a log line', async (_, custom, problem) => {
    const response = await bridge(failing, { onError: () => custom as never })(
      httpEvent({ path: '/' }) as never,
      scfContext({ request_id: 'inv-1' }),
    )
    expect(response.statusCode).toBe(500)
    expect(response.body).toBe('Internal Server Error')
    expect(jsonBytes(response)).toBeLessThan(MAX_RESPONSE_BYTES)
    const lines = loggedLines()
    const unusable = lines.find((line) => line.message === 'onError returned an unusable response')
    expect(unusable).toMatchObject({ requestId: 'inv-1', path: '/' })
    expect(String(unusable?.problem)).toMatch(problem)
    expect(lines.some((line) => line.message === 'the app failed' && line.status === 500)).toBe(true)
  })

  it('an onError response that fits only without the x-request-id the bridge adds is replaced too', async () => {
    const base = { isBase64Encoded: false, statusCode: 200, headers: {}, body: '' }
    const body = 'y'.repeat(MAX_RESPONSE_BYTES - jsonBytes(base))
    expect(checkIntegratedResponse({ statusCode: 200, body })).not.toBeTypeOf('string')
    const response = await bridge(failing, {
      onError: () => ({ isBase64Encoded: false, statusCode: 200, headers: {}, body }),
    })(httpEvent({ path: '/' }) as never, scfContext({ request_id: 'inv-2' }))
    expect(response.statusCode).toBe(500)
    expect(jsonBytes(response)).toBeLessThan(MAX_RESPONSE_BYTES)
  })

  it('the emulator refuses what SCF would, sized exactly, and accepts what fits to the byte', () => {
    const base = { isBase64Encoded: false, statusCode: 200, headers: {}, body: '' }
    const body = '\n'.repeat((MAX_RESPONSE_BYTES - jsonBytes(base)) / 2)
    const fits = gatewayReply({ kind: 'returned', value: { ...base, body } })
    expect(fits.status).toBe(200)
    expect(fits.body.length).toBe(body.length)
    const overValue = { ...base, body: `${body}\n` }
    const over = gatewayReply({ kind: 'returned', value: overValue })
    expect(jsonBytes(overValue)).toBeGreaterThan(MAX_RESPONSE_BYTES)
    expect(over.status).toBe(502)
    expect(over.problem).toMatch(`${jsonBytes(overValue)} bytes once serialised`)
    // A Function URL's JSON without statusCode counts the same way.
    expect(gatewayReply({ kind: 'returned', value: { text: 'z'.repeat(7 * MB) } }, 'url').status).toBe(502)
  })
})

describe('a body past the limit is cut off, not collected', () => {
  it('a piped stream: 502 at once, one log line, the source destroyed as on a client hang-up', async () => {
    let made = 0
    let outcome: unknown
    const source = new Readable({
      read() {
        made += 64 * 1024
        this.push(Buffer.alloc(64 * 1024, 0x61))
      },
    })
    const app = express()
    app.get('/stream', (_req, res) => {
      res.type('application/octet-stream')
      pipeline(source, res).then(
        () => (outcome = 'finished'),
        (error: Error & { code?: string }) => (outcome = error.code),
      )
    })
    const response = await bridge(app)(
      httpEvent({ path: '/stream', query: { token: 'secret' } }) as never,
      scfContext({ request_id: 'inv-3' }),
    )
    expect(response.statusCode).toBe(502)
    expect(response.body).toBe('Bad Gateway: the response is larger than the 6 MB SCF allows')
    await new Promise((resolve) => setImmediate(resolve))
    expect(outcome).toBe('ERR_STREAM_PREMATURE_CLOSE')
    expect(source.destroyed).toBe(true)
    expect(made).toBeLessThan(7 * MB)
    const lines = loggedLines()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ message: 'response too large for SCF', requestId: 'inv-3', cutOff: true })
    expect(lines[0].bytes).toBeGreaterThan(MAX_RESPONSE_BYTES)
    expect(JSON.stringify(lines)).not.toContain('secret')
  })

  it('one write far past the limit is not copied, and the answer is the same 502', async () => {
    const huge = Buffer.alloc(64 * MB)
    const app = (_req: IncomingMessage, res: ServerResponse) => res.end(huge)
    const response = await bridge(app)(httpEvent({ path: '/' }) as never, scfContext())
    expect(response.statusCode).toBe(502)
    expect(loggedLines()[0]).toMatchObject({ bytes: expect.any(Number), cutOff: true })
    expect(loggedLines()[0].bytes).toBeGreaterThan(64 * MB)
  })

  it('HEAD of a huge resource is not cut off: its body is never written', async () => {
    const app = (req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('content-length', String(100 * MB))
      if (req.method === 'HEAD') return res.end()
      res.end(Buffer.alloc(100 * MB))
    }
    const response = await bridge(app)(httpEvent({ method: 'HEAD', path: '/' }) as never, scfContext())
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-length']).toBe(String(100 * MB))
  })

  it('a fetch app: its ReadableStream is cancelled and the answer is 502', async () => {
    let cancelled = false
    let pulled = 0
    const app = new Hono()
    app.get('/', () => {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 64 * 1024
          controller.enqueue(new Uint8Array(64 * 1024))
        },
        cancel() {
          cancelled = true
        },
      })
      return new Response(body, { headers: { 'content-type': 'application/octet-stream' } })
    })
    const response = await bridge(app)(httpEvent({ path: '/' }) as never, scfContext({ request_id: 'inv-4' }))
    expect(response.statusCode).toBe(502)
    expect(cancelled).toBe(true)
    expect(pulled).toBeLessThan(7 * MB)
    expect(loggedLines()[0]).toMatchObject({ message: 'response too large for SCF', requestId: 'inv-4', cutOff: true })
  })

  it('a fetch app whose body just fits is read whole, the bytes exact', async () => {
    const bytes = Buffer.alloc(4 * MB)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff
    const app = new Hono()
    app.get('/', () => {
      let at = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= bytes.length) return controller.close()
          controller.enqueue(new Uint8Array(bytes.subarray(at, at + 100_000)))
          at += 100_000
        },
      })
      return new Response(body, { headers: { 'content-type': 'application/octet-stream' } })
    })
    const response = await bridge(app)(httpEvent({ path: '/' }) as never, scfContext())
    expect(response.statusCode).toBe(200)
    expect(Buffer.from(response.body, 'base64').equals(bytes)).toBe(true)
  })
})
