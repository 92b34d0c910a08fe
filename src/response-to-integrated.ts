import type { BinaryDecider, ResponseHeaders } from './binary/is-binary'
import { decodeUtf8Exact } from './binary/utf8'
import { HOP_BY_HOP } from './http-syntax'
import { fitBody, serialisedSize } from './scf-contract'
import type { IntegratedResponse } from './types'

/** The app's reply as the bridge collected it: status, headers as Node reports them, body bytes. */
export interface InjectedReply {
  statusCode: number
  headers: ResponseHeaders
  body: Buffer
  /**
   * Set when the body outgrew what SCF can carry (`MAX_BODY_BYTES`) and the rest was not collected: the
   * bytes the app had sent by then, at least. `body` is then empty.
   */
  bodyOverflow?: number
}

/** A reply SCF cannot carry in either encoding: its smallest serialised size (at least, when `cutOff`). */
export interface TooLargeForScf {
  tooLarge: number
  /** The body was cut off (`bodyOverflow`): `tooLarge` is a lower bound. */
  cutOff: boolean
}

/**
 * Maps the app's reply to API Gateway's integrated response, in the encoding that fits SCF's 6 MB: the
 * binary rules' choice, except that a text body too large once JSON-escaped goes as base64 when that
 * fits (the same bytes either way). `reserve`: bytes added to the response afterwards (`addedHeaderBytes`).
 * Pure.
 */
export function responseToIntegrated(
  reply: InjectedReply,
  method: string,
  decideBinary: BinaryDecider,
  reserve = 0,
): IntegratedResponse | TooLargeForScf {
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

  const response: IntegratedResponse = { isBase64Encoded: false, statusCode, headers, body: '' }
  const overflow = bodyless ? undefined : reply.bodyOverflow
  // The smallest it could have been: the body as text with nothing to escape.
  if (overflow !== undefined) return { tooLarge: reserve + serialisedSize(response) + overflow, cutOff: true }
  if (bytes.length === 0) return response
  const verdict = decideBinary(reply.headers)
  const text = verdict.encoding === 'binary' ? undefined : decodeUtf8Exact(bytes)
  const fit = fitBody(response, bytes, text !== undefined, reserve)
  if (fit.tooLarge !== undefined) return { tooLarge: fit.tooLarge, cutOff: false }
  if (fit.encoding === 'text') response.body = text as string
  else {
    response.isBase64Encoded = true
    response.body = bytes.toString('base64')
  }
  return response
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
