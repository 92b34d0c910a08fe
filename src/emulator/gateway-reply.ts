import { MAX_RESPONSE_BYTES } from '../limits'
import type { HandlerOutcome } from './call-handler'
import type { Trigger } from './event-from-http'

/** What the gateway sends the client: status, headers (lowercased, every value kept), body bytes. */
export interface GatewayReply {
  status: number
  headers: Record<string, string[]>
  body: Buffer
  /** Why the gateway answered with an error of its own instead of the function's response. */
  problem?: string
}

// The gateway re-frames the body: framing headers from the function mean nothing to the client.
const FRAMING = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer', 'content-length'])
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// What an HTTP/1.1 field value may carry (Node refuses the rest): no CR, LF, NUL, nor characters past Latin-1.
const UNSAFE_VALUE = /[^\t\x20-\x7e\x80-\xff]/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Turns how a handler ended into what API Gateway (or a Function URL) answers: the integrated response
 * decoded, or the gateway's own error (502 for an invalid response or a failed handler, 504 for a timeout).
 * Pure.
 */
export function gatewayReply(outcome: HandlerOutcome, trigger: Trigger = 'apigw'): GatewayReply {
  if (outcome.kind === 'failed') return gatewayError(502, `the function failed: ${errorSummary(outcome.error)}`)
  if (outcome.kind === 'timedOut') {
    return gatewayError(504, `the function did not finish within its ${formatSeconds(outcome.timeoutMs)} timeout`)
  }
  const value = outcome.value
  const size = serialisedSize(value)
  if (typeof size === 'string') return gatewayError(502, size)
  if (size > MAX_RESPONSE_BYTES) {
    return gatewayError(502, `the response is ${size} bytes once serialised; SCF allows ${MAX_RESPONSE_BYTES} (6 MB)`)
  }
  // A Function URL sends any JSON without a statusCode as a 200 application/json body.
  if (trigger === 'url' && !hasStatusCode(value)) {
    return { status: 200, headers: { 'content-type': ['application/json'] }, body: Buffer.from(JSON.stringify(value), 'utf8') }
  }
  return integratedReply(value)
}

/** The gateway's own error reply, in API Gateway's `{ errno, error }` JSON form. */
export function gatewayError(status: number, problem: string): GatewayReply {
  const body = Buffer.from(JSON.stringify({ errno: status, error: `${STATUS_TEXT[status] ?? 'Error'}: ${problem}` }), 'utf8')
  return { status, headers: { 'content-type': ['application/json; charset=utf-8'] }, body, problem }
}

const STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

function hasStatusCode(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'statusCode' in value
}

function integratedReply(value: unknown): GatewayReply {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return invalid(`the function returned ${describe(value)}, not an object { statusCode, headers, body }`)
  }
  const response = value as Record<string, unknown>
  const { statusCode, body, isBase64Encoded } = response
  if (statusCode === undefined) return invalid('the response has no statusCode')
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 200 || statusCode > 599) {
    return invalid(`statusCode must be an integer from 200 to 599, got ${describe(statusCode)}`)
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    return invalid(`isBase64Encoded must be true or false (a JSON boolean), got ${describe(isBase64Encoded)}`)
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return invalid(`body must be a string (JSON.stringify objects, base64-encode binary), got ${describe(body)}`)
  }
  const headers = replyHeaders(response.headers)
  if (typeof headers === 'string') return invalid(headers)

  let bytes: Buffer
  if (isBase64Encoded === true && body) {
    const compact = body.replace(/\s+/g, '')
    if (!BASE64.test(compact) || compact.length % 4 === 1) return invalid('isBase64Encoded is true but body is not base64')
    bytes = Buffer.from(compact, 'base64')
  } else {
    bytes = Buffer.from(body ?? '', 'utf8')
  }
  return { status: statusCode, headers, body: bytes }
}

function replyHeaders(source: unknown): Record<string, string[]> | string {
  const headers: Record<string, string[]> = {}
  if (source === undefined || source === null) return headers
  if (typeof source !== 'object' || Array.isArray(source)) return `headers must be an object, got ${describe(source)}`
  for (const name of Object.keys(source)) {
    const raw = (source as Record<string, unknown>)[name]
    if (raw === undefined || raw === null) continue
    if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP header name`
    const lower = name.toLowerCase()
    if (FRAMING.has(lower)) continue
    const values: string[] = []
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
        return `header ${name} must be a string or an array of strings, got ${describe(item)}`
      }
      const text = String(item)
      if (UNSAFE_VALUE.test(text)) return `header ${name} contains a line break, a control character or a character HTTP headers cannot carry (percent-encode non-Latin-1 text)`
      values.push(text)
    }
    const previous = Object.prototype.hasOwnProperty.call(headers, lower) ? headers[lower] : []
    Object.defineProperty(headers, lower, { value: previous.concat(values), enumerable: true, writable: true, configurable: true })
  }
  return headers
}

function invalid(reason: string): GatewayReply {
  return gatewayError(502, `invalid integrated response: ${reason}`)
}

/** Bytes of the value as SCF serialises it, or why it cannot be serialised. */
function serialisedSize(value: unknown): number | string {
  try {
    const json = JSON.stringify(value)
    return json === undefined ? 4 : Buffer.byteLength(json)
  } catch (error) {
    return `the function returned a value that is not JSON-serialisable (${errorSummary(error)})`
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (Buffer.isBuffer(value)) return 'a Buffer'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`
  return `a value of type ${typeof value}`
}

/** `Name: message`, never a stack: the client must not see the function's internals. */
export function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  if (error !== null && typeof error === 'object') {
    try {
      return JSON.stringify(error).slice(0, 200)
    } catch {
      return Object.prototype.toString.call(error)
    }
  }
  return String(error)
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
