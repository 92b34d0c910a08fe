import { debuglog } from 'node:util'
import { errorSummary } from './values'

/** `NODE_DEBUG=scf-bridge`: one line per request, and the stacks of the app's errors in the error lines. */
export const debug = debuglog('scf-bridge')

/** What a log line says about the invocation it belongs to: a trigger function's has no request. */
export interface LogFields {
  /** SCF's invocation id (`context.request_id`). */
  invocationId: string | undefined
  /** The request's `x-request-id` (usableRequestId: the client's, else the gateway's id, else the invocation id); '' for none. */
  requestId: string
  method?: string
  /** The request URL: logged as loggedPath() gives it (when a line is written), never its query. */
  url?: string
}

/** What every log line of one request's invocation says about it. */
export interface LogContext extends LogFields {
  method: string
  url: string
}

/**
 * The path of a request URL as a log line shows it: cut at the first `?` (the query), `;` (matrix
 * parameters, as `;jsessionid=`) or `#`, since what follows them is often a secret. `%3B` is a character of
 * a segment, not a separator, and is kept.
 */
export function loggedPath(url: string): string {
  const end = url.search(CUT_AT)
  return end < 0 ? url : url.slice(0, end)
}

const CUT_AT = /[?;#]/

/**
 * What a request id may be to reach the log line and the `x-request-id` response header: 1 to 128
 * characters of letters, digits and `_ . : + / = @ -` (UUIDs, hex, base64 and prefixed ids). Anything else
 * (a 100 KB value, control characters, spaces, non-ASCII text) is not cut down but refused: the caller takes
 * the next id it knows, as a cut id would be a different one.
 */
export function usableRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : undefined
}

const REQUEST_ID = /^[\w.:+/=@-]{1,128}$/

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
      path: log.url === undefined ? undefined : loggedPath(log.url),
      ...details,
      ...stack,
    }),
  )
}

/** A line for `NODE_DEBUG=scf-bridge` only. */
export function debugLine(log: LogContext, message: string, error: unknown): void {
  if (debug.enabled) debug('%s %s %s: %s', log.method, loggedPath(log.url), message, errorSummary(error))
}

/**
 * What the log lines of a request say about it. Its request id is the client's x-request-id, else the
 * gateway's id, else the invocation's, the first that `usableRequestId` accepts: the app sees it, and the
 * reply carries it.
 */
export function logContextOf(
  request: { method: string; url: string; headers: Record<string, string>; gatewayRequestId: string | undefined },
  context: { request_id?: unknown },
): LogContext {
  const invocationId = typeof context.request_id === 'string' ? context.request_id : undefined
  const requestId =
    usableRequestId(request.headers['x-request-id']) ??
    usableRequestId(request.gatewayRequestId) ??
    usableRequestId(invocationId) ??
    ''
  return { invocationId, requestId, method: request.method, url: request.url }
}
