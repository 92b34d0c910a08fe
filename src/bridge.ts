import { debuglog } from 'node:util'
import { adapterFor, adapterStarter, type FetchAdapter, type ServingAdapter } from './apps'
import { createBinaryDecider, type BinaryTypes } from './binary'
import type { ExchangeHooks } from './exchange'
import { fetchInto } from './fetch-exchange'
import { injectInto } from './in-memory-exchange'
import { invokeStorage, type CurrentInvoke } from './current-invoke'
import { customResponse } from './custom-response'
import { routeStrayRejections } from './stray-rejections'
import { MAX_EVENT_BYTES, MAX_RESPONSE_BYTES } from './limits'
import { hostOption, normaliseBasePath, requestFromEvent, type InjectionRequest } from './request-from-event'
import { responseToIntegrated, serializedSize } from './response-to-integrated'
import type { IntegratedResponse, ScfContext, ScfHandler, ScfHttpEvent } from './types'

/** Options of `bridge(app, options)`. */
export interface BridgeOptions {
  /**
   * Media types always sent base64 (added to the built-in rules, wildcards allowed: `image/*`,
   * `*\/*`), or a predicate `(contentType, headers) => boolean` that decides alone.
   * Bytes that are not valid UTF-8 are sent base64 whatever this says. Usually not needed: images,
   * fonts, archives and compressed bodies are base64 by the built-in rules.
   * @example bridge(app, { binaryTypes: ['application/vnd.ms-excel', 'model/*'] })
   */
  binaryTypes?: BinaryTypes
  /**
   * A path prefix to strip before the app sees the path. Only whole segments are stripped: with
   * `'/api'`, `/api/users` becomes `/users`, `/api` becomes `/`, and `/apiary` is left alone.
   */
  basePath?: string
  /**
   * The host name (with an optional port) the app sees for a request whose event has no Host header,
   * as real Function URL events have none: the Function URL's host or your custom domain. Without it,
   * such requests get `scf-bridge.invalid` (docs/https-and-host.md). An event's own Host always wins.
   * @example bridge(app, { host: 'api.example.com' })
   */
  host?: string
  /**
   * Keep SCF's default of waiting for an empty event loop after the reply. Default `false`: the
   * bridge sets `context.callbackWaitsForEmptyEventLoop = false`, so an app's DB pool or
   * keep-alive agent does not turn every answered request into a timeout.
   */
  waitForEmptyEventLoop?: boolean
  /**
   * How long before SCF's deadline a reply that has not finished is answered with 504, in ms.
   * Default 300. The deadline comes from `context.getRemainingTimeInMillis()` or
   * `context.time_limit_in_ms`; without either, no time limit is imposed.
   */
  timeoutMarginMs?: number
  /**
   * Called when the app fails a request (throws, rejects, errors, or ends the connection without a
   * reply). Return an integrated response to send it instead of the default plain 500/502.
   * Called at most once per invocation. A response SCF could not send is replaced by the default.
   * When it returns, the bridge writes no error log line of its own: log the error here.
   * @example
   * bridge(app, {
   *   onError: (error, { context }) => ({
   *     isBase64Encoded: false,
   *     statusCode: 500,
   *     headers: { 'content-type': 'application/json' },
   *     body: JSON.stringify({ error: 'internal', requestId: context.request_id }),
   *   }),
   * })
   */
  onError?: (error: unknown, invocation: CurrentInvoke) => IntegratedResponse | void | Promise<IntegratedResponse | void>
  /**
   * The app is a fetch handler: a bare `(request: Request, invoke) => Response | Promise<Response>`
   * function, which would otherwise be taken for a Node `(req, res)` listener. Objects with a
   * `fetch(request)` method (Hono, h3 v2) are recognised without it. Needs Node 18+.
   * @example exports.main_handler = bridge((request) => new Response('hi'), { fetch: true })
   */
  fetch?: boolean
}

const debug = debuglog('scf-bridge')

/**
 * Wraps a web app as an SCF handler that serves API Gateway and Function URL events.
 *
 * @param app An Express 4/5 app, a Koa 2/3 app, a Fastify 4/5 instance, a hapi server, a NestJS
 *   application, an object with `fetch(request)` (Hono, h3 v2), an `http.Server`, a `(req, res)`
 *   listener, a `(request) => Response` function with `{ fetch: true }`, or a Promise of any of these
 *   (resolved on the first invocation, then reused).
 * @param options See {@link BridgeOptions}.
 * @returns The SCF handler, to export as `main_handler`.
 * @throws TypeError when the app is of no kind the bridge serves, or an option is invalid.
 * @example
 * const express = require('express')
 * const { bridge } = require('scf-bridge')
 * const app = express()
 * app.get('/hello', (req, res) => res.json({ hello: 'world' }))
 * exports.main_handler = bridge(app)
 */
export function bridge(app: unknown, options: BridgeOptions = {}): ScfHandler {
  const adapter = adapterStarter(adapterFor(app, { fetch: options.fetch }))
  const settings = {
    basePath: normaliseBasePath(options.basePath),
    decideBinary: createBinaryDecider(options.binaryTypes),
    waitForEmptyEventLoop: options.waitForEmptyEventLoop === true,
    timeoutMarginMs: marginOf(options.timeoutMarginMs),
    onError: options.onError,
  }
  const requestOptions = { basePath: settings.basePath, host: hostOption(options.host) }

  return async function main_handler(event: ScfHttpEvent, context?: ScfContext): Promise<IntegratedResponse> {
    const started = Date.now()
    const ctx: ScfContext = context !== null && typeof context === 'object' ? context : {}
    if (!settings.waitForEmptyEventLoop) ctx.callbackWaitsForEmptyEventLoop = false
    const request = requestFromEvent(event, requestOptions)
    const invocationId = typeof ctx.request_id === 'string' ? ctx.request_id : undefined
    const requestId = request.headers['x-request-id'] ?? (request.headers['x-request-id'] = request.gatewayRequestId ?? invocationId ?? '')
    if (!requestId) delete request.headers['x-request-id']
    const invocation: Invocation = { event, context: ctx, request, requestId, started, settings }

    let response: IntegratedResponse
    if (request.body && request.body.length > MAX_EVENT_BYTES) {
      log(invocation, 'request body too large', { bytes: request.body.length })
      response = plainResponse(413, 'Payload Too Large')
    } else {
      response = await serve(adapter, invocation)
    }
    if (requestId && response.headers['x-request-id'] === undefined) response.headers['x-request-id'] = requestId
    if (debug.enabled) {
      debug('%s %s %d %dms %d bytes%s', request.method, request.url, response.statusCode, Date.now() - started,
        Buffer.byteLength(response.body, response.isBase64Encoded ? 'base64' : 'utf8'), response.isBase64Encoded ? ' base64' : '')
    }
    return response
  }
}

interface Settings {
  decideBinary: ReturnType<typeof createBinaryDecider>
  timeoutMarginMs: number
  onError: BridgeOptions['onError']
}

interface Invocation {
  event: ScfHttpEvent
  context: ScfContext
  request: InjectionRequest
  requestId: string
  started: number
  settings: Settings
}

/** Injects one request into the app and settles exactly once: reply, app failure, or deadline. */
function serve(startedAdapter: () => ServingAdapter | Promise<ServingAdapter>, invocation: Invocation): Promise<IntegratedResponse> {
  const { request, event, context, settings } = invocation
  const scf: CurrentInvoke = { event, context }
  return new Promise<IntegratedResponse>((resolve) => {
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const settle = (response: IntegratedResponse | Promise<IntegratedResponse>) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      resolve(response)
    }
    // Once answered, a later failure of the same request (one error a framework reports twice, a failure
    // after the 504) changes nothing: no second onError call, no second log line.
    const fail = (error: unknown, status = 500) => {
      if (settled) return debug('%s %s failed after it was answered: %s', request.method, request.url, stackOf(error))
      settle(failureResponse(error, () => failurePage(status), invocation))
    }
    routeStrayRejections()
    // An error the app answered itself (Koa's, Hono's or h3's error reply): reported with the reply, which stands.
    let answeredError: { error: unknown } | undefined

    const budget = timeBudget(context, invocation.started, settings.timeoutMarginMs)
    const onDeadline = () => {
      log(invocation, 'the app did not answer in time', { budgetMs: budget })
      settle(plainResponse(504, 'Gateway Timeout'))
    }
    if (budget !== undefined && budget <= 0) timer = setTimeout(onDeadline, 0)
    else if (budget !== undefined) {
      // Armed one turn later for the same instant: most invocations are answered within their first turn,
      // and an Immediate costs far less than a Timeout armed and cleared at once (about 3 µs an invocation).
      const armedAt = Date.now()
      setImmediate(() => {
        if (!settled) timer = setTimeout(onDeadline, Math.max(0, budget - (Date.now() - armedAt)))
      })
    }

    const hooks: ExchangeHooks = {
      reply: (reply) => {
        const response = integrate(reply, invocation)
        settle(answeredError ? failureResponse(answeredError.error, () => response, invocation) : response)
      },
      failed: (error, answered) => (answered ? (answeredError = { error }) : fail(error)),
      failedAfterReply: (error) => log(invocation, 'the app failed after its reply was complete', { error: stackOf(error) }),
      broken: (error) => fail(error, 502),
    }
    const exchange = (adapter: ServingAdapter) =>
      isFetchAdapter(adapter) ? fetchInto(adapter, request, scf, hooks) : injectInto(adapter, request, scf, hooks)

    invokeStorage.run({ invoke: scf, fail }, () => {
      // The first invocation starts the app (a Promise, Fastify's ready(), ...); a failed start fails each one.
      const adapter = startedAdapter()
      if (adapter instanceof Promise) adapter.then(exchange, (error: unknown) => fail(error))
      else exchange(adapter)
    })
  })
}

const isFetchAdapter = (adapter: ServingAdapter): adapter is FetchAdapter => typeof (adapter as FetchAdapter).fetch === 'function'

function integrate(reply: Parameters<typeof responseToIntegrated>[0], invocation: Invocation): IntegratedResponse {
  const response = responseToIntegrated(reply, invocation.request.method, invocation.settings.decideBinary)
  const size = serializedSize(response, MAX_RESPONSE_BYTES)
  if (size <= MAX_RESPONSE_BYTES) return response
  log(invocation, 'response too large for SCF', { bytes: size, limit: MAX_RESPONSE_BYTES })
  return plainResponse(502, 'Bad Gateway: the response is larger than the 6 MB SCF allows')
}

/** Hands an app failure to `onError` (whose response wins) or logs it; `fallback` is the response otherwise. */
async function failureResponse(error: unknown, fallback: () => IntegratedResponse, invocation: Invocation): Promise<IntegratedResponse> {
  const { onError } = invocation.settings
  if (onError) {
    try {
      const custom = await onError(error, { event: invocation.event, context: invocation.context })
      if (custom === undefined || custom === null) return fallback()
      const checked = customResponse(custom)
      if (typeof checked !== 'string') return checked
      log(invocation, 'onError returned an unusable response', { problem: checked })
    } catch (onErrorFailure) {
      log(invocation, 'onError threw', { error: stackOf(onErrorFailure) })
    }
  }
  const response = fallback()
  log(invocation, response.statusCode === 502 ? 'the app ended the request without a reply' : 'the app failed', { error: stackOf(error) })
  return response
}

const failurePage = (status: number): IntegratedResponse =>
  plainResponse(status, status === 502 ? 'Bad Gateway' : 'Internal Server Error')

function plainResponse(statusCode: number, body: string): IntegratedResponse {
  return { isBase64Encoded: false, statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body }
}

/** One structured line on stderr, with the SCF invocation id and the request. */
function log(invocation: Invocation, message: string, details: Record<string, unknown>): void {
  const { context, request, requestId } = invocation
  console.error(JSON.stringify({
    level: 'error',
    source: 'scf-bridge',
    message,
    requestId: context.request_id,
    xRequestId: requestId || undefined,
    method: request.method,
    path: request.url,
    ...details,
  }))
}

function stackOf(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return `non-error thrown: ${String(error)}`
}

/** Milliseconds the app may take, or undefined when the context does not tell the deadline. */
function timeBudget(context: ScfContext, started: number, margin: number): number | undefined {
  let remaining: number | undefined
  if (typeof context.getRemainingTimeInMillis === 'function') {
    try {
      remaining = context.getRemainingTimeInMillis()
    } catch {
      remaining = undefined
    }
  }
  if (!(typeof remaining === 'number' && Number.isFinite(remaining)) && typeof context.time_limit_in_ms === 'number') {
    remaining = context.time_limit_in_ms - (Date.now() - started)
  }
  return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining - margin : undefined
}

function marginOf(value: number | undefined): number {
  if (value === undefined) return 300
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`scf-bridge: timeoutMarginMs must be a number of milliseconds >= 0, got ${String(value)}`)
  }
  return value
}
