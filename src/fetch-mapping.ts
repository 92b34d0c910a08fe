import type { ResponseHeaders } from './binary'
import { TOKEN_CHARS } from './http-syntax'
import type { InjectionRequest } from './request-from-event'
import type { InjectedReply } from './response-to-integrated'
import { MAX_BODY_BYTES } from './scf-contract'
import { describe } from './values'

/**
 * The WHATWG `Request` a fetch-style app gets for an event: the same method, URL, headers (client address
 * in x-forwarded-for, request id) and body bytes as a Node app gets. The URL's origin is the client's
 * scheme and the request's Host (both settled by `requestFromEvent`). The caller's address is also
 * `request.ip` (the srvx/h3 convention). GET and HEAD carry no body: fetch cannot represent one.
 */
export function fetchRequestOf(request: InjectionRequest): Request {
  const headers = new Headers()
  for (const name of Object.keys(request.headers)) headers.append(name, request.headers[name])
  const bodyless = request.method === 'GET' || request.method === 'HEAD'
  if (bodyless) headers.delete('content-length')
  const origin = `${request.secure ? 'https' : 'http'}://${request.headers.host}`
  const fetchRequest = new Request(origin + request.url, {
    method: request.method,
    headers,
    body: bodyless || !request.body ? undefined : request.body,
  })
  if (request.remoteAddress)
    Object.defineProperty(fetchRequest, 'ip', { value: request.remoteAddress, enumerable: true })
  return fetchRequest
}

/**
 * The app's `Response` as the bridge's reply: status, headers (several Set-Cookie kept apart) and body
 * bytes, ready for the same binary rules as a Node app's reply. A body past `maxBodyBytes` (more than SCF
 * can carry) is not collected: the reply says how much was read (`bodyOverflow`).
 */
export async function replyOfFetchResponse(response: unknown, maxBodyBytes = MAX_BODY_BYTES): Promise<InjectedReply> {
  if (!isResponse(response)) {
    throw new TypeError(`scf-bridge: the app's fetch() returned ${describe(response)}, not a Response`)
  }
  if (response.type === 'error' || response.status < 100) {
    throw new TypeError("scf-bridge: the app's fetch() returned a network error Response (Response.error())")
  }
  const headers: ResponseHeaders = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = setCookiesOf(response.headers)
  if (cookies.length > 0) headers['set-cookie'] = cookies
  return { statusCode: response.status, headers, ...(await bodyOf(response, maxBodyBytes)) }
}

type ReadBody = Pick<InjectedReply, 'body' | 'bodyOverflow'>

/**
 * The Response's body bytes, read chunk by chunk up to `maxBodyBytes`. Past it the rest is not read: the
 * stream is cancelled (the app's source learns that nobody reads on, as when a client hangs up) and only
 * the count so far is kept.
 */
async function bodyOf(response: Response, maxBodyBytes: number): Promise<ReadBody> {
  const stream = response.body as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null | undefined
  if (!stream) return { body: EMPTY }
  if (typeof (stream as ReadableStream).getReader === 'function') {
    const reader = (stream as ReadableStream<Uint8Array>).getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { body: concat(chunks, size) }
      size += value.byteLength
      if (size > maxBodyBytes) {
        reader.cancel().catch(ignore)
        return { body: EMPTY, bodyOverflow: size }
      }
      chunks.push(value)
    }
  }
  if (typeof (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    // A polyfill's body as a Node stream: leaving the loop early destroys it.
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += bytes.byteLength
      if (size > maxBodyBytes) return { body: EMPTY, bodyOverflow: size }
      chunks.push(bytes)
    }
    return { body: concat(chunks, size) }
  }
  const bytes = Buffer.from(await response.arrayBuffer())
  return bytes.length > maxBodyBytes ? { body: EMPTY, bodyOverflow: bytes.length } : { body: bytes }
}

function concat(chunks: Uint8Array[], size: number): Buffer {
  if (chunks.length === 1) return Buffer.from(chunks[0].buffer, chunks[0].byteOffset, chunks[0].byteLength)
  return Buffer.concat(chunks, size)
}

const EMPTY = Buffer.alloc(0)

function ignore(): void {}

/** Each Set-Cookie value: `getSetCookie()` (Node 18.14+), else the combined value split between cookies. */
export function setCookiesOf(headers: Headers): string[] {
  const getSetCookie = (headers as { getSetCookie?: () => string[] }).getSetCookie
  if (typeof getSetCookie === 'function') return getSetCookie.call(headers)
  const combined = headers.get('set-cookie')
  return combined === null ? [] : splitSetCookie(combined)
}

// A comma followed by a cookie's `name=`.
const COOKIE_BOUNDARY = new RegExp(`,(?=[ \\t]*${TOKEN_CHARS}=)`)

/**
 * Splits Set-Cookie values joined by ", " without splitting an Expires date ("Wed, 21 Oct 2015 ..."):
 * a comma separates two cookies only where a `name=` follows it.
 */
export function splitSetCookie(combined: string): string[] {
  return combined
    .split(COOKIE_BOUNDARY)
    .map((cookie) => cookie.trim())
    .filter(Boolean)
}

// Duck-typed: a Response of another fetch implementation (undici's package, a polyfill) is fine too.
function isResponse(value: unknown): value is Response {
  const r = value as Partial<Response> | null
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.status === 'number' &&
    typeof r.headers?.forEach === 'function' &&
    typeof r.arrayBuffer === 'function'
  )
}
