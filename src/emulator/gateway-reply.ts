import { HOP_BY_HOP } from '../http-syntax'
import { checkIntegratedResponse, decodeBase64Body, sizeProblem } from '../scf-contract'
import { errorSummary, setOwn } from '../values'
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
  let tooLarge: string | undefined
  try {
    tooLarge = sizeProblem(value)
  } catch (error) {
    return gatewayError(502, `the function returned a value that is not JSON-serialisable (${errorSummary(error)})`)
  }
  if (tooLarge) return gatewayError(502, tooLarge)
  // A Function URL sends any JSON without a statusCode as a 200 application/json body.
  if (trigger === 'url' && !hasStatusCode(value)) {
    return {
      status: 200,
      headers: { 'content-type': ['application/json'] },
      body: Buffer.from(JSON.stringify(value), 'utf8'),
    }
  }
  return integratedReply(value)
}

/** The gateway's own error reply, in API Gateway's `{ errno, error }` JSON form. */
export function gatewayError(status: number, problem: string): GatewayReply {
  const body = Buffer.from(
    JSON.stringify({ errno: status, error: `${STATUS_TEXT[status] ?? 'Error'}: ${problem}` }),
    'utf8',
  )
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
  const response = checkIntegratedResponse(value)
  if (typeof response === 'string') return invalid(response.replace(/^the response is /, 'the function returned '))
  const headers: Record<string, string[]> = {}
  for (const name of Object.keys(response.headers)) {
    const lower = name.toLowerCase()
    // The gateway re-frames the body: the function's framing headers, its length included, mean nothing.
    if (HOP_BY_HOP.has(lower) || lower === 'content-length') continue
    const previous = Object.hasOwn(headers, lower) ? headers[lower] : []
    setOwn(headers, lower, previous.concat(response.headers[name]))
  }
  const body = response.isBase64Encoded ? decodeBase64Body(response.body) : Buffer.from(response.body, 'utf8')
  return { status: response.statusCode, headers, body }
}

function invalid(reason: string): GatewayReply {
  return gatewayError(502, `invalid integrated response: ${reason}`)
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
