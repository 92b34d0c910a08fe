import { adapterFor, adapterStarter } from './apps'
import { createBinaryDecider, type BinaryTypes } from './binary'
import type { CurrentInvoke } from './current-invoke'
import { hostOption, normaliseBasePath, requestFromEvent } from './request-from-event'
import { serveRequest, type Settings } from './serve'
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
   * reply), including a server error the framework answers itself (an error with its own 5xx status,
   * Koa's, Hono's or h3's error reply). Return an integrated response to send it instead of the default:
   * the framework's reply, or the bridge's plain 500 (the error's own 4xx/5xx status when it has one) or
   * 502. Called at most once per invocation. A response SCF could not send is replaced by the default.
   * When it returns, the bridge writes no error log line of its own: log the error here.
   * See docs/errors-and-logging.md.
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
  const startAdapter = adapterStarter(adapterFor(app, { fetch: options.fetch }))
  const settings: Settings = {
    basePath: normaliseBasePath(options.basePath),
    host: hostOption(options.host),
    decideBinary: createBinaryDecider(options.binaryTypes),
    waitForEmptyEventLoop: options.waitForEmptyEventLoop === true,
    timeoutMarginMs: marginOf(options.timeoutMarginMs),
    onError: options.onError,
  }

  return async function main_handler(event: ScfHttpEvent, context?: ScfContext): Promise<IntegratedResponse> {
    const started = Date.now()
    const ctx: ScfContext = context !== null && typeof context === 'object' ? context : {}
    if (!settings.waitForEmptyEventLoop) ctx.callbackWaitsForEmptyEventLoop = false
    const request = requestFromEvent(event, settings)
    return (await serveRequest(startAdapter, request, event, ctx, settings, started)).response
  }
}

function marginOf(value: number | undefined): number {
  if (value === undefined) return 300
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`scf-bridge: timeoutMarginMs must be a number of milliseconds >= 0, got ${String(value)}`)
  }
  return value
}
