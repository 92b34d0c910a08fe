import { invokeStorage } from '../current-invoke'
import { recogniseEvent, TRIGGER_KINDS } from '../event-kind'
import type { Outcome } from '../invocation'
import { logLine } from '../log'
import { EventError, type InjectionRequest } from '../request-from-event'
import { logContextOf } from '../serve'
import { routeStrayRejections } from '../stray-rejections'
import type { ScfClsEvent, TriggerFunction, TriggerKind, TriggerRoutes } from '../trigger-types'
import type { IntegratedResponse, ScfContext } from '../types'
import { describe, errorSummary } from '../values'
import { decodeClsLogs } from './cls'
import { canonicalPath, checkTriggerPath } from './trigger-path'

/** An invocation failed because the app answered a trigger's delivery with a status other than 2xx. */
export class TriggerError extends Error {
  override name = 'TriggerError'
  constructor(
    message: string,
    /** The trigger kind delivered. */
    readonly trigger: TriggerKind,
    /** The app's answer's status. */
    readonly statusCode: number,
    /** The app's failure behind that answer, when it threw (an `onError` answer does not make it succeed). */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause })
  }
}

/** Where an event of one kind goes. */
export type TriggerRoute =
  | { kind: TriggerKind; run: TriggerFunction<unknown>; path?: undefined }
  | { kind: TriggerKind; path: string; run?: undefined }

/** The `events` option, checked: the route of each event, and the paths HTTP requests may not reach. */
export interface TriggerRouter {
  /** Where `event` goes, or undefined for an HTTP event or a kind without an entry (the HTTP path refuses it). */
  routeOf(event: unknown): TriggerRoute | undefined
  /** True when an HTTP request's URL (after basePath) reaches one of the trigger paths under some router's reading. */
  guards(url: string): boolean
}

const KINDS: readonly string[] = TRIGGER_KINDS

/**
 * A path that canonicalPath returns unchanged: single slashes between segments with nothing it decodes, folds,
 * resolves, cuts or lowercases (no %, backslash, dot, ;, #, upper-case ASCII or any non-ASCII character). Most requests' paths are
 * such, and the guard compares them with the trigger paths' canonical forms as they are.
 */
const CANONICAL = /^(?:\/[^/%\\.;#?A-Z\u0080-\uffff]+)+$/

/** The guard: true when `url` is one of the `guarded` canonical paths under some router's reading. */
function isGuarded(guarded: ReadonlySet<string>, url: string): boolean {
  if (guarded.size === 0) return false
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  return guarded.has(CANONICAL.test(path) ? path : canonicalPath(path))
}

/** Checks the `events` option (TypeError for anything unusable); undefined when there is none. */
export function triggerRouter(events: TriggerRoutes | undefined): TriggerRouter | undefined {
  if (events === undefined) return undefined
  if (events === null || typeof events !== 'object' || Array.isArray(events)) {
    throw new TypeError(
      `scf-bridge: events must be an object such as { timer: async (event, context) => {}, cos: '/jobs/cos' }, got ${describe(events)}`,
    )
  }
  const routes: Partial<Record<TriggerKind, TriggerRoute>> = {}
  const guarded = new Set<string>()
  for (const key of Object.keys(events)) {
    const value = (events as Record<string, unknown>)[key]
    if (!KINDS.includes(key)) {
      const hint = key === 'http' || key === 'apigw' || key === 'url' ? ': HTTP events always go to the app' : ''
      throw new TypeError(`scf-bridge: events.${key} is not a trigger kind${hint}; the kinds are ${KINDS.join(', ')}`)
    }
    const kind = key as TriggerKind
    if (value === undefined) continue
    if (typeof value === 'function') routes[kind] = { kind, run: value as TriggerFunction<unknown> }
    else if (typeof value === 'string') {
      routes[kind] = { kind, path: checkTriggerPath(kind, value) }
      guarded.add(canonicalPath(value))
    } else {
      throw new TypeError(
        `scf-bridge: events.${kind} must be a function (event, context) or a path such as '/jobs/${kind}', got ${describe(value)}`,
      )
    }
  }
  return {
    routeOf(event) {
      const kind = recogniseEvent(event)
      return kind === 'http' ? undefined : routes[kind]
    },
    guards: (url) => isGuarded(guarded, url),
  }
}

/**
 * Runs a trigger function inside the invocation: `getCurrentInvoke()` returns this event and context,
 * and a rejection the function leaves unhandled fails it too. A failure is logged with the invocation id
 * (never the event: a COS event carries the uploader's signature) and rejects, so SCF counts a failed
 * invocation and retries an asynchronous one.
 */
export function runTriggerFunction(
  route: TriggerRoute & { run: TriggerFunction<unknown> },
  event: unknown,
  context: ScfContext,
): Promise<unknown> {
  routeStrayRejections()
  return new Promise<unknown>((resolve, reject) => {
    const invoke = { event, context, trigger: route.kind }
    invokeStorage.run({ invoke, fail: reject }, () => {
      new Promise<unknown>((done) => done(route.run(event, context))).then(resolve, reject)
    })
  }).catch((error: unknown) => {
    logTriggerFailure(context, route, error)
    throw error
  })
}

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

/**
 * The bridge's answer to an HTTP request for a trigger path: 404, as if there were no such route, with the
 * request id as every answer carries it, and one log line (the path, never the query).
 */
export function refuseTriggerPath(request: InjectionRequest, context: ScfContext): IntegratedResponse {
  const log = logContextOf(request, context)
  logLine(log, 'an HTTP request for a trigger path was answered 404 without reaching the app', {})
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' }
  if (log.requestId) headers['x-request-id'] = log.requestId
  return { isBase64Encoded: false, statusCode: 404, headers, body: 'Not Found' }
}

function resultOf(response: IntegratedResponse): unknown {
  const bytes = Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'utf8')
  if (bytes.length === 0) return null
  const text = bytes.toString('utf8')
  const type = response.headers['content-type']
  if (typeof type === 'string' && /^[^;]*[/+]json\s*(;|$)/i.test(type)) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

/**
 * One structured line on stderr for a trigger that failed, as the bridge writes for requests: the invocation
 * id, the path a path-form delivery went to, and the error's name and message, never the event.
 */
function logTriggerFailure(context: ScfContext, route: TriggerRoute, error: unknown): void {
  const invocationId = typeof context.request_id === 'string' ? context.request_id : undefined
  const message = route.path
    ? `the ${route.kind} trigger's delivery to its path failed`
    : `the ${route.kind} trigger function failed`
  const where = route.path ? { method: 'POST', url: route.path } : {}
  logLine(
    { invocationId, requestId: '', ...where },
    message,
    { trigger: route.kind, error: errorSummary(error) },
    error,
  )
}
