import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { setCookiesOf } from '../fetch-mapping'
import { describe } from '../values'
import type { WebRequest } from './web-request'

/**
 * The WHATWG `Request` for a request on a real socket: the client's scheme (https) and Host, the headers
 * as the app would see them, and the body streamed from the socket. Its signal aborts when the client
 * goes away before the reply is complete, so a fetch app can stop an endless stream.
 */
export function fetchRequestFromNode(req: WebRequest, signal: AbortSignal): Request {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase()
    // The prepared values (scheme, Host, request id) replace what came in.
    if (name !== 'host' && name !== 'x-forwarded-proto' && name !== 'x-request-id')
      headers.append(name, req.rawHeaders[i + 1])
  }
  for (const name of ['host', 'x-forwarded-proto', 'x-request-id']) {
    const value = req.headers[name]
    if (typeof value === 'string') headers.set(name, value)
  }
  const method = req.method ?? 'GET'
  const bodyless = method === 'GET' || method === 'HEAD'
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal }
  if (!bodyless) {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>
    init.duplex = 'half'
  }
  return new Request(`https://${req.headers.host}${req.url ?? '/'}`, init)
}

/**
 * Writes a fetch app's `Response` to the Node response as it comes: each chunk when the app produces it
 * (Server-Sent Events reach the client one by one), waiting for `drain` when the client reads slower than
 * the app writes, and cancelling the body when the client goes away. Resolves when the reply ended or was
 * abandoned; rejects when the value is not a usable Response or its body fails.
 */
export async function writeFetchResponse(response: unknown, res: ServerResponse, method: string): Promise<void> {
  if (!(response instanceof Response) && !isResponseLike(response))
    throw new TypeError(`scf-bridge: the app's fetch() returned ${describe(response)}, not a Response`)
  if (response.type === 'error' || response.status < 200)
    throw new TypeError("scf-bridge: the app's fetch() returned a network error Response (Response.error())")
  res.statusCode = response.status
  if (response.statusText) res.statusMessage = response.statusText
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value)
  })
  const cookies = setCookiesOf(response.headers)
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)

  const body = response.body
  if (!body || method === 'HEAD' || response.status === 204 || response.status === 304) {
    if (body) await body.cancel().catch(() => {})
    res.end()
    return
  }
  // An event stream's headers go out at once: the client's EventSource opens before the first event.
  if (/^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) res.flushHeaders()

  const reader = body.getReader()
  const gone = () => reader.cancel().catch(() => {})
  res.once('close', gone)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (res.destroyed) return
      if (!res.write(value)) await drained(res)
    }
    res.end()
  } catch (error) {
    if (res.destroyed) return
    throw error
  } finally {
    res.off('close', gone)
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

function isResponseLike(value: unknown): value is Response {
  const r = value as Partial<Response> | null
  return (
    r !== null &&
    typeof r === 'object' &&
    typeof r.status === 'number' &&
    typeof (r.headers as Headers | undefined)?.forEach === 'function' &&
    'body' in r
  )
}
