/**
 * A Web function in a real browser: Debian's Chromium loads a page from `scf-bridge dev --target web` and
 * drives an EventSource and a WebSocket through the dev front, the runner and an Express app with `ws`.
 * The order proves the stream is not buffered: the app writes its last event only after the browser, having
 * received the first, says so over the WebSocket.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, type RunningProcess, startProcess } from '../fixtures/example-apps'

const CHROMIUM = process.env.SCF_BRIDGE_CHROMIUM || '/usr/bin/chromium'
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0'
const skip = !existsSync(CHROMIUM) && !inCi
if (skip)
  console.warn(`browser-web.test.ts SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium, as .ci/run does)`)

const work = mkdtempSync(join(tmpdir(), 'scf-bridge-browser-web-'))
const APP = `
const express = require(${JSON.stringify(join(ROOT, 'node_modules', 'express'))})
const { WebSocketServer } = require(${JSON.stringify(join(ROOT, 'node_modules', 'ws'))})
const { bridge } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))})
let go
const told = () => new Promise((resolve) => (go = resolve))
const app = express()
app.get('/', (req, res) => res.type('html').send('<!DOCTYPE html><title>web</title><p>web function</p>'))
app.get('/events', async (req, res) => {
  res.set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const next = told()
  res.write('data: first ' + req.scf.context.request_id.length + '\\n\\n')
  await next
  res.end('data: last\\n\\n')
})
exports.main_handler = bridge(app, {
  websocket(server) {
    new WebSocketServer({ server, path: '/ws' }).on('connection', (socket, req) => {
      socket.send('hello ' + req.headers['x-forwarded-proto'])
      socket.on('message', (data) => {
        if (String(data) === 'go') go()
        socket.send('echo ' + data)
      })
    })
  },
})
`

let browser: Browser | undefined
let cli: RunningProcess | undefined
let base = ''

beforeAll(async () => {
  if (skip) return
  const dir = join(work, 'app')
  mkdirSync(dir)
  writeFileSync(join(dir, 'index.js'), APP)
  const started = await startProcess(
    [
      join(ROOT, 'dist', 'cli.js'),
      'dev',
      dir,
      '--target',
      'web',
      '--concurrency',
      '2',
      '--timeout',
      '30',
      '--port',
      '0',
    ],
    { cwd: ROOT, ready: /Listening on http:\/\/127\.0\.0\.1:(\d+)/ },
  )
  cli = started.process
  base = `http://127.0.0.1:${started.match[1]}`
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await cli?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe.skipIf(skip)('a Web function in Chromium through scf-bridge dev --target web', () => {
  it('an EventSource gets the first event before the app writes the last; a WebSocket echoes', async () => {
    const page = await browser!.newPage()
    await page.goto(`${base}/`)
    expect(await page.title()).toBe('web')
    // Runs in the page: a WebSocket, then an EventSource whose first event is reported over the socket.
    const seen = (await page.evaluate(`new Promise((resolve, reject) => {
      const log = []
      const socket = new WebSocket(location.origin.replace('http', 'ws') + '/ws')
      socket.onerror = () => reject(new Error('websocket error'))
      socket.onmessage = (message) => {
        log.push('ws: ' + message.data)
        if (message.data === 'hello https') {
          const events = new EventSource('/events')
          events.onmessage = (event) => {
            log.push('sse: ' + event.data)
            if (event.data.startsWith('first')) socket.send('go')
            if (event.data === 'last') {
              events.close()
              socket.close(1000)
              resolve(log)
            }
          }
          events.onerror = () => reject(new Error('event stream error after ' + JSON.stringify(log)))
        }
      }
    })`)) as string[]
    expect(seen).toEqual(['ws: hello https', 'sse: first 36', 'ws: echo go', 'sse: last'])
    await page.close()
  })
})
