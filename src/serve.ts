import type { FetchAdapter, ServingAdapter } from './apps'
import type { ServedInvoke } from './current-invoke'
import { fetchInto } from './fetch-exchange'
import { injectInto } from './in-memory-exchange'
import { Invocation, type Outcome, timeBudget } from './invocation'
import { debug, logContextOf, pathOnly } from './log'
import type { Settings } from './options'
import type { InjectionRequest } from './request-from-event'
import { routeStrayRejections } from './stray-rejections'

/** The app, started on first use (a Promise, Fastify's ready(), ...). */
export type StartAdapter = () => ServingAdapter | Promise<ServingAdapter>

/**
 * Serves one request to the app within an SCF invocation and resolves with how it settled: the response
 * to return (with `x-request-id`), and the failure when it is not the app's own reply. What every kind of
 * event is served through: HTTP events, and a trigger's event delivered to its path (`invoke.trigger` set:
 * `scf.trigger` in the app).
 */
export function serveRequest(
  startAdapter: StartAdapter,
  request: InjectionRequest,
  invoke: ServedInvoke,
  settings: Settings,
  started = Date.now(),
): Promise<Outcome> {
  const { context } = invoke
  const log = logContextOf(request, context)
  if (log.requestId) request.headers['x-request-id'] = log.requestId
  else delete request.headers['x-request-id']
  const invocation = new Invocation(invoke, request, log, settings)

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
        pathOnly(log.url),
        response.statusCode,
        Date.now() - started,
        Buffer.byteLength(response.body, response.isBase64Encoded ? 'base64' : 'utf8'),
        response.isBase64Encoded ? ' base64' : '',
      )
    }
    return settled
  })
}

function exchange(adapter: ServingAdapter, invocation: Invocation): void {
  if (typeof (adapter as FetchAdapter).fetch === 'function') fetchInto(adapter as FetchAdapter, invocation)
  else injectInto(adapter as Exclude<ServingAdapter, FetchAdapter>, invocation)
}
