/**
 * Run by big-reply-memory.test.ts in its own process: `node --expose-gc --import tsx big-reply-worker.ts`.
 * Apps of every kind answer one request with a reply of REPLY_MB megabytes, far past what SCF can send: piped
 * streams (Express, Koa, Fastify), a fetch app's ReadableStream (Hono), and apps that ignore backpressure and
 * the response's 'close' and write everything anyway (with and without Content-Length, over several turns or
 * in one), through the bridge and through the emulator behind `scf-bridge dev`. The apps reuse one chunk
 * buffer, or make chunks only as they are read: what memory grows is the bridge's. The process RSS is read
 * at every chunk the app makes, and its peak growth over the settled baseline is printed with each answer,
 * as JSON.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { bridge } from '../../src'
import { emulate } from '../../src/emulator'
import { httpEvent, scfContext } from '../fixtures/events'

const MB = 1024 * 1024
const REPLY_BYTES = Number(process.env.REPLY_MB ?? 300) * MB
const CHUNK = 64 * 1024

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

let peakRss = 0
const sample = () => {
  const rss = process.memoryUsage.rss()
  if (rss > peakRss) peakRss = rss
}

const logged: Array<Record<string, unknown>> = []
console.error = (line: unknown) => {
  try {
    logged.push(JSON.parse(String(line)))
  } catch {
    logged.push({ text: String(line) })
  }
}

/** How the app's side ended: 'done' (it wrote everything), 'released' (its source was destroyed or cancelled). */
let appEnd: Promise<string> = Promise.resolve('none')
const turn = () => new Promise((resolve) => setImmediate(resolve))

/** Chunks made as they are read, each a fresh buffer; settles `appEnd` when the stream is destroyed or ends. */
function source(): Readable {
  let sent = 0
  let settle!: (how: string) => void
  appEnd = new Promise((resolve) => {
    settle = resolve
  })
  const stream = new Readable({
    read() {
      sample()
      if (sent >= REPLY_BYTES) return this.push(null)
      sent += CHUNK
      this.push(Buffer.alloc(CHUNK, 0x61))
    },
  })
  stream.on('close', () => settle(sent >= REPLY_BYTES ? 'done' : 'released'))
  return stream
}

/** An app that ignores backpressure and 'close': writes every byte of one reused chunk, then ends. */
function hostile(res: ServerResponse, options: { contentLength: boolean; sync: boolean }): void {
  const chunk = Buffer.alloc(CHUNK, 0x62)
  res.setHeader('content-type', 'application/octet-stream')
  if (options.contentLength) res.setHeader('content-length', REPLY_BYTES)
  appEnd = (async () => {
    for (let sent = 0; sent < REPLY_BYTES; sent += CHUNK) {
      sample()
      res.write(chunk, () => {})
      if (!options.sync && sent % (16 * CHUNK) === 0) await turn()
    }
    res.end()
    return 'done'
  })()
}

const expressApp = express()
expressApp.get('/piped', (_req, res) => {
  res.type('application/octet-stream')
  pipeline(source(), res).catch(() => {})
})
expressApp.get('/text', (_req, res) => {
  res.type('text/plain')
  pipeline(source(), res).catch(() => {})
})

const koaApp = new Koa()
koaApp.use((ctx) => {
  ctx.type = 'application/octet-stream'
  ctx.body = source()
})

const fastifyApp = Fastify()
fastifyApp.get('/piped', (_request, reply) => {
  reply.type('application/octet-stream').send(source())
})

const honoApp = new Hono()
honoApp.get('/piped', () => {
  let sent = 0
  let settle!: (how: string) => void
  appEnd = new Promise((resolve) => {
    settle = resolve
  })
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      sample()
      if (sent >= REPLY_BYTES) {
        controller.close()
        settle('done')
        return
      }
      sent += CHUNK
      controller.enqueue(new Uint8Array(CHUNK).fill(0x63))
    },
    cancel() {
      settle('released')
    },
  })
  return new Response(body, { headers: { 'content-type': 'application/octet-stream' } })
})

const listener = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/hostile-turns') hostile(res, { contentLength: false, sync: false })
  else if (req.url === '/hostile-sync') hostile(res, { contentLength: false, sync: true })
  else hostile(res, { contentLength: true, sync: false })
}

interface Case {
  name: string
  handler: ReturnType<typeof bridge>
  path: string
  emulated?: boolean
}

const cases: Case[] = [
  { name: 'Express, piped binary', handler: bridge(expressApp), path: '/piped' },
  { name: 'Express, piped text', handler: bridge(expressApp), path: '/text' },
  { name: 'Koa, stream body', handler: bridge(koaApp), path: '/' },
  { name: 'Fastify, stream body', handler: bridge(fastifyApp), path: '/piped' },
  { name: 'Hono, ReadableStream body', handler: bridge(honoApp), path: '/piped' },
  { name: 'listener, no backpressure, chunked, over turns', handler: bridge(listener), path: '/hostile-turns' },
  { name: 'listener, no backpressure, chunked, one turn', handler: bridge(listener), path: '/hostile-sync' },
  { name: 'listener, no backpressure, content-length', handler: bridge(listener), path: '/hostile-length' },
  { name: 'emulator, Express piped', handler: bridge(expressApp), path: '/piped', emulated: true },
  { name: 'emulator, listener, no backpressure', handler: bridge(listener), path: '/hostile-turns', emulated: true },
]

async function settledRss(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!()
    await turn()
  }
  return process.memoryUsage.rss()
}

async function answer(item: Case): Promise<{ status: number; body: string }> {
  if (item.emulated) {
    const { reply } = await emulate(item.handler, { method: 'GET', path: item.path, headers: { host: 'localhost' } })
    return { status: reply.status, body: reply.body.toString('utf8') }
  }
  const response = await item.handler(httpEvent({ path: item.path }) as never, scfContext({ request_id: item.name }))
  return { status: response.statusCode, body: response.body }
}

async function main(): Promise<void> {
  // A request to each app loads its framework's code before the first baseline.
  for (const app of [expressApp, koaApp, fastifyApp, honoApp])
    await bridge(app)(httpEvent({ path: '/nothing' }) as never)
  const results = []
  for (const item of cases) {
    const baseline = await settledRss()
    peakRss = baseline
    logged.length = 0
    const { status, body } = await answer(item)
    // An app that never stopped would keep this process alive: the test's time limit catches it.
    const app = await appEnd
    sample()
    const line = logged.find((entry) => entry.message === 'response too large for SCF')
    results.push({ name: item.name, status, body, app, peakGrowth: peakRss - baseline, line })
  }
  process.stdout.write(`${JSON.stringify(results)}\n`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(1)
  },
)
