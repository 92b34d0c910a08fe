/**
 * Run by tight-loop-memory.test.ts in its own process: `node --expose-gc --import tsx tight-loop-worker.ts`.
 * Awaits INVOCATIONS invocations of 100 KB requests and replies, one after the other, through each of a
 * bridged (req, res) listener, Express 5, Koa 3 and Hono, in a loop that never lets the event loop turn (every
 * await is of a promise settled by microtasks and ticks only), and prints the heap and buffer memory after a
 * full GC, measured before and after the loop within that same turn, as JSON.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import { Hono } from 'hono'
import Koa from 'koa'
import { bridge } from '../../src'
import { httpEvent, scfContext } from '../fixtures/events'

const INVOCATIONS = Number(process.env.INVOCATIONS ?? 2_000)
const BYTES = 100 * 1024

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

// The apps answer without reading the request body: reading it would take a turn of the event loop.
const reply = (i: string) => `${i}`.repeat(BYTES)

const listener = (req: IncomingMessage, res: ServerResponse) => {
  res.setHeader('content-type', 'text/plain')
  res.end(reply(req.headers['x-n'] as string))
}

const expressApp = express()
expressApp.post('/echo', (req, res) => {
  res.type('text/plain').send(reply(req.get('x-n')!))
})

const koaApp = new Koa()
koaApp.use((ctx) => {
  ctx.type = 'text/plain'
  ctx.body = reply(ctx.get('x-n'))
})

const honoApp = new Hono()
honoApp.post('/echo', (c) => c.text(reply(c.req.header('x-n')!)))

function eventFor(i: number) {
  // A fresh body each time: a bridge that kept any would keep all of them.
  return httpEvent({
    method: 'POST',
    path: '/echo',
    body: String(i % 10).repeat(BYTES),
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-n': String(i % 10) },
  })
}

function memory(): { heapUsed: number; arrayBuffers: number } {
  gc!()
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return { heapUsed, arrayBuffers }
}

async function main(): Promise<void> {
  const results = []
  for (const [name, app] of [
    ['listener', listener],
    ['Express 5', expressApp],
    ['Koa 3', koaApp],
    ['Hono', honoApp],
  ] as const) {
    const handler = bridge(app)
    // Warm up (first use of the app and of the bridge), then let the loop turn once before measuring.
    for (let i = 0; i < 20; i++) await handler(eventFor(i) as never, scfContext())
    await new Promise((resolve) => setImmediate(resolve))
    let turned = false
    setImmediate(() => {
      turned = true
    })
    const before = memory()
    for (let i = 0; i < INVOCATIONS; i++) {
      const response = await handler(eventFor(i) as never, scfContext({ request_id: `loop-${i}` }))
      if (response.statusCode !== 200 || response.body.length !== BYTES) {
        throw new Error(`${name} invocation ${i}: status ${response.statusCode}, ${response.body.length} characters`)
      }
    }
    const after = memory()
    results.push({ name, invocations: INVOCATIONS, turned, before, after })
    await new Promise((resolve) => setImmediate(resolve))
  }
  process.stdout.write(`${JSON.stringify(results)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
