import { adapterFor, adapterStarter } from './apps'
import { type BinaryTypes, createBinaryDecider } from './binary'
import type { CurrentInvoke } from './current-invoke'
import { DEFAULT_HOST, hostOption, normaliseBasePath, requestFromEvent } from './request-from-event'
import { type Settings, serveRequest } from './serve'
import { deliverToPath, refuseTriggerPath, runTriggerFunction, type TriggerRoutes, triggerRouter } from './triggers'
import type { IntegratedResponse, ScfContext, ScfEventHandler, ScfHandler, ScfHttpEvent } from './types'
import { markWebHandle, type WebSocketSetup } from './web-handle'

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
  onError?: (
    error: unknown,
    invocation: CurrentInvoke,
  ) => IntegratedResponse | undefined | Promise<IntegratedResponse | undefined>
  /**
   * The app is a fetch handler: a bare `(request: Request, invoke) => Response | Promise<Response>`
   * function, which would otherwise be taken for a Node `(req, res)` listener. Objects with a
   * `fetch(request)` method (Hono, h3 v2) are recognised without it. Needs Node 18+.
   * @example exports.main_handler = bridge((request) => new Response('hi'), { fetch: true })
   */
  fetch?: boolean
  /**
   * Serves other triggers' events in the same function: for each kind (`timer`, `cos`, `ckafka`, `cmq`,
   * `cls`, and `other` for any other non-HTTP event, e.g. a direct invocation), a function
   * `(event, context)` whose return value is the invocation's result, or a path in the app that gets the
   * event as `POST <path>` with a JSON body (a 2xx answer's body is the result). A throw or any other
   * status fails the invocation, so SCF retries asynchronous triggers. HTTP requests to these paths get
   * 404 without reaching the app. See docs/triggers.md.
   * @example
   * bridge(app, { events: { timer: async () => { await purgeSessions() }, cos: '/internal/cos-uploaded' } })
   */
  events?: TriggerRoutes
  /**
   * Web function target only (`scf-bridge pack --target web`, docs/web-functions.md): called with the
   * runner's `http.Server` before it listens, to attach a WebSocket server. Ignored by event functions.
   * @example bridge(app, { websocket: (server) => new WebSocketServer({ server }).on('connection', onSocket) })
   */
  websocket?: WebSocketSetup
}

/**
 * Wraps a web app as an SCF handler that serves HTTP events through the app and the triggers named in
 * `options.events` as they say (see {@link BridgeOptions.events}).
 * @example
 * exports.main_handler = bridge(app, { events: { timer: async () => purgeSessions(), cos: '/internal/cos-uploaded' } })
 */
export function bridge(app: unknown, options: BridgeOptions & { events: TriggerRoutes }): ScfEventHandler
/**
 * Wraps a web app as an SCF handler that serves API Gateway and Function URL events, and with the
 * `events` option other triggers' events too (timer, COS, CKafka, CMQ, CLS, direct invocations).
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
export function bridge(app: unknown, options?: BridgeOptions): ScfHandler
export function bridge(app: unknown, options: BridgeOptions = {}): ScfEventHandler {
  const startAdapter = adapterStarter(adapterFor(app, { fetch: options.fetch }))
  const triggers = triggerRouter(options.events)
  const settings: Settings = {
    basePath: normaliseBasePath(options.basePath),
    host: hostOption(options.host),
    decideBinary: createBinaryDecider(options.binaryTypes),
    waitForEmptyEventLoop: options.waitForEmptyEventLoop === true,
    timeoutMarginMs: marginOf(options.timeoutMarginMs),
    onError: options.onError,
  }

  return markWebHandle(
    async function main_handler(event: unknown, context?: ScfContext): Promise<unknown> {
      const started = Date.now()
      const ctx: ScfContext = context !== null && typeof context === 'object' ? context : {}
      if (!settings.waitForEmptyEventLoop) ctx.callbackWaitsForEmptyEventLoop = false

      // ---- other triggers (src/triggers): a function, or a request to a path served like any other ----
      const route = triggers?.routeOf(event)
      if (route?.run) return runTriggerFunction(route, event, ctx)
      if (route) {
        return deliverToPath(route, event, ctx, settings.host ?? DEFAULT_HOST, (request) =>
          serveRequest(startAdapter, request, event as ScfHttpEvent, ctx, settings, started, route.kind),
        )
      }

      const request = requestFromEvent(event, settings)
      if (triggers?.guards(request.url)) return refuseTriggerPath(request, ctx)
      return (await serveRequest(startAdapter, request, event as ScfHttpEvent, ctx, settings, started)).response
    },
    app,
    options,
  ) as ScfEventHandler
}

function marginOf(value: number | undefined): number {
  if (value === undefined) return 300
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`scf-bridge: timeoutMarginMs must be a number of milliseconds >= 0, got ${String(value)}`)
  }
  return value
}
