import type { FetchAdapter, ServingAdapter } from './apps'
import type { BinaryDecider } from './binary'
import type { BridgeOptions } from './bridge'
import { fetchInto } from './fetch-exchange'
import { injectInto } from './in-memory-exchange'
import { Invocation, type Outcome, timeBudget } from './invocation'
import { debug, type LogContext, loggedPath, usableRequestId } from './log'
import type { InjectionRequest } from './request-from-event'
import { routeStrayRejections } from './stray-rejections'
import type { TriggerKind } from './triggers/events'
import type { ScfContext, ScfHttpEvent } from './types'

/** `bridge()`'s options, checked and completed once. */
export interface Settings {
  /** Normalised by `normaliseBasePath`: '' for none. */
  basePath: string
  /** Checked by `hostOption`: the Host for events without a usable one. */
  host: string | undefined
  decideBinary: BinaryDecider
  waitForEmptyEventLoop: boolean
  timeoutMarginMs: number
  onError: BridgeOptions['onError']
}

/** The app, started on first use (a Promise, Fastify's ready(), ...). */
export type StartAdapter = () => ServingAdapter | Promise<ServingAdapter>

/**
 * Serves one request to the app within an SCF invocation and resolves with how it settled: the response
 * to return (with `x-request-id`), and the failure when it is not the app's own reply. What every kind of
 * event is served through: HTTP events, and any caller with a request of its own to inject.
 */
export function serveRequest(
  startAdapter: StartAdapter,
  request: InjectionRequest,
  event: ScfHttpEvent,
  context: ScfContext,
  settings: Settings,
  started = Date.now(),
  /** Set when the request delivers a trigger's event to its path (src/triggers): `scf.trigger` in the app. */
  trigger?: TriggerKind,
): Promise<Outcome> {
  const log = logContextOf(request, context)
  if (log.requestId) request.headers['x-request-id'] = log.requestId
  else delete request.headers['x-request-id']
  const invocation = new Invocation(trigger ? { event, context, trigger } : { event, context }, request, log, settings)

  routeStrayRejections()
  invocation.armDeadline(timeBudget(context, started, settings.timeoutMarginMs))
  const outcome = invocation.run(() => {
    // The first invocation starts the app; a failed start fails each one.
    const adapter = startAdapter()
    if (adapter instanceof Promise)
      adapter.then(
        (ready) => exchange(ready, invocation),
        (error: unknown) => invocation.fail(error),
      )
    else exchange(adapter, invocation)
  })
  return outcome.then((settled) => {
    const { response } = settled
    if (log.requestId && response.headers['x-request-id'] === undefined)
      response.headers['x-request-id'] = log.requestId
    if (debug.enabled) {
      debug(
        '%s %s %d %dms %d bytes%s',
        log.method,
        loggedPath(log.url),
        response.statusCode,
        Date.now() - started,
        Buffer.byteLength(response.body, response.isBase64Encoded ? 'base64' : 'utf8'),
        response.isBase64Encoded ? ' base64' : '',
      )
    }
    return settled
  })
}

/**
 * What the log lines of a request say about it. Its request id is the client's x-request-id, else the
 * gateway's id, else the invocation's, the first that `usableRequestId` accepts: the app sees it, and the
 * reply carries it.
 */
export function logContextOf(request: InjectionRequest, context: ScfContext): LogContext {
  const invocationId = typeof context.request_id === 'string' ? context.request_id : undefined
  const requestId =
    usableRequestId(request.headers['x-request-id']) ??
    usableRequestId(request.gatewayRequestId) ??
    usableRequestId(invocationId) ??
    ''
  return { invocationId, requestId, method: request.method, url: request.url }
}

function exchange(adapter: ServingAdapter, invocation: Invocation): void {
  if (typeof (adapter as FetchAdapter).fetch === 'function') fetchInto(adapter as FetchAdapter, invocation)
  else injectInto(adapter as Exclude<ServingAdapter, FetchAdapter>, invocation)
}
