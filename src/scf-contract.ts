import { types } from 'node:util'
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
 * the reply: its status, its headers, its body, and its size once serialised with `reserve` bytes more
 * (`addedHeaderBytes`: what the bridge adds afterwards). Header names keep their case here; a gateway
 * lowercases them. The check for every response the bridge did not build from the app's bytes itself
 * (`onError` results, the emulator's handler results); replies built from bytes are sized by `fitBody`.
 */
export function checkIntegratedResponse(value: unknown, reserve = 0): IntegratedResponse | string {
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
  const checked = { isBase64Encoded: isBase64Encoded === true, statusCode, headers, body: text }
  return sizeProblem(checked, reserve) ?? checked
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
 * Body bytes worth collecting from an app at most: a body of more bytes cannot fit whatever its encoding,
 * since its smallest serialised form (text with nothing to escape) takes a byte per byte.
 */
export const MAX_BODY_BYTES = MAX_RESPONSE_BYTES

/**
 * Bytes the bridge adds to a checked reply afterwards: the `x-request-id` header (when the app set none),
 * counted with the comma before it. The checks leave room for it, so that what leaves the handler fits.
 */
export function addedHeaderBytes(requestId: string): number {
  return requestId ? REQUEST_ID_NAME_BYTES + jsonTextSize(requestId) + 2 : 0
}

const REQUEST_ID_NAME_BYTES = '"x-request-id"'.length

/** How an app's reply body travels: the encoding that fits, or the smallest size it would have had. */
export type BodyFit = { encoding: 'text' | 'base64'; tooLarge?: undefined } | { tooLarge: number }

/**
 * How SCF can carry `bytes` as the body of `envelope` (its status and headers; its body and flag are
 * ignored): as text when `text` allows it (the caller found the bytes valid UTF-8 and their type textual)
 * and that fits, else as base64 when that fits, else neither. `reserve` is what is added afterwards
 * (`addedHeaderBytes`). Sizes are exact and counted on the bytes, never on a serialised copy.
 */
export function fitBody(envelope: IntegratedResponse, bytes: Uint8Array, text: boolean, reserve = 0): BodyFit {
  // The envelope with an empty text body: `"body":""` and `false` are in it.
  const base = reserve + envelopeSize(envelope)
  const length = bytes.length
  const base64Size = base - 1 + Math.ceil(length / 3) * 4
  let textSize: number | undefined
  if (text) {
    // Escaping makes at most six bytes of one; a byte takes at least one.
    if (base + length * 6 <= MAX_RESPONSE_BYTES) return AS_TEXT
    if (base + length <= MAX_RESPONSE_BYTES) {
      textSize = base - 2 + jsonUtf8Size(bytes)
      if (textSize <= MAX_RESPONSE_BYTES) return AS_TEXT
    }
  }
  if (base64Size <= MAX_RESPONSE_BYTES) return AS_BASE64
  const smallest = text ? Math.min(textSize ?? base - 2 + jsonUtf8Size(bytes), base64Size) : base64Size
  return { tooLarge: smallest }
}

const AS_TEXT: BodyFit = { encoding: 'text' }
const AS_BASE64: BodyFit = { encoding: 'base64' }

/** Bytes of `response` serialised with an empty text body. */
function envelopeSize(response: IntegratedResponse): number {
  // {"isBase64Encoded":false,"statusCode":<status>,"headers":<headers>,"body":""}
  return ENVELOPE_BYTES + serialisedSize(response.statusCode) + serialisedSize(response.headers)
}

const ENVELOPE_BYTES = '{"isBase64Encoded":false,"statusCode":,"headers":,"body":""}'.length

/**
 * Why SCF could not return `value` (any value a handler returns) once `reserve` bytes are added to it: its
 * size once serialised; undefined when it fits. Throws what JSON.stringify throws.
 */
export function sizeProblem(value: unknown, reserve = 0): string | undefined {
  const size = serialisedSize(value) + reserve
  return size > MAX_RESPONSE_BYTES
    ? `the response is ${size} bytes once serialised, more than the ${MAX_RESPONSE_BYTES} (6 MB) SCF allows`
    : undefined
}

/**
 * Bytes of `JSON.stringify(value)` in UTF-8, which SCF's 6 MB limits count, computed without serialising:
 * strings are counted as JSON escapes them (`\"`, `\n`, `\u0001`, a lone surrogate as `\udXXX`; U+2028 and
 * U+2029 stay raw), `toJSON` is honoured. 0 for what JSON.stringify leaves out (undefined, a function).
 * Throws what JSON.stringify throws (a cycle, a BigInt).
 */
export function serialisedSize(value: unknown): number {
  try {
    const size = valueSize(value, '', [])
    if (size !== UNMODELLED) return size === LEFT_OUT ? 0 : size
  } catch (error) {
    // Nesting deeper than this walk's stack: JSON.stringify decides (it may manage, or throw its own error).
    if (!(error instanceof RangeError)) throw error
  }
  const json = JSON.stringify(value)
  return json === undefined ? 0 : Buffer.byteLength(json)
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const LEFT_OUT = -1
/** A value this walk does not model (a boxed primitive, a BigInt, a cycle): serialised for real instead. */
const UNMODELLED = -2

function valueSize(value: unknown, key: string, stack: object[]): number {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') value = toJSON.call(value, key)
  }
  switch (typeof value) {
    case 'string':
      return jsonTextSize(value)
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4
    case 'boolean':
      return value ? 4 : 5
    case 'undefined':
    case 'function':
    case 'symbol':
      return LEFT_OUT
    case 'bigint':
      return UNMODELLED
  }
  if (value === null) return 4
  const object = value as object
  if (stack.includes(object)) return UNMODELLED
  if (!Array.isArray(object)) {
    const proto = Object.getPrototypeOf(object)
    if (proto !== Object.prototype && proto !== null && types.isBoxedPrimitive(object)) return UNMODELLED
  }
  stack.push(object)
  let size = 2
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i++) {
      const item = valueSize(object[i], String(i), stack)
      if (item === UNMODELLED) return UNMODELLED
      size += (i > 0 ? 1 : 0) + (item === LEFT_OUT ? 4 : item)
    }
  } else {
    let first = true
    const record = object as Record<string, unknown>
    for (const name of Object.keys(record)) {
      const item = valueSize(record[name], name, stack)
      if (item === UNMODELLED) return UNMODELLED
      if (item === LEFT_OUT) continue
      size += (first ? 0 : 1) + jsonTextSize(name) + 1 + item
      first = false
    }
  }
  stack.pop()
  return size
}

/** UTF-8 bytes each ASCII character takes in a JSON string: escaped as \X (2), as \u00XX (6), or itself. */
const ASCII_BYTES = new Uint8Array(128).fill(1)
for (let c = 0; c < 0x20; c++) ASCII_BYTES[c] = 6
for (const c of [0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x22, 0x5c]) ASCII_BYTES[c] = 2

// Printable ASCII other than '"' and '\': a string of only these is its own JSON, one byte a character.
const NEEDS_COUNTING = /[^\x20\x21\x23-\x5b\x5d-\x7e]/

/** Bytes of `JSON.stringify(text)` in UTF-8 (its quotes included). */
export function jsonTextSize(text: string): number {
  if (!NEEDS_COUNTING.test(text)) return text.length + 2
  let bytes = 2
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += ASCII_BYTES[c]
    else if (c < 0x800) bytes += 2
    else if (c < 0xd800 || c > 0xdfff) bytes += 3
    else if (c < 0xdc00 && i + 1 < length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: one code point, four bytes.
      bytes += 4
      i++
    } else bytes += 6 // a lone surrogate, written as \udXXX
  }
  return bytes
}

/**
 * Bytes of `JSON.stringify(bytes.toString('utf8'))` for bytes that are valid UTF-8, counted on the bytes:
 * every byte of a multi-byte character stays as it is, ASCII is escaped as in a string.
 */
export function jsonUtf8Size(bytes: Uint8Array): number {
  let size = 2
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    size += b < 0x80 ? ASCII_BYTES[b] : 1
  }
  return size
}
