import type { BinaryDecider, ResponseHeaders } from './binary/is-binary'
import { decodeUtf8Exact } from './binary/utf8'
import { HOP_BY_HOP } from './http-syntax'
import type { IntegratedResponse } from './types'

/** The app's reply as the bridge collected it: status, headers as Node reports them, body bytes. */
export interface InjectedReply {
  statusCode: number
  headers: ResponseHeaders
  body: Buffer
}

/** Maps the app's reply to API Gateway's integrated response. Pure. */
export function responseToIntegrated(
  reply: InjectedReply,
  method: string,
  decideBinary: BinaryDecider,
): IntegratedResponse {
  const statusCode = reply.statusCode
  const bodyless =
    method === 'HEAD' || statusCode === 204 || statusCode === 304 || (statusCode >= 100 && statusCode < 200)
  const bytes = bodyless ? EMPTY : reply.body
  const headers = headersOf(reply.headers)
  // HEAD and 304 may announce the length of the body they do not carry; otherwise it must match.
  if (headers['content-length'] !== undefined && !(method === 'HEAD' || statusCode === 304)) {
    if (bodyless) delete headers['content-length']
    else headers['content-length'] = String(bytes.length)
  }

  if (bytes.length === 0) return { isBase64Encoded: false, statusCode, headers, body: '' }
  const verdict = decideBinary(reply.headers)
  const text = verdict.encoding === 'binary' ? undefined : decodeUtf8Exact(bytes)
  return text === undefined
    ? { isBase64Encoded: true, statusCode, headers, body: bytes.toString('base64') }
    : { isBase64Encoded: false, statusCode, headers, body: text }
}

const EMPTY = Buffer.alloc(0)

function headersOf(source: ResponseHeaders): IntegratedResponse['headers'] {
  const headers: IntegratedResponse['headers'] = {}
  for (const name of Object.keys(source)) {
    const value = source[name]
    if (value === undefined || HOP_BY_HOP.has(name)) continue
    if (Array.isArray(value)) {
      const values = value.map(String)
      headers[name] = values.length === 1 && name !== 'set-cookie' ? values[0] : values
    } else {
      // API Gateway keeps several cookies only as an array under one key: always use that form.
      headers[name] = name === 'set-cookie' ? [String(value)] : String(value)
    }
  }
  return headers
}
