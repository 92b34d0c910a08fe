import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ScfQueryValue } from '../../src'
import { bridge } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'
import { checkProperty, express4, express5, expressEcho, Koa2, Koa3, koaEcho, parseEcho, SEED } from './support'

// Any query map API Gateway can deliver (decoded values, arrays for repeated keys, `true` for bare keys)
// reaches the app as the same map.

console.info(`property-query: fast-check seed ${SEED}`)

const reserved = fc.constantFrom(
  '&',
  '=',
  '?',
  '#',
  '+',
  '%',
  '%2',
  '%41',
  '/',
  ' ',
  '[',
  ']',
  ';',
  ',',
  '"',
  "'",
  '\\',
  '<',
  '中',
  '😀',
  'é',
  'a',
  'Z',
  '0',
)
const partArb = fc.oneof(
  fc.string({ unit: reserved, maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ maxLength: 8 }),
)
const valueArb: fc.Arbitrary<ScfQueryValue> = fc.oneof(
  partArb,
  fc.constant(''),
  fc.constant(true as const),
  fc.array(partArb, { minLength: 2, maxLength: 4 }),
)

/** A query map and what a querystring-style parser makes of it. */
function queryArb(keyArb: fc.Arbitrary<string>) {
  return fc.uniqueArray(fc.tuple(keyArb, valueArb), { selector: ([key]) => key, maxLength: 8 }).map((entries) => {
    const query = Object.fromEntries(entries) as Record<string, ScfQueryValue>
    return {
      query,
      expected: Object.fromEntries(entries.map(([key, value]) => [key, value === true ? '' : value])) as Record<
        string,
        string | string[]
      >,
      // In the map's own key order (integer-like keys first, as in any JS object).
      pairs: Object.keys(query).flatMap((key) => {
        const value = query[key]
        return (Array.isArray(value) ? value : [value === true ? '' : value]).map((item) => [key, item])
      }),
    }
  })
}

const anyKey = fc.oneof(
  partArb.filter((key) => key !== ''),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'a[]', 'a.b'),
)
// Express 4's qs reads brackets and prototype names as structure: keys without them.
const plainKey = fc
  .string({
    unit: fc.constantFrom('a', 'b', 'Z', '0', '-', '_', '~', '中', 'é', ' ', '+', '%', '&', '=', '😀'),
    minLength: 1,
    maxLength: 6,
  })
  .filter((key) => !['constructor', 'toString', '__proto__'].includes(key))

// Koa 2 caches parsed queries in a plain object keyed by the query string, so `?__proto__` or
// `?constructor` reads Object.prototype's entry, on any server (Koa 3 fixed it): no prototype names there.
const noPrototypeKey = anyKey.filter((key) => !(key in Object.prototype))

const apps = [
  { name: 'Express 5', app: expressEcho(express5), keys: anyKey },
  { name: 'Express 4', app: expressEcho(express4), keys: plainKey },
  { name: 'Koa 3', app: koaEcho(Koa3), keys: anyKey },
  { name: 'Koa 2', app: koaEcho(Koa2), keys: noPrototypeKey },
]

describe.each(apps)('query maps through $name', ({ app, keys }) => {
  const handler = bridge(app)

  it('the app parses the same map, in both event dialects, and the URL carries every pair in order', async () => {
    await checkProperty(
      fc.asyncProperty(
        queryArb(keys),
        fc.constantFrom('apigw', 'url') as fc.Arbitrary<'apigw' | 'url'>,
        async ({ query, expected, pairs }, dialect) => {
          const response = await handler(httpEvent({ path: '/q', query, dialect }) as never, scfContext())
          expect(response.statusCode).toBe(200)
          const echo = parseEcho(response)
          expect(echo.query).toEqual(expected)
          const search = echo.url.includes('?') ? echo.url.slice(echo.url.indexOf('?')) : ''
          expect([...new URLSearchParams(search)]).toEqual(pairs)
        },
      ),
      150,
    )
  }, 120_000)
})

describe('query edge cases from the platform', () => {
  const handler = bridge(expressEcho(express5))
  const cases: Array<[string, Record<string, ScfQueryValue>, Record<string, unknown>]> = [
    ['repeated keys', { foo: ['bar', 'qux'] }, { foo: ['bar', 'qux'] }],
    ['a bare key next to a valued one', { key1: true, key2: 'value2' }, { key1: '', key2: 'value2' }],
    ['an empty value', { a: '' }, { a: '' }],
    ['reserved characters', { 'a&b=c': 'd&e=f#g?h', '+': ' + ' }, { 'a&b=c': 'd&e=f#g?h', '+': ' + ' }],
    ['a literal percent sequence', { p: '%41%zz' }, { p: '%41%zz' }],
    ['unicode', { 名字: '值 😀' }, { 名字: '值 😀' }],
  ]
  it.each(cases)('%s', async (_, query, expected) => {
    const response = await handler(httpEvent({ path: '/q', query }) as never, scfContext())
    expect(parseEcho(response).query).toEqual(expected)
  })
})
