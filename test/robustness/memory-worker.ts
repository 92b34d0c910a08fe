/**
 * Run by memory.test.ts in its own process: `node --expose-gc --import tsx memory-worker.ts`.
 * Serves INVOCATIONS invocations with 100 KB bodies (alternately binary and text) through each of a
 * bridged Express 5, Koa 3 and Hono (fetch-style) app, and prints the heap and buffer memory after GC before and after, as JSON.
 */

import type { IncomingMessage } from 'node:http'
import express from 'express'
import { Hono } from 'hono'
import Koa from 'koa'
import { bridge } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'

const INVOCATIONS = Number(process.env.INVOCATIONS ?? 20_000)
const WARMUP = 1_000
const IN_FLIGHT = 8
const BODY_BYTES = 100 * 1024

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const expressApp = express()
expressApp.post('/echo', (req, res) => {
  readAll(req).then(
    (body) => {
      res.type(req.get('content-type') ?? 'application/octet-stream').send(body)
    },
    (error: Error) => res.status(500).send(error.message),
  )
})

const koaApp = new Koa()
koaApp.use(async (ctx) => {
  const body = await readAll(ctx.req)
  ctx.type = ctx.get('content-type') || 'application/octet-stream'
  ctx.body = body
})

const honoApp = new Hono()
honoApp.post('/echo', async (c) => {
  const body = await c.req.arrayBuffer()
  return new Response(body, { headers: { 'content-type': c.req.header('content-type') ?? 'application/octet-stream' } })
})

function eventFor(i: number) {
  // A fresh body each time: a bridge that kept any would keep all of them.
  if (i % 2 === 0) {
    const bytes = Buffer.alloc(BODY_BYTES, i % 251)
    bytes[0] = 0xff
    return httpEvent({
      method: 'POST',
      path: '/echo',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    })
  }
  const text = String(i % 10).repeat(BODY_BYTES)
  return httpEvent({
    method: 'POST',
    path: '/echo',
    body: text,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  })
}

async function serve(handler: ReturnType<typeof bridge>, count: number, offset: number): Promise<void> {
  for (let start = 0; start < count; start += IN_FLIGHT) {
    const batch: Array<Promise<void>> = []
    for (let i = start; i < Math.min(count, start + IN_FLIGHT); i++) {
      const n = offset + i
      batch.push(
        handler(eventFor(n) as never, scfContext({ request_id: `memory-${n}` })).then((response) => {
          const expected = n % 2 === 0 ? (BODY_BYTES * 4) / 3 : BODY_BYTES
          if (response.statusCode !== 200 || Math.abs(response.body.length - expected) > 4) {
            throw new Error(`invocation ${n}: status ${response.statusCode}, ${response.body.length} body characters`)
          }
        }),
      )
    }
    await Promise.all(batch)
  }
}

async function settledMemory(): Promise<{ heapUsed: number; arrayBuffers: number }> {
  for (let i = 0; i < 4; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return { heapUsed, arrayBuffers }
}

async function main(): Promise<void> {
  const results = []
  for (const [name, app] of [
    ['Express 5', expressApp],
    ['Koa 3', koaApp],
    ['Hono', honoApp],
  ] as const) {
    const handler = bridge(app)
    await serve(handler, WARMUP, 0)
    const before = await settledMemory()
    const started = Date.now()
    await serve(handler, INVOCATIONS, WARMUP)
    const after = await settledMemory()
    results.push({ name, invocations: INVOCATIONS, before, after, ms: Date.now() - started })
  }
  process.stdout.write(`${JSON.stringify(results)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
