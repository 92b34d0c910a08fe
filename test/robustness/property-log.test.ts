import type { IncomingMessage, ServerResponse } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import { loggedPath, usableRequestId } from '../../src/log'
import { httpEvent, scfContext } from '../fixtures/events'
import { checkProperty } from './support'

// The log line of a failed request, over generated paths and request ids: nothing after a raw `;`, `?` or `#`
// of the path ever appears (matrix parameters as `;jsessionid=`, the query, a fragment), nor any query value,
// header value or body; the request id in the line and in the reply's `x-request-id` is a sane one (at most
// 128 characters of [A-Za-z0-9_.:+/=@-]): the client's when it is one, else the gateway's.

const SECRET = 'S3CR3T'

let errorLog: ReturnType<typeof vi.spyOn>
beforeAll(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
beforeEach(() => errorLog.mockClear())
afterAll(() => errorLog.mockRestore())

const SANE_ID = /^[\w.:+/=@-]{1,128}$/

/** Text of a path segment: letters, percent-encodings (%3B among them), sub-delimiters, non-ASCII. */
const segmentText = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', 'b', 'Z', '0', '-', '.', '_', '~', '%3B', '%3b', '%23', '%3F', '%2F', '=', ',', '!', '*'),
      fc.constantFrom('é', '中', '😀', ' ', '%', '%zz'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''))

/** A path: segments, some of them with matrix parameters whose values hold the secret. */
const pathWithSecrets = fc
  .array(
    fc.record({
      text: segmentText,
      matrix: fc.option(fc.constantFrom(`;jsessionid=${SECRET}`, `;${SECRET}`, `;a=1;b=${SECRET}`), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .filter((segments) => segments.some((segment) => segment.matrix !== undefined))
  .map((segments) => `/${segments.map(({ text, matrix }) => text + (matrix ?? '')).join('/')}`)

/** An x-request-id a client may send: a sane id, or anything else carrying the secret. */
const clientId = fc.oneof(
  fc.stringMatching(/^[\w.:+/=@-]{1,128}$/),
  fc.constantFrom(
    `${'x'.repeat(129)}${SECRET}`,
    `${SECRET}${'y'.repeat(100_000)}`,
    `id ${SECRET}`,
    `id\t${SECRET}`,
    `${SECRET}é`,
    `${SECRET}<script>`,
    `${SECRET}"}`,
    '',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((text) => `${text}\u0000${SECRET}`),
)

let urlSeen = ''
const failing = bridge((req: IncomingMessage, _res: ServerResponse) => {
  urlSeen = req.url ?? ''
  throw new Error('the app failed here')
})

describe('the log line of a failed request', () => {
  it('never shows what follows a raw ;, the query, a header or a body; its request ids are sane', async () => {
    await checkProperty(
      fc.asyncProperty(pathWithSecrets, clientId, fc.boolean(), async (path, id, withId) => {
        errorLog.mockClear()
        const headers: Record<string, string> = { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}` }
        if (withId) headers['x-request-id'] = id
        const event = httpEvent({ method: 'POST', path, query: { token: SECRET }, headers, body: `password=${SECRET}` })
        const response = await failing(event as never, scfContext())
        expect(response.statusCode).toBe(500)

        const output = errorLog.mock.calls.map((call: unknown[]) => call.map(String).join(' ')).join('\n')
        expect(output).not.toContain(SECRET)
        const [line] = errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])))
        expect(line.message).toBe('the app failed')
        expect(line.path).not.toMatch(/[;?#]/)
        // The path up to its first raw `;`, as the app got it (percent-encoded where a target needs it).
        expect(urlSeen).toContain(';')
        expect(line.path).toBe(urlSeen.slice(0, urlSeen.indexOf(';')))

        const expectedId = withId && SANE_ID.test(id) ? id : 'gw-req-1'
        expect(line.xRequestId).toBe(expectedId)
        expect(response.headers['x-request-id']).toBe(expectedId)
      }),
      150,
    )
  })
})

describe('loggedPath', () => {
  it('is the URL up to its first ?, ; or #, whatever the URL', async () => {
    await checkProperty(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 60 }), async (url) => {
        const logged = loggedPath(url)
        expect(url.startsWith(logged)).toBe(true)
        expect(logged).not.toMatch(/[?;#]/)
        if (logged.length < url.length) expect('?;#').toContain(url[logged.length])
      }),
      500,
    )
  })

  it.each([
    ['/p;jsessionid=SECRET', '/p'],
    ['/a/b;x=1/c?token=SECRET', '/a/b'],
    ['/a#frag;SECRET', '/a'],
    ['/a%3Bb/c?x', '/a%3Bb/c'],
    ['/plain', '/plain'],
  ])('%s is logged as %s', (url, path) => {
    expect(loggedPath(url)).toBe(path)
  })
})

describe('usableRequestId', () => {
  it('accepts only 1-128 characters of [A-Za-z0-9_.:+/=@-]', async () => {
    await checkProperty(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.anything()), async (value) => {
        const id = usableRequestId(value)
        if (typeof value === 'string' && SANE_ID.test(value)) expect(id).toBe(value)
        else expect(id).toBeUndefined()
      }),
      500,
    )
  })

  it('takes the gateway id when the client sent none usable, and the invocation id without a gateway id', async () => {
    const response = await failing(
      httpEvent({ path: '/p', dialect: 'url', headers: { 'x-request-id': `bad id ${SECRET}` } }) as never,
      scfContext({ request_id: 'inv-42' }),
    )
    expect(response.headers['x-request-id']).toBe('inv-42')
    const [line] = errorLog.mock.calls.map((call: unknown[]) => JSON.parse(String(call[0])))
    expect(line).toMatchObject({ requestId: 'inv-42', xRequestId: 'inv-42', path: '/p' })
  })

  it('the app sees the same sane id in its request headers', async () => {
    let seen: string | undefined
    const handler = bridge((req: IncomingMessage, res: ServerResponse) => {
      seen = req.headers['x-request-id'] as string
      res.end('ok')
    })
    await handler(httpEvent({ path: '/', headers: { 'x-request-id': 'x'.repeat(100_000) } }) as never, scfContext())
    expect(seen).toBe('gw-req-1')
  })
})
