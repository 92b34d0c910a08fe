/**
 * Every HTTP event Tencent really delivered (test/fixtures/real-events, copied from the shared collection
 * `../shared/real-events`, whose README notes how they differ from the docs), served through Express, Koa
 * and a fetch app: what each app sees is written out per event below, not derived from the bridge's rules.
 *
 * The copies keep the suite self-contained (a clone alone runs it, and the fixtures change only with the
 * tests that assert them); a test checks that they still match the collection as recorded in
 * test/fixtures/real-events-collection.json (each file's name and the digest of its JSON).
 */

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import express from 'express'
import Koa from 'koa'
import { describe, expect, it } from 'vitest'
import { EventError } from '../src/errors'
import { bridge } from '../src/index'
import type { IntegratedResponse, ScfHandler } from '../src/types'
import { scfContext } from './fixtures/events'
import { collectionDigests, fixtureDigest } from './fixtures/real-events-collection'
import { normaliseQuery, queryOf } from './framework-apps/shared'
import { REPO_ROOT } from './runtimes/toolchain'

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'real-events')

interface RealEvent {
  source: string
  kind: string
  captured: boolean
  notes: string
  event: Record<string, unknown>
}

const HTTP_FILES = readdirSync(FIXTURES)
  .filter((file) => /^(apigw|function-url)-.*\.json$/.test(file))
  .sort()
const load = (file: string): RealEvent => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'))

/** What the app must see for one event. */
interface Seen {
  method: string
  path: string
  query: Record<string, string[]>
  /** The body as text (every real body is UTF-8 text). */
  body: string
  ip: string | null
  scheme: 'http' | 'https'
  host: string
  requestId: string
  /** Headers the app must see with these values (undefined: absent). */
  headers?: Record<string, string | undefined>
}

const INVOCATION_ID = 'aa7b70e6-0000-4000-8000-000000000001'

const EXPECTED: Record<string, Seen> = {
  // No x-api-scheme before 2021: https (docs/https-and-host.md).
  'apigw-chrome-get-query-stage-test-2019.json': {
    method: 'GET',
    path: '/nextjs',
    query: { a: ['1'], b: ['2'] },
    body: '',
    ip: '119.123.40.188',
    scheme: 'https',
    host: 'service-8073mozs-1257949703.gz.apigw.tencentcs.com',
    requestId: '6d86d2a7cfc1d77c719cb407039c75b4',
  },
  // content-length says 11, the body is 17 bytes: the app gets the body and its true length.
  'apigw-curl-post-form-text-hk-2020.json': {
    method: 'POST',
    path: '/my_hk',
    query: {},
    body: '3.5,0.2,3,0.2,...',
    ip: '136.49.211.114',
    scheme: 'https',
    host: 'service-aj0plx8u-1302315972.hk.apigw.tencentcs.com',
    requestId: 'e3123014742e7dd79f0652968bf1f62e',
    headers: { 'content-length': '17', 'content-type': 'application/x-www-form-urlencoded' },
  },
  // A custom domain's Host; the query value arrives decoded and goes back encoded.
  'apigw-custom-domain-form-post-cookie-2020.json': {
    method: 'POST',
    path: '/admin/tag/new/',
    query: { url: ['/admin/tag/'] },
    body: 'name=sdsadasdsadasd&remark=',
    ip: '119.123.224.87',
    scheme: 'https',
    host: 'blog.0duzhan.com',
    requestId: '656622f3b008a0d406a376809b03b52c',
    headers: { 'content-length': '27', cookie: 'Hm_lvt_a0c900918361b31d762d9cf4dc81ee5b=1574491278,1575257377' },
  },
  // Mixed-case header names reach the app lowercased; requestContext.requestId is the gateway's id.
  'apigw-doc-583-12513-mixedcase.json': {
    method: 'POST',
    path: '/test/value',
    query: { bob: ['alice'], foo: ['bar'] },
    body: '{"test":"body"}',
    ip: '10.0.2.14',
    scheme: 'https',
    host: 'service-3ei3tii4-251000691.ap-guangzhou.apigateway.myqloud.com',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    headers: { 'accept-language': 'en-US,en,cn', 'user-agent': 'User Agent String', 'content-length': '15' },
  },
  'apigw-firefox-get-endpoint-timeout-2020.json': {
    method: 'GET',
    path: '/qianxi',
    query: {},
    body: '',
    ip: '183.239.147.178',
    scheme: 'https',
    host: 'service-8o85sm22-1252957949.gz.apigw.tencentcs.com',
    requestId: '6d7a4cb935e001a8d31405d5d8ec00a4',
    headers: { 'content-length': undefined },
  },
  // The query's id is also in the form body: both reach the app, neither merged into the other.
  'apigw-github-webhook-form-ping-2020.json': {
    method: 'POST',
    path: '/wechatwork_git_robot',
    query: { id: ['82c08203-82a6-4824-8319-04a361bc0b2a'] },
    body: '<9853 bytes>',
    ip: '192.30.252.99',
    scheme: 'https',
    host: 'service-5mv1fv1k-1251767583.gz.apigw.tencentcs.com',
    requestId: 'f4195f0a498ba9d9e997aca082338fb8',
    headers: { 'content-length': '9853', 'x-github-event': 'ping' },
  },
  // No x-api-requestid in 2019: the invocation's id.
  'apigw-qcloud-doc-scf-cli-log-python-2019.json': {
    method: 'GET',
    path: '/hello_world',
    query: {},
    body: '',
    ip: '59.37.124.125',
    scheme: 'https',
    host: 'service-qnw3irqg-1255721742.gz.apigw.tencentcs.com',
    requestId: INVOCATION_ID,
  },
  // string | string[] | true: a bare key is a key with an empty value.
  'apigw-scf-go-lib-query-array-bare-key-2019.json': {
    method: 'GET',
    path: '/ritchiechen-apigw-test',
    query: { a: ['b', 'c'], i: [''], x: ['y'] },
    body: '',
    ip: '8.8.8.8',
    scheme: 'https',
    host: 'service-xxx-123456.ap-shanghai.apigateway.myqcloud.com',
    requestId: INVOCATION_ID,
  },
  'apigw-sls-multiscf-get-browser-https-2021.json': {
    method: 'GET',
    path: '/',
    query: {},
    body: '',
    ip: '20.197.69.95',
    scheme: 'https',
    host: 'service-4bsxcuby-1302533238.gz.apigw.tencentcs.com',
    requestId: '73837518616af99bbeace99522926399',
  },
  // No Host, no x-scf-remote-addr: the address from requestContext.sourceIp, the host from the option or default.
  'function-url-custom-domain-post-2025.json': {
    method: 'POST',
    path: '/tango',
    query: {},
    body: '{"name": "John", "age": 30, "city": "New York"}',
    ip: '36.159.237.104',
    scheme: 'https',
    host: 'scf-bridge.invalid',
    requestId: 'c3b3a3e4-b67f-11f0-9795-525400d4c756',
    headers: { 'content-length': '47' },
  },
  // Nothing names the caller: no address at all, never a loopback one.
  'function-url-image-event-invoke-get-2023.json': {
    method: 'GET',
    path: '/',
    query: {},
    body: '',
    ip: null,
    scheme: 'https',
    host: 'scf-bridge.invalid',
    requestId: INVOCATION_ID,
  },
}

/** Events too incomplete to serve, and the field the refusal must name. */
const MALFORMED: Record<string, RegExp> = {
  // The author kept only body and headers: no httpMethod, no path.
  'apigw-python-requests-json-newdomain-2023-partial.json':
    /event\.httpMethod is missing: an HTTP event .* lacks httpMethod, path/,
}

/** What every app below answers: its own view of the request, in one shape. */
interface View {
  method: string
  path: string
  query: Record<string, string[]>
  body: string
  ip: string | null
  scheme: string
  secure: boolean
  host: string
  headers: Record<string, string | undefined>
}

const SECURE_COOKIE = 'sid=s1'

function expressApp() {
  const app = express()
  app.use(express.raw({ type: () => true }))
  app.use((req, res) => {
    // As express-session decides, without trust proxy.
    if (req.secure) res.cookie('sid', 's1', { secure: true })
    const view: View = {
      method: req.method,
      path: req.path,
      query: normaliseQuery(req.query as Record<string, unknown>),
      body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '',
      ip: req.ip ?? null,
      scheme: req.protocol,
      secure: req.secure,
      host: req.get('host') ?? '',
      headers: req.headers as Record<string, string>,
    }
    res.json(view)
  })
  return app
}

function koaApp() {
  const app = new Koa()
  app.use(async (ctx) => {
    const chunks: Buffer[] = []
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
    // Throws (so 500) when Koa takes the request for plain HTTP.
    ctx.cookies.set('sid', 's1', { secure: true })
    const view: View = {
      method: ctx.method,
      path: ctx.path,
      query: normaliseQuery(ctx.query),
      body: Buffer.concat(chunks).toString('utf8'),
      ip: ctx.ip || null,
      scheme: ctx.protocol,
      secure: ctx.secure,
      host: ctx.host,
      headers: ctx.headers as Record<string, string>,
    }
    ctx.body = view
  })
  return app
}

async function fetchApp(request: Request & { ip?: string }): Promise<Response> {
  const url = new URL(request.url)
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  const view: View = {
    method: request.method,
    path: url.pathname,
    query: normaliseQuery(queryOf(url.searchParams)),
    body: await request.text(),
    ip: request.ip ?? null,
    scheme: url.protocol.replace(/:$/, ''),
    secure: url.protocol === 'https:',
    host: url.host,
    headers,
  }
  const cookie = view.secure ? { 'set-cookie': `${SECURE_COOKIE}; Path=/; Secure` } : undefined
  return new Response(JSON.stringify(view), { headers: { 'content-type': 'application/json', ...cookie } })
}

const APPS: { name: string; handler: ScfHandler; hostOption?: ScfHandler }[] = [
  { name: 'Express', handler: bridge(expressApp()), hostOption: bridge(expressApp(), { host: 'api.example.com' }) },
  { name: 'Koa', handler: bridge(koaApp()), hostOption: bridge(koaApp(), { host: 'api.example.com' }) },
  {
    name: 'a fetch app',
    handler: bridge(fetchApp, { fetch: true }),
    hostOption: bridge(fetchApp, { fetch: true, host: 'api.example.com' }),
  },
]

const viewOf = (response: IntegratedResponse): View => {
  expect(response.statusCode, response.body).toBe(200)
  return JSON.parse(response.body)
}

describe('the real events', () => {
  it('are all here: every HTTP event has its expectations or is refused', () => {
    expect(HTTP_FILES.length).toBeGreaterThanOrEqual(12)
    expect(HTTP_FILES).toEqual([...Object.keys(EXPECTED), ...Object.keys(MALFORMED)].sort())
    for (const file of HTTP_FILES) expect(['apigw', 'function-url']).toContain(load(file).kind)
  })

  it('match the shared collection they were copied from', () => {
    const digests = collectionDigests()
    const shared = Object.keys(digests)
      .filter((file) => /^(apigw|function-url)-.*\.json$/.test(file))
      .sort()
    expect(HTTP_FILES).toEqual(shared)
    for (const file of shared) expect(fixtureDigest(file), file).toBe(digests[file])
  })
})

describe.each(APPS)('real events through $name', ({ handler, hostOption }) => {
  it.each(Object.keys(EXPECTED))('%s', async (file) => {
    const { event } = load(file)
    const expected = EXPECTED[file]
    const response = await handler(structuredClone(event) as never, scfContext())
    const seen = viewOf(response)
    const body = event.body === undefined ? '' : String(event.body)
    expect(seen).toMatchObject({
      method: expected.method,
      path: expected.path,
      query: expected.query,
      body: expected.body.startsWith('<') ? body : expected.body,
      ip: expected.ip,
      scheme: expected.scheme,
      secure: expected.scheme === 'https',
      host: expected.host,
    })
    expect(Buffer.byteLength(seen.body)).toBe(body.length === 0 ? 0 : Buffer.byteLength(body))
    expect(seen.headers['x-forwarded-proto']).toBe(expected.scheme)
    expect(seen.headers['x-request-id']).toBe(expected.requestId)
    expect(seen.headers['x-forwarded-for']).toBe(expected.ip ?? undefined)
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(seen.headers[name], name).toBe(value)
    for (const name of Object.keys(seen.headers)) expect(name).toBe(name.toLowerCase())
    const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? [])
    const secureCookie = cookies.find((cookie) => cookie.startsWith(SECURE_COOKIE))
    if (expected.scheme === 'https') expect(secureCookie).toMatch(/;\s*secure/i)
    else expect(secureCookie).toBeUndefined()
  })

  it.each(Object.keys(EXPECTED).filter((file) => EXPECTED[file].host === 'scf-bridge.invalid'))(
    '%s with bridge(app, { host }): the app sees that host',
    async (file) => {
      const seen = viewOf(await hostOption!(load(file).event as never, scfContext()))
      expect(seen.host).toBe('api.example.com')
      expect(seen.scheme).toBe('https')
    },
  )

  it.each(Object.entries(MALFORMED))('refuses %s with an EventError naming the field', async (file, message) => {
    const refusal = handler(load(file).event as never, scfContext())
    await expect(refusal).rejects.toThrow(EventError)
    await expect(refusal).rejects.toThrow(message)
  })
})
