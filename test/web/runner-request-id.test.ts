/**
 * The request id in a Web function follows the event target's rule (log.ts usableRequestId): a client's
 * x-request-id only when it is a sane printable value, else the platform's X-Scf-Request-Id; never reflected
 * without limit into the app, the reply header or the log.
 */
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { bridge } from '../../src'
import { createWebServer, type WebServer } from '../../src/web/web-server'
import { webHandleOf } from '../../src/web-handle'

const running: WebServer[] = []
afterEach(async () => {
  for (const web of running.splice(0)) await web.close(1000)
})

async function serve(): Promise<number> {
  const app = express()
  app.get('/id', (req, res) => res.json({ seen: req.get('x-request-id') ?? null }))
  const web = createWebServer(webHandleOf(bridge(app))!)
  running.push(web)
  await web.start()
  await new Promise<void>((done) => web.server.listen(0, '127.0.0.1', done))
  return (web.server.address() as AddressInfo).port
}

function get(port: number, headers: Record<string, string>): Promise<{ header?: string; seen: string | null }> {
  return new Promise((done, fail) => {
    request({ hostname: '127.0.0.1', port, path: '/id', headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () =>
        done({ header: res.headers['x-request-id'] as string | undefined, seen: JSON.parse(body).seen }),
      )
    })
      .on('error', fail)
      .end()
  })
}

describe('the Web runner request id', () => {
  it('keeps a sane client id', async () => {
    const port = await serve()
    expect(await get(port, { 'x-request-id': 'abc-123', 'x-scf-request-id': 'scf-1' })).toEqual({
      header: 'abc-123',
      seen: 'abc-123',
    })
  })

  it.each([
    ['a 10 KB id', 'a'.repeat(10_000)],
    ['spaces', 'a b'],
    ['non-ASCII bytes read as Latin-1', 'caf\u00e9'],
    ['quotes', '"x"'],
  ])('replaces %s with the platform id', async (_name, id) => {
    const port = await serve()
    expect(await get(port, { 'x-request-id': id, 'x-scf-request-id': 'scf-1' })).toEqual({
      header: 'scf-1',
      seen: 'scf-1',
    })
  })

  it('sends none when neither is usable', async () => {
    const port = await serve()
    expect(await get(port, { 'x-request-id': 'a b' })).toEqual({ header: undefined, seen: null })
  })
})
