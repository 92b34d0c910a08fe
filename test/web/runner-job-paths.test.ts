/**
 * The `events` option's job paths in a Web function: no trigger reaches one there, and no HTTP request may
 * either, as in the event target (a job route trusts its caller to be SCF). Requests, upgrades included, are
 * refused with 404 and a log line before the app sees them; other paths reach the app.
 */
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it, vi } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { bridge } from '../../src'
import { createWebServer, type WebServer } from '../../src/web/web-server'
import { webHandleOf } from '../../src/web-handle'

const running: WebServer[] = []
afterEach(async () => {
  for (const web of running.splice(0)) await web.close(1000)
  vi.restoreAllMocks()
})

function jobApp() {
  const ran: string[] = []
  const app = express()
  app.use('/jobs/nightly', (req, res) => {
    ran.push(req.originalUrl)
    res.send('job ran')
  })
  app.get('/open', (req, res) => res.send('open'))
  return { app, ran }
}

async function serve(handler: unknown, websocket = false): Promise<string> {
  const handle = webHandleOf(handler)
  if (!handle) throw new Error('not a bridge() handler')
  const web = createWebServer(handle)
  running.push(web)
  await web.start()
  if (websocket) {
    const wss = new WebSocketServer({ server: web.server })
    wss.on('connection', (socket) => socket.close(1000))
  }
  await new Promise<void>((done) => web.server.listen(0, '127.0.0.1', done))
  return `127.0.0.1:${(web.server.address() as AddressInfo).port}`
}

function status(host: string, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    // A path option, not a URL: a URL would resolve its dot segments before sending.
    const [hostname, port] = host.split(':')
    const req = request({ hostname, port, path, method }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', fail).end()
  })
}

describe('a Web function keeps job paths out of reach of HTTP', () => {
  it.each([
    '/jobs/nightly',
    '/jobs/nightly/',
    '/jobs/nightly/x',
    '/JOBS/Nightly',
    '/jobs/%6Eightly',
    '/jobs/nightly;x=1',
    '/jobs//nightly',
    '/jobs/nightly/..',
    '/api/jobs/nightly',
  ])('%s is answered 404 and logged, and the job never runs', async (path) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { app, ran } = jobApp()
    const host = await serve(bridge(app, { basePath: '/api', events: { timer: '/jobs/nightly' } }))
    const reply = await status(host, path, 'POST')
    expect(reply.status).toBe(404)
    expect(ran).toEqual([])
    const lines = errors.mock.calls.map((call) => String(call[0]))
    expect(lines.some((line) => line.includes('trigger path') && line.includes('"status":404'))).toBe(true)
  })

  it('other paths reach the app, and without path-form events nothing is refused', async () => {
    const { app, ran } = jobApp()
    const guarded = await serve(bridge(app, { events: { timer: '/jobs/nightly' } }))
    expect(await status(guarded, '/open')).toEqual({ status: 200, body: 'open' })
    expect(await status(guarded, '/jobs/nightly-report')).toMatchObject({ status: 404 })
    const plain = await serve(bridge(app, { events: { timer: async () => {} } }))
    expect(await status(plain, '/jobs/nightly')).toEqual({ status: 200, body: 'job ran' })
    expect(ran).toEqual(['/jobs/nightly'])
  })

  it('a WebSocket upgrade to a job path is refused; elsewhere it is accepted', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { app } = jobApp()
    const host = await serve(bridge(app, { events: { cos: '/jobs/nightly' } }), true)
    const refused = await new Promise<string>((done) => {
      const socket = new WebSocket(`ws://${host}/jobs/Nightly/ws`)
      socket.on('open', () => done('open'))
      socket.on('unexpected-response', (_req, res) => done(`status ${res.statusCode}`))
      socket.on('error', () => done('error'))
    })
    expect(refused).not.toBe('open')
    const accepted = await new Promise<string>((done) => {
      const socket = new WebSocket(`ws://${host}/live`)
      socket.on('open', () => done('open'))
      socket.on('error', () => done('error'))
    })
    expect(accepted).toBe('open')
  })
})
