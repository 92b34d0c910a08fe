import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bridge } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'
import { checkProperty, express5, expressEcho, honoEcho, Koa3, koaEcho, parseEcho, SEED } from './support'

// Any path API Gateway can deliver (Unicode, reserved characters, spaces, backslashes) reaches the app
// percent-encoded, and decodes to the same path; `basePath` strips exactly its own prefix.

console.info(`property-paths: fast-check seed ${SEED}`)

// No '%': a decoded path holding a literal '%41' cannot be told from an encoded one (see README).
const segmentChar = fc.oneof(
  fc.constantFrom(
    'a',
    'Z',
    '0',
    '-',
    '.',
    '_',
    '~',
    ' ',
    '?',
    '#',
    '&',
    '=',
    '+',
    ';',
    ',',
    '\\',
    '"',
    "'",
    '<',
    '>',
    '[',
    ']',
    '{',
    '}',
    '|',
    '^',
    '`',
    ':',
    '@',
    '!',
    '$',
    '*',
    '(',
    ')',
    '中',
    'é',
    '😀',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '%' && c !== '/'),
)
// Not '.' or '..' alone: a fetch Request resolves those (and a gateway may too).
const segmentArb = fc
  .string({ unit: segmentChar, minLength: 1, maxLength: 8 })
  .filter((segment) => segment !== '.' && segment !== '..')
const pathArb = fc.array(segmentArb, { maxLength: 5 }).map((segments) => `/${segments.join('/')}`)

const decodePath = (url: string) => decodeURIComponent(url.split('?')[0])

describe.each([
  { name: 'Express 5', app: expressEcho(express5) as unknown },
  { name: 'Koa 3', app: koaEcho(Koa3) as unknown },
  { name: 'Hono', app: honoEcho() as unknown },
])('paths into $name', ({ app }) => {
  const plain = bridge(app)
  const based = bridge(app, { basePath: '/api/v1' })

  it('any path arrives percent-encoded and decodes to itself; basePath strips exactly its prefix', async () => {
    await checkProperty(
      fc.asyncProperty(pathArb, async (path) => {
        const echo = parseEcho(await plain(httpEvent({ path }) as never, scfContext()))
        expect(decodePath(echo.url)).toBe(path)
        expect(echo.url.split('?')[0]).toMatch(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/)

        const under = parseEcho(
          await based(httpEvent({ path: `/api/v1${path === '/' ? '' : path}` }) as never, scfContext()),
        )
        expect(decodePath(under.url)).toBe(path)
        const beside = parseEcho(await based(httpEvent({ path: `/api/v1x${path}` }) as never, scfContext()))
        expect(decodePath(beside.url)).toBe(`/api/v1x${path}`)
      }),
      150,
    )
  }, 120_000)
})
