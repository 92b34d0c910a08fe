import { TOKEN, UNSENDABLE_VALUE } from './http-syntax'
import type { IntegratedResponse } from './types'
import { describe, setOwn } from './values'

/**
 * What SCF accepts, in one place for the bridge (its own replies, `onError` results, the 6 MB guard) and
 * the emulator behind `scf-bridge dev` and `scf-bridge/testing`. From Tencent's quota table and the
 * integrated-response docs (the shared tencent-contract notes).
 */

/** A synchronous invocation's event and its serialised response may each be at most 6 MB. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024

/**
 * A status SCF sends: an integer from 200 to 599. Node lets an app set 100 to 999, but 600 and above are
 * not HTTP statuses a gateway forwards, and a 1xx is never a final response.
 */
export function isSendableStatus(status: unknown): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599
}

/**
 * An integrated response as SCF reads it, completed (`headers` {}, `body` '', `isBase64Encoded` false when
 * missing; header values as strings) and copied, or why SCF would refuse it or its headers could split
 * the reply. Header names keep their case here; a gateway lowercases them.
 */
export function checkIntegratedResponse(value: unknown): IntegratedResponse | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `the response is ${describe(value)}, not an object { statusCode, headers, body }`
  }
  const response = value as Record<string, unknown>
  const { statusCode, body, isBase64Encoded } = response
  if (statusCode === undefined) return 'the response has no statusCode'
  if (!isSendableStatus(statusCode)) return `statusCode must be an integer from 200 to 599, got ${describe(statusCode)}`
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    return `isBase64Encoded must be true or false (a JSON boolean), got ${describe(isBase64Encoded)}`
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return `body must be a string (JSON.stringify objects, base64-encode binary), got ${describe(body)}`
  }
  const text = typeof body === 'string' ? body : ''
  if (isBase64Encoded === true && text && compactBase64(text) === undefined)
    return 'isBase64Encoded is true but body is not base64'
  const headers = checkHeaders(response.headers)
  if (typeof headers === 'string') return headers
  return { isBase64Encoded: isBase64Encoded === true, statusCode, headers, body: text }
}

function checkHeaders(source: unknown): IntegratedResponse['headers'] | string {
  const headers: IntegratedResponse['headers'] = {}
  if (source === undefined) return headers
  if (source === null || typeof source !== 'object' || Array.isArray(source))
    return `headers must be an object, got ${describe(source)}`
  for (const name of Object.keys(source)) {
    const raw = (source as Record<string, unknown>)[name]
    if (raw === undefined || raw === null) continue
    if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP header name`
    const values: string[] = []
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
        return `header ${name} must be a string or an array of strings, got ${describe(item)}`
      }
      const text = String(item)
      if (UNSENDABLE_VALUE.test(text)) {
        return `header ${name} contains a line break, a control character or a character HTTP headers cannot carry (percent-encode non-Latin-1 text)`
      }
      values.push(text)
    }
    setOwn(headers, name, Array.isArray(raw) ? values : values[0])
  }
  return headers
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const BASE64_OR_URL_SAFE = /^[A-Za-z0-9+/\-_]*={0,2}$/

/**
 * Base64 text as SCF carries a body, without its whitespace; undefined when it is not base64: a character
 * outside the alphabet (with `urlSafe`, '-' and '_' count too), '=' before the end or more than two of
 * them, or a length that leaves one lone character over.
 */
export function compactBase64(text: string, urlSafe = false): string | undefined {
  const compact = /\s/.test(text) ? text.replace(/\s+/g, '') : text
  return (urlSafe ? BASE64_OR_URL_SAFE : BASE64).test(compact) && compact.length % 4 !== 1 ? compact : undefined
}

/** The bytes of a base64 body, whitespace allowed (as SCF decodes it). */
export function decodeBase64Body(body: string): Buffer {
  return Buffer.from(body.replace(/\s+/g, ''), 'base64')
}

/**
 * Bytes of a value once SCF serialises it as JSON (what its 6 MB limits count). Exact, except below
 * `cheapBelow`: for an event or integrated response whose string body and headers cannot reach that size
 * even once JSON-escaped, that upper bound is returned without serialising. Throws what JSON.stringify
 * throws (a cycle, a BigInt).
 */
export function serialisedSize(value: unknown, cheapBelow = 0): number {
  if (cheapBelow > 0 && value !== null && typeof value === 'object') {
    const { body, headers, queryString, path } = value as Record<string, unknown>
    const textBound = (text: unknown) =>
      typeof text === 'string' ? text.length * 6 : text === undefined || text === null ? 0 : Infinity
    // JSON escaping makes at most 6 bytes of one UTF-16 unit (\u00XX); the other fields are small.
    const bound = textBound(body) + textBound(path) + recordBound(headers) + recordBound(queryString) + 64 * 1024
    if (bound < cheapBelow) return bound
  }
  const json = JSON.stringify(value)
  return json === undefined ? 0 : Buffer.byteLength(json)
}

function recordBound(record: unknown): number {
  if (record === undefined || record === null) return 0
  if (typeof record !== 'object') return Infinity
  let size = 0
  for (const name of Object.keys(record)) {
    const value = (record as Record<string, unknown>)[name]
    size += name.length * 6 + 8
    for (const item of Array.isArray(value) ? value : [value])
      size += typeof item === 'string' ? item.length * 6 + 4 : 64
  }
  return size
}
