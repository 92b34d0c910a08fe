import { gunzipSync } from 'node:zlib'
import compression from 'compression'
import express5 from 'express'
import express4 from 'express4'
import Koa3 from 'koa'
import koaCompress from 'koa-compress'
import Koa2 from 'koa2'
import { describe, expect, it } from 'vitest'
import { bridge } from '../src'
import { bodyBytes, httpEvent, scfContext } from './fixtures/events'

// Real-looking payloads: a PNG signature and IHDR chunk, a PDF with binary comment bytes, GBK "中文".
const png = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.from([0, 0xff, 0x80, 0x7f]),
])
const pdf = Buffer.concat([
  Buffer.from('%PDF-1.4\n%'),
  Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]),
  Buffer.from('\n1 0 obj\n<<>>\nendobj\n%%EOF\n'),
])
const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]) // "中文" in GBK: not valid UTF-8
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><title>中文</title></svg>'
const json = JSON.stringify({ 城市: '深圳', emoji: '😀', n: 1 })
const script = 'document.title = "gzip ran: 中文";\n'.repeat(50)

interface Case {
  path: string
  type: string | undefined
  body: Buffer
  isBase64Encoded: boolean
  gzip?: boolean
}

const cases: Case[] = [
  { path: '/png', type: 'image/png', body: png, isBase64Encoded: true },
  { path: '/pdf', type: 'application/pdf', body: pdf, isBase64Encoded: true },
  { path: '/gbk', type: 'text/plain; charset=gbk', body: gbk, isBase64Encoded: true },
  { path: '/svg', type: 'image/svg+xml', body: Buffer.from(svg), isBase64Encoded: false },
  { path: '/json', type: 'application/json; charset=utf-8', body: Buffer.from(json), isBase64Encoded: false },
  { path: '/empty', type: undefined, body: Buffer.alloc(0), isBase64Encoded: false },
  {
    path: '/bundle.js',
    type: 'application/javascript; charset=utf-8',
    body: Buffer.from(script),
    isBase64Encoded: true,
    gzip: true,
  },
]

function expressApp(express: typeof express5) {
  const app = express()
  app.use(compression({ threshold: 0, filter: (req) => req.path === '/bundle.js' }))
  for (const c of cases) {
    app.get(c.path, (_req, res) => {
      if (c.type) res.setHeader('content-type', c.type)
      res.end(c.body)
    })
  }
  return app
}

function koaApp(Koa: typeof Koa3) {
  const app = new Koa()
  app.use(koaCompress({ threshold: 0, filter: (type: string) => type.includes('javascript') }))
  app.use(async (ctx) => {
    const c = cases.find((x) => x.path === ctx.path)
    if (!c) return
    ctx.status = 200
    if (c.type) ctx.set('content-type', c.type)
    ctx.body = c.body
  })
  return app
}

const apps = [
  ['Express 4', () => expressApp(express4 as unknown as typeof express5)],
  ['Express 5', () => expressApp(express5)],
  ['Koa 2', () => koaApp(Koa2 as unknown as typeof Koa3)],
  ['Koa 3', () => koaApp(Koa3)],
] as const

describe.each(apps)('binary round trip through %s', (_name, make) => {
  const handler = bridge(make())

  it.each(cases)('$path arrives byte for byte (base64: $isBase64Encoded)', async (c) => {
    const r = await handler(httpEvent({ path: c.path, headers: { 'accept-encoding': 'gzip' } }), scfContext())
    expect(r.statusCode).toBe(200)
    expect(r.isBase64Encoded).toBe(c.isBase64Encoded)
    const received = bodyBytes(r)
    if (c.gzip) {
      expect(r.headers['content-encoding']).toBe('gzip')
      expect(gunzipSync(received)).toEqual(c.body)
    } else {
      expect(received).toEqual(c.body)
    }
    if (!c.isBase64Encoded) expect(r.body).toBe(c.body.toString('utf8'))
  })
})
