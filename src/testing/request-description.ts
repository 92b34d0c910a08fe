import type { HttpRequestParts, Trigger } from '../emulator'
import { encodeQuery, foldHeader, URL_SCHEME } from '../http-syntax'

/** Header values as a plain object, `[name, value]` pairs, or a fetch `Headers`. */
export type RequestHeadersInput =
  | Record<string, string | readonly string[] | number | undefined>
  | Iterable<readonly [string, string]>
  | { forEach(callback: (value: string, name: string) => void): void }

/**
 * A request body: text, bytes, `URLSearchParams` (sent as a form), or a plain object or array (sent as JSON).
 * Bytes that are not UTF-8 reach the handler base64-encoded, as API Gateway's Base64 option sends them.
 */
export type RequestBodyInput =
  | string
  | Uint8Array
  | ArrayBuffer
  | URLSearchParams
  | Record<string, unknown>
  | readonly unknown[]
  | null

/** A fetch-like description of one request. */
export interface RequestDescription {
  /** Default `GET`, or `POST` when there is a body. */
  method?: string
  /** The path the function sees, with an optional query: `/users?id=1`. A full URL also sets `host`. */
  path?: string
  /** Alias of `path`, as fetch names it. */
  url?: string
  /** Query parameters added to those in `path`; arrays repeat the key, `true` sends a bare key. */
  query?: Record<string, string | number | boolean | readonly (string | number)[]>
  headers?: RequestHeadersInput
  body?: RequestBodyInput
  /** The client address (`requestContext.sourceIp`, or `x-scf-remote-addr` for a Function URL). Default `127.0.0.1`. */
  sourceIp?: string
}

/** The part of a WHATWG `Request` that `invoke` reads. */
export interface FetchRequestLike {
  url: string
  method: string
  headers: { forEach(callback: (value: string, name: string) => void): void }
  arrayBuffer(): Promise<ArrayBuffer>
}

export function isFetchRequest(value: unknown): value is FetchRequestLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as FetchRequestLike).url === 'string' &&
    typeof (value as FetchRequestLike).arrayBuffer === 'function' &&
    typeof (value as FetchRequestLike).headers?.forEach === 'function'
  )
}

export async function fromFetchRequest(request: FetchRequestLike): Promise<RequestDescription> {
  const method = request.method.toUpperCase()
  const body = method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer())
  return { method, url: request.url, headers: request.headers, body: body && body.length > 0 ? body : undefined }
}

const DEFAULT_APIGW_HOST = 'service-local-1250000000.gz.apigw.tencentcs.com'
const DEFAULT_URL_HOST = '1250000000-local.ap-guangzhou.tencentscf.com'

/** The HTTP request a description (or a fetch `Request`, read first by `fromFetchRequest`) stands for. */
export function httpParts(description: RequestDescription, trigger: Trigger, https?: boolean): HttpRequestParts {
  const headers = headerRecord(description.headers)
  const target = description.path ?? description.url ?? '/'
  let pathAndQuery = target
  let scheme: 'http' | 'https' = https === false ? 'http' : 'https'
  if (URL_SCHEME.test(target)) {
    const url = new URL(target)
    pathAndQuery = url.pathname + url.search
    if (https === undefined) scheme = url.protocol === 'http:' ? 'http' : 'https'
    if (headers.host === undefined) headers.host = url.host
  } else if (!pathAndQuery.startsWith('/')) {
    pathAndQuery = `/${pathAndQuery}`
  }
  if (headers.host === undefined) headers.host = trigger === 'url' ? DEFAULT_URL_HOST : DEFAULT_APIGW_HOST
  const question = pathAndQuery.indexOf('?')
  const path = question === -1 ? pathAndQuery : pathAndQuery.slice(0, question)
  let search = question === -1 ? '' : pathAndQuery.slice(question + 1)
  const extra = description.query ? encodeQuery(description.query) : ''
  if (extra) search = search ? `${search}&${extra}` : extra

  const body = bodyBytes(description.body, headers)
  const method = (description.method ?? (body ? 'POST' : 'GET')).toUpperCase()
  return { method, path, search, headers, body, remoteAddress: description.sourceIp, scheme }
}

function headerRecord(init: RequestHeadersInput | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  const add = (name: string, value: string) => foldHeader(headers, name, value)
  if (!init) return headers
  if (typeof (init as { forEach?: unknown }).forEach === 'function' && !Array.isArray(init)) {
    ;(init as { forEach(callback: (value: string, name: string) => void): void }).forEach((value, name) => {
      add(name, value)
    })
  } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of init as Iterable<readonly [string, string]>) add(name, String(value))
  } else {
    const record = init as Record<string, string | readonly string[] | number | undefined>
    for (const name of Object.keys(record)) {
      const value = record[name]
      if (value === undefined) continue
      if (Array.isArray(value)) for (const item of value) add(name, String(item))
      else add(name, String(value))
    }
  }
  return headers
}

function bodyBytes(body: RequestBodyInput | undefined, headers: Record<string, string>): Buffer | undefined {
  if (body === undefined || body === null) return undefined
  const setType = (type: string) => {
    if (headers['content-type'] === undefined) headers['content-type'] = type
  }
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  if (body instanceof URLSearchParams) {
    setType('application/x-www-form-urlencoded')
    return Buffer.from(body.toString(), 'utf8')
  }
  if (typeof body === 'object') {
    setType('application/json')
    return Buffer.from(JSON.stringify(body), 'utf8')
  }
  throw new TypeError(
    `scf-bridge/testing: body must be a string, bytes, URLSearchParams or a JSON object, got ${typeof body}`,
  )
}

/** The fields of a `RequestDescription`, which `invoke` accepts and nothing else. */
const DESCRIPTION_FIELDS: readonly string[] = ['method', 'path', 'url', 'query', 'headers', 'body', 'sourceIp']

/**
 * The request `invoke` was given, as a description: a path string, or an object with only the fields of a
 * `RequestDescription`. Anything else (an event, `{ orderId: 42 }`, null, an array) is refused with a
 * TypeError naming what is wrong, never sent as `GET /`: an event meant as it is goes through `invokeEvent`.
 */
export function requestDescriptionOf(request: unknown): RequestDescription {
  if (typeof request === 'string') return { path: request }
  const sendAsIs = 'To call the handler with it as the event, use invokeEvent(handler, event).'
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    const what = request === null ? 'null' : Array.isArray(request) ? 'an array' : typeof request
    throw new TypeError(
      `scf-bridge/testing: invoke(handler, request) needs a path, a request description or a fetch Request, got ${what}. ${sendAsIs}`,
    )
  }
  const unknown = Object.keys(request).find((key) => !DESCRIPTION_FIELDS.includes(key))
  if (unknown !== undefined) {
    throw new TypeError(
      `scf-bridge/testing: invoke(handler, request) got the key ${JSON.stringify(unknown)}, which a request description does not have` +
        ` (${DESCRIPTION_FIELDS.join(', ')}), and the object is no trigger event either. ${sendAsIs}`,
    )
  }
  return request as RequestDescription
}
