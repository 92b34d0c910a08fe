import { STATUS_CODES } from 'node:http'
import type { InjectedReply } from './response-to-integrated'
import type { IntegratedResponse } from './types'

/** The content type of every answer the bridge writes itself. */
const PLAIN_TEXT = 'text/plain; charset=utf-8'

/** The standard text of a status, what the bridge's own answers say: never an error's message or stack. */
const statusText = (statusCode: number): string => STATUS_CODES[statusCode] ?? 'Error'

/**
 * The bridge's own answer as SCF's integrated response: a short plain-text page, never the error's message
 * or stack; with the request id when one is known (serveRequest adds it to the answers it settles).
 */
export function plainResponse(
  statusCode: number,
  body = statusText(statusCode),
  requestId?: string,
): IntegratedResponse {
  const headers: Record<string, string> = { 'content-type': PLAIN_TEXT }
  if (requestId) headers['x-request-id'] = requestId
  return { isBase64Encoded: false, statusCode, headers, body }
}

/** The same answer as a reply the app could have sent, for a request the bridge answers in the app's place. */
export function plainReply(statusCode: number): InjectedReply {
  return { statusCode, headers: { 'content-type': PLAIN_TEXT }, body: Buffer.from(statusText(statusCode)) }
}
