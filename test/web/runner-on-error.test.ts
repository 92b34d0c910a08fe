/**
 * What `onError` returns in a Web function is checked as in an event function (scf-contract's
 * checkIntegratedResponse): a reply it cannot send (a header that would split the reply, a bad status) is
 * replaced by the plain 500 and logged, never written half and never left hanging.
 */
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bridge } from '../../src'
import type { IntegratedResponse } from '../../src/types'
import { createWebServer, type WebServer } from '../../src/web/web-server'
import { webHandleOf } from '../../src/web-handle'

const running: WebServer[] = []
afterEach(async () => {
  for (const web of running.splice(0)) await web.close(1000)
  vi.restoreAllMocks()
})

async function serve(onError: () => unknown): Promise<number> {
  const app = express()
  app.get('/boom', () => {
    throw new Error('boom-detail')
  })
  const handler = bridge(app, { onError: onError as () => IntegratedResponse })
  const web = createWebServer(webHandleOf(handler)!)
  running.push(web)
  await web.start()
  await new Promise<void>((done) => web.server.listen(0, '127.0.0.1', done))
  return (web.server.address() as AddressInfo).port
}

function get(port: number): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((done, fail) => {
    request({ hostname: '127.0.0.1', port, path: '/boom' }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
      .on('error', fail)
      .end()
  })
}

describe("the Web runner checks onError's reply", () => {
  it.each([
    ['a header with a line feed', { statusCode: 503, headers: { 'x-a': 'a\r\nset-cookie: x=1' }, body: 'custom' }],
    ['a status SCF would refuse', { statusCode: 99, headers: {}, body: 'custom' }],
    ['a body that claims base64 and is not', { statusCode: 503, headers: {}, body: '%%%', isBase64Encoded: true }],
  ])('%s: the plain 500, and a log line naming the problem', async (_name, reply) => {
    const lines: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)))
    const port = await serve(() => reply)
    const answer = await get(port)
    expect(answer.status).toBe(500)
    expect(answer.body).toBe('Internal Server Error')
    expect(answer.headers['x-a']).toBeUndefined()
    expect(answer.headers['set-cookie']).toBeUndefined()
    expect(lines.some((line) => line.includes('onError returned an unusable response'))).toBe(true)
    expect(lines.join('\n')).not.toContain('custom')
  })

  it('a sendable reply goes out as returned', async () => {
    const port = await serve(() => ({
      isBase64Encoded: false,
      statusCode: 503,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"later"}',
    }))
    const answer = await get(port)
    expect(answer).toMatchObject({ status: 503, body: '{"error":"later"}' })
    expect(answer.headers['content-type']).toBe('application/json')
  })
})
