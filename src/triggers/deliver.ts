import { EventError, TriggerError } from '../errors'
import type { Outcome } from '../invocation'
import type { TriggerRoute } from '../options'
import type { InjectionRequest } from '../request-from-event'
import type { ScfClsEvent } from '../trigger-types'
import type { ScfContext } from '../types'
import { decodeClsLogs } from './cls'
import { logTriggerFailure } from './log-failure'
import { resultOf } from './result'

/**
 * Delivers a trigger's event to its path in the app: `POST <path>`, `content-type: application/json`, the
 * event as the body (CLS: its records decoded). `serve` is the bridge's own serving of an HTTP request, so
 * the app sees the delivery as any request, with `scf.trigger` set. A 2xx answer is the invocation's
 * result (its JSON, its text, or null when empty); any other status rejects with a `TriggerError`.
 * `host` is the Host the app sees (the `host` option, or the default), with https as for a Function URL,
 * so that links a job builds point where the app's HTTP requests do.
 */
export async function deliverToPath(
  route: TriggerRoute & { path: string },
  event: unknown,
  context: ScfContext,
  host: string,
  serve: (request: InjectionRequest) => Promise<Outcome>,
): Promise<unknown> {
  // The invocation logs an app's failure itself unless onError answered it: any other failure is logged here,
  // as the function form logs one, so that every failed delivery leaves one line with the invocation id.
  let logged = false
  try {
    const { response, failure } = await serve(requestFor(route, await payloadOf(route, event), host))
    const ok = response.statusCode >= 200 && response.statusCode < 300
    if (ok && failure === undefined) return resultOf(response)
    logged = failure !== undefined && !ok
    // A throw fails the invocation even when onError answered it with a 2xx: SCF retries an asynchronous one.
    const what = `the ${route.kind} trigger's POST ${route.path}`
    throw new TriggerError(
      ok
        ? `scf-bridge: the app failed on ${what} (onError answered status ${response.statusCode}), so the invocation fails`
        : `scf-bridge: the app answered ${what} with status ${response.statusCode}, so the invocation fails`,
      route.kind,
      response.statusCode,
      failure,
    )
  } catch (error) {
    if (!logged) logTriggerFailure(context, route, error)
    throw error
  }
}

/** The event as the delivery's JSON body: CLS's records decoded. */
async function payloadOf(route: TriggerRoute, event: unknown): Promise<string> {
  const payload = route.kind === 'cls' ? await decodeClsLogs(event as ScfClsEvent) : event
  let json: string | undefined
  try {
    json = JSON.stringify(payload === undefined ? null : payload)
  } catch {
    json = undefined
  }
  if (json === undefined) throw new EventError(`scf-bridge: the ${route.kind} event cannot be sent as JSON`)
  return json
}

/** `POST <path>` with the JSON body; serveRequest adds the x-request-id (the invocation id). */
function requestFor(route: TriggerRoute & { path: string }, json: string, host: string): InjectionRequest {
  const body = Buffer.from(json, 'utf8')
  const headers: Record<string, string> = {
    host,
    'content-type': 'application/json',
    'content-length': String(body.length),
    'x-forwarded-proto': 'https',
  }
  return {
    method: 'POST',
    url: route.path,
    headers,
    body,
    remoteAddress: undefined,
    gatewayRequestId: undefined,
    secure: true,
  }
}
