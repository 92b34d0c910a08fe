import { debuglog } from 'node:util'
import { pathOnly } from './http-syntax'
import { errorSummary } from './values'

export { pathOnly }

/** `NODE_DEBUG=scf-bridge`: one line per request, and the stacks of the app's errors in the error lines. */
export const debug = debuglog('scf-bridge')

/** What a log line says about the invocation it belongs to: a trigger function's has no request. */
export interface LogFields {
  /** SCF's invocation id (`context.request_id`). */
  invocationId: string | undefined
  /** The request's `x-request-id` (the gateway's id, else the invocation id); '' for none. */
  requestId: string
  method?: string
  /** The request URL: logged as its path only (pathOnly, when a line is written), never its query. */
  url?: string
}

/** What every log line of one request's invocation says about it. */
export interface LogContext extends LogFields {
  method: string
  url: string
}

/**
 * One structured error line on stderr, with the SCF invocation id and the request's method and path.
 * `details` are the bridge's own values; an app error is given as `error` (name and message); its stack is
 * added only when `NODE_DEBUG=scf-bridge` is set, since a stack is the app's internals.
 */
export function logLine(log: LogFields, message: string, details: Record<string, unknown>, error?: unknown): void {
  const stack = error instanceof Error && debug.enabled ? { stack: error.stack } : undefined
  console.error(
    JSON.stringify({
      level: 'error',
      source: 'scf-bridge',
      message,
      requestId: log.invocationId,
      xRequestId: log.requestId || undefined,
      method: log.method,
      path: log.url === undefined ? undefined : pathOnly(log.url),
      ...details,
      ...stack,
    }),
  )
}

/** A line for `NODE_DEBUG=scf-bridge` only. */
export function debugLine(log: LogContext, message: string, error: unknown): void {
  if (debug.enabled) debug('%s %s %s: %s', log.method, pathOnly(log.url), message, errorSummary(error))
}

/**
 * What the log lines of a request say about it. Its request id is the client's x-request-id, else the
 * gateway's id, else the invocation's: the app sees it, and the reply carries it.
 */
export function logContextOf(
  request: { method: string; url: string; headers: Record<string, string>; gatewayRequestId: string | undefined },
  context: { request_id?: unknown },
): LogContext {
  const invocationId = typeof context.request_id === 'string' ? context.request_id : undefined
  const requestId = request.headers['x-request-id'] || request.gatewayRequestId || invocationId || ''
  return { invocationId, requestId, method: request.method, url: request.url }
}
