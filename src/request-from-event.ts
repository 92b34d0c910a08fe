import { isIP } from 'node:net'
import { EventError } from './errors'
import { describeKind, httpDialectOf, recogniseEvent } from './event-kind'
import {
  encodeComponent,
  encodeQuery,
  foldHeader,
  separatorOf,
  stripPrefix,
  TOKEN,
  UNSAFE_REQUEST_VALUE,
  URL_SCHEME,
} from './http-syntax'
import type { Settings } from './options'
import { compactBase64 } from './scf-contract'
import type { ScfHttpEvent } from './types'
import { describe } from './values'

/** What the bridge injects into the app: a plain description of one HTTP request. */
export interface InjectionRequest {
  method: string
  /** Path plus query, percent-encoded. */
  url: string
  /** Lowercased names; `content-length` is the real byte length of `body`. */
  headers: Record<string, string>
  /** The decoded body bytes; undefined when the event has none or an empty one. */
  body: Buffer | undefined
  /** The caller's address, as the platform reports it. */
  remoteAddress: string | undefined
  /** The gateway's id for this request, when the event carries one. */
  gatewayRequestId: string | undefined
  /** The client used HTTPS (see `docs/https-and-host.md`): the app's socket is `encrypted`. */
  secure: boolean
}

/** What a request is built with: `bridge()`'s settings (basePath, host), which tests may leave out. */
export type RequestOptions = Partial<Pick<Settings, 'basePath' | 'host'>>

/**
 * The Host of a request whose event has no usable one when `bridge()` was given no `host`. Real Function
 * URL events carry no Host, and no part of the event or context names the URL's host; a name under the
 * reserved `.invalid` domain (RFC 2606) is valid in any URL yet can never reach someone else's server.
 */
export const DEFAULT_HOST = 'scf-bridge.invalid'

/** The differences between the two HTTP event dialects, one small reader each. */
interface EventDialect {
  /** Whether the client used HTTPS. */
  secure(headers: Record<string, string>): boolean
  remoteAddress(event: ScfHttpEvent, headers: Record<string, string>): unknown
  gatewayRequestId(event: ScfHttpEvent, headers: Record<string, string>): unknown
}

const apigw: EventDialect = {
  // x-api-scheme is the client's scheme (2021 on). Earlier events have none, though the gateway served
  // both schemes: https then, as a wrong "http" would drop secure cookies and build downgraded links.
  secure: (headers) => headers['x-api-scheme']?.toLowerCase() !== 'http',
  // Only the gateway's own view of the caller: a client-sent header must not be able to forge it.
  remoteAddress: (event) => event.requestContext?.sourceIp,
  gatewayRequestId: (event, headers) => event.requestContext?.requestId ?? headers['x-api-requestid'],
}

const functionUrl: EventDialect = {
  // A Function URL is an HTTPS endpoint: its events carry no scheme because there is only one.
  secure: () => true,
  // Real events (2025) carry requestContext.sourceIp and no x-scf-remote-addr, which the doc names instead.
  // The event's own field first: a header the platform does not set could come from the client.
  remoteAddress: (event, headers) => {
    const context = event.requestContext as { sourceIp?: unknown } | null | undefined
    return context !== null && typeof context === 'object' && context.sourceIp !== undefined
      ? context.sourceIp
      : headers['x-scf-remote-addr']
  },
  gatewayRequestId: (event, headers) =>
    event.requestContext?.requestId ?? headers['x-scf-request-id'] ?? headers['x-api-requestid'],
}

/** The readers of the event's dialect, as event-kind.ts tells it. */
const dialectOf = (event: ScfHttpEvent): EventDialect => (httpDialectOf(event) === 'apigw' ? apigw : functionUrl)

/** Turns an HTTP event of either dialect into the request to inject. Pure; throws `EventError`. */
export function requestFromEvent(event: unknown, options: RequestOptions = {}): InjectionRequest {
  assertHttpEvent(event)
  const dialect = dialectOf(event)
  const bytes = bodyOf(event)
  const body = bytes && bytes.length > 0 ? bytes : undefined
  const headers = headersOf(event.headers)
  const remoteAddress = addressOf(dialect.remoteAddress(event, headers))
  const secure = dialect.secure(headers)

  if (body) headers['content-length'] = String(body.length)
  else delete headers['content-length']
  delete headers['transfer-encoding']
  if (remoteAddress) {
    const forwarded = headers['x-forwarded-for']
    headers['x-forwarded-for'] = !forwarded
      ? remoteAddress
      : lastForwarded(forwarded) === remoteAddress
        ? forwarded
        : `${forwarded}, ${remoteAddress}`
  }
  // Set from the event, whatever the client sent: the app may trust it as a proxy's word.
  headers['x-forwarded-proto'] = secure ? 'https' : 'http'
  if (headers.host === undefined || !isUsableHost(headers.host)) headers.host = options.host ?? DEFAULT_HOST

  const requestId = dialect.gatewayRequestId(event, headers)
  return {
    method: event.httpMethod.toUpperCase(),
    url: encodePath(stripPrefix(pathOf(event), options.basePath ?? '')) + queryOf(event),
    headers,
    body,
    remoteAddress,
    gatewayRequestId: typeof requestId === 'string' && requestId.trim() ? requestId.trim() : undefined,
    secure,
  }
}

// ---- event shape -----------------------------------------------------------

function assertHttpEvent(event: unknown): asserts event is ScfHttpEvent {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new EventError(`scf-bridge: expected an HTTP event (API Gateway or Function URL), got ${describe(event)}`)
  }
  const e = event as Record<string, unknown>
  if (typeof e.httpMethod !== 'string' || e.headers === undefined) {
    const missing = typeof e.httpMethod !== 'string' ? 'httpMethod' : 'headers'
    if (recogniseEvent(e) === 'http') {
      // An HTTP event cut short (a trimmed log copy, a hand-made test event): say what it lacks.
      throw new EventError(
        `scf-bridge: event.${missing} is ${describeField(e[missing])}: an HTTP event (API Gateway or Function URL)` +
          ` always has httpMethod, path and headers, and this one lacks ${['httpMethod', 'path', 'headers'].filter((field) => e[field] === undefined).join(', ')}`,
      )
    }
    throw new EventError(
      `scf-bridge: event.${missing} is ${describeField(e[missing])}: this is not an HTTP event` +
        ` (it looks like ${guessTrigger(e)}). Bind the function to a Function URL or API Gateway trigger` +
        ` with integrated request, and other triggers through the events option (docs/triggers.md).`,
    )
  }
  if (!TOKEN.test(e.httpMethod)) {
    throw new EventError(
      `scf-bridge: event.httpMethod ${JSON.stringify(e.httpMethod).slice(0, 40)} is not an HTTP method`,
    )
  }
  if (e.headers === null || typeof e.headers !== 'object' || Array.isArray(e.headers)) {
    throw new EventError(
      `scf-bridge: event.headers must be an object of header names to values, got ${describe(e.headers)}`,
    )
  }
  if (e.path !== undefined && e.path !== null && typeof e.path !== 'string') {
    throw new EventError(`scf-bridge: event.path must be a string, got ${describe(e.path)}`)
  }
}

/** An event field in a message: a missing one is `missing`. */
const describeField = (value: unknown): string => (value === undefined ? 'missing' : describe(value))

/** What a non-HTTP event looks like and how it could be served, for the refusal's message. */
function guessTrigger(e: Record<string, unknown>): string {
  const kind = recogniseEvent(e)
  return `${describeKind(kind)}, which bridge()'s events.${kind} option can serve`
}

// ---- path and query --------------------------------------------------------

function pathOf(event: ScfHttpEvent): string {
  const path = event.path || '/'
  return path.charCodeAt(0) === 47 /* / */ ? path : `/${path}`
}

/** Normalises a `basePath` option once: leading slash, no trailing slash, '' for none. */
export function normaliseBasePath(basePath: string | undefined): string {
  if (!basePath) return ''
  const trimmed = basePath.replace(/\/+$/, '')
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

// Characters a path may carry unencoded (RFC 3986 pchar plus '/'); '%' is kept only before two hex digits.
const PATH_UNSAFE = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]+/g

function encodePath(path: string): string {
  PATH_UNSAFE.lastIndex = 0
  return PATH_UNSAFE.test(path) ? path.replace(PATH_UNSAFE, encodeUnsafe) : path
}

function encodeUnsafe(chars: string): string {
  return chars === '%' ? '%25' : encodeComponent(chars)
}

function queryOf(event: ScfHttpEvent): string {
  // queryStringParameters holds only the parameters declared in the API: a fallback, never merged.
  const query = event.queryString ?? event.queryStringParameters
  if (query === undefined || query === null) return ''
  if (typeof query === 'string') return query === '' ? '' : query.startsWith('?') ? query : `?${query}`
  if (typeof query !== 'object')
    throw new EventError(`scf-bridge: event.queryString must be an object, got ${describe(query)}`)
  const search = encodeQuery(query as Record<string, unknown>)
  return search ? `?${search}` : ''
}

// ---- headers, body, address ------------------------------------------------

/**
 * Header values are bytes, and the event's JSON holds them as text. A non-ASCII value becomes its UTF-8
 * bytes, one character each, which is what a Node server gives the app for the same request (and what
 * it can copy into a response header without Node refusing it).
 */
function byteString(value: string): string {
  return NON_ASCII.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

const NON_ASCII = /[^\u0000-\u007f]/

function headersOf(source: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const name of Object.keys(source)) {
    const raw = source[name]
    if (raw === undefined || raw === null) continue
    if (!TOKEN.test(name) || name === '__proto__') continue
    const lower = name.toLowerCase()
    const text = Array.isArray(raw) ? raw.join(separatorOf(lower)) : typeof raw === 'object' ? undefined : String(raw)
    if (text === undefined || UNSAFE_REQUEST_VALUE.test(text)) continue
    const value = byteString(text)
    // Two spellings of one name (e.g. "Cookie" and "cookie") are joined, as Node joins repeated headers.
    foldHeader(headers, lower, value)
  }
  return headers
}

// V8 answers this without reading a string it stores one byte per character, as a JSON-parsed base64 body is
// (where Buffer.byteLength(body, 'utf8') !== length, the guard before, read it all).
const ABOVE_LATIN1 = /[^\u0000-\u00ff]/

function bodyOf(event: ScfHttpEvent): Buffer | undefined {
  const body: unknown = event.body
  if (body === undefined || body === null) return undefined
  if (Buffer.isBuffer(body)) return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (typeof body !== 'string') return jsonBody(body)
  if (!isTrue(event.isBase64Encoded)) return Buffer.from(body, 'utf8')
  const clean = cleanBase64(body)
  if (clean) return clean
  // Node's decoder reads the URL-safe alphabet too, so a body in it is accepted.
  const compact = compactBase64(body, true)
  if (compact === undefined) {
    throw new EventError('scf-bridge: event.body is not valid base64, but event.isBase64Encoded says it is')
  }
  return Buffer.from(compact, 'base64')
}

/**
 * The common case without a regular expression over the whole body (slow on large bodies): plain base64,
 * nothing but its alphabet and at most two '=' at the end, decodes to exactly 3 bytes per 4 characters.
 * Node's decoder skips any other character and stops at an inner '=', so such a body decodes short;
 * characters above U+00FF are excluded first, as the decoder reads them as their low byte. Anything else
 * (whitespace, bad characters) returns undefined and takes the checked path, which decides alone.
 */
function cleanBase64(body: string): Buffer | undefined {
  const length = body.length
  let data = length
  if (data > 0 && body.charCodeAt(data - 1) === 61 /* = */) data--
  if (data > 0 && body.charCodeAt(data - 1) === 61) data--
  if (length % 4 === 1 || data % 4 === 1 || ABOVE_LATIN1.test(body)) return undefined
  const bytes = Buffer.from(body, 'base64')
  return bytes.length === Math.floor((data * 3) / 4) ? bytes : undefined
}

/** A non-string body (a hand-made event, say) travels as its JSON; what JSON cannot hold is refused. */
function jsonBody(body: unknown): Buffer {
  let json: string | undefined
  try {
    json = JSON.stringify(body)
  } catch {
    json = undefined
  }
  if (typeof json !== 'string') throw new EventError(`scf-bridge: event.body must be a string, got ${describe(body)}`)
  return Buffer.from(json, 'utf8')
}

const isTrue = (flag: unknown): boolean => flag === true || (typeof flag === 'string' && flag.toLowerCase() === 'true')

function addressOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const address = value.trim()
  return isIP(address) ? address : undefined
}

function lastForwarded(forwarded: string): string {
  const comma = forwarded.lastIndexOf(',')
  return (comma < 0 ? forwarded : forwarded.slice(comma + 1)).trim()
}

// ---- host ----------------------------------------------------------------------

// What a Host header may hold to make a URL: a name or IPv4 address, or an [IPv6] address, and a port.
const HOST_SYNTAX = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/
/** Whether a Host header makes a valid URL origin (the WHATWG URL parser has the last word). */
export function isUsableHost(host: string): boolean {
  if (!HOST_SYNTAX.test(host)) return false
  try {
    new URL(`https://${host}`)
  } catch {
    return false
  }
  return true
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const HOST_OPTION = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?$`)

/**
 * Checks the `host` option of `bridge()`: a host name (or IP address) with an optional port, as a Host
 * header carries it. Returns it, or undefined when not given; throws a TypeError saying what is wrong.
 */
export function hostOption(host: unknown): string | undefined {
  if (host === undefined) return undefined
  const problem = hostProblem(host)
  if (problem === undefined) return host as string
  throw new TypeError(`scf-bridge: host must be ${problem}, got ${describe(host)}`)
}

function hostProblem(host: unknown): string | undefined {
  if (typeof host !== 'string') return 'a string such as api.example.com'
  if (URL_SCHEME.test(host)) return 'a host name without a scheme (api.example.com, not https://api.example.com)'
  if (/[/?#]/.test(host)) return 'a host name without a path or query'
  const match = HOST_OPTION.exec(host)
  const port = match?.[1] === undefined ? undefined : Number(match[1])
  if (port !== undefined && (port < 1 || port > 65535)) return 'a host name with a port from 1 to 65535'
  if (!match || host.length > 260 || !isUsableHost(host))
    return 'a host name with an optional port, such as api.example.com or api.example.com:8443'
  return undefined
}
