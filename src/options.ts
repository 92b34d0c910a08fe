/**
 * What `bridge(app, options)` accepts, and the one settings object it is checked into (settings.ts) that every
 * step of an invocation reads. Types only: every layer may import them, and nothing needs bridge.ts for them.
 */
import type { BinaryDecider, BinaryTypes } from './binary'
import type { CurrentInvoke } from './current-invoke'
import type { ScfTriggerEvents, TriggerKind } from './trigger-types'
import type { IntegratedResponse, ScfContext } from './types'
import type { WebSocketSetup } from './web-handle'

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
 * Serves one kind of trigger in code: runs inside the invocation (`getCurrentInvoke()` works), its
 * return value (or what its promise resolves to) is the invocation's result, and a throw or rejection
 * fails the invocation, so SCF's retry policy for asynchronous triggers applies.
 */
export type TriggerFunction<E> = (event: E, context: ScfContext) => unknown

/**
 * The `events` option of `bridge()`: for each trigger kind, a function that serves its events, or a path
 * in the app that receives them as `POST <path>` with the event as a JSON body.
 */
export type TriggerRoutes = { [K in TriggerKind]?: TriggerFunction<ScfTriggerEvents[K]> | string }

/** `bridge()`'s options, checked and completed once (settings.ts); every step reads this one object. */
export interface Settings {
  /** A path prefix to strip: leading slash, no trailing slash, '' for none. */
  basePath: string
  /** The Host for events without a usable one: the `host` option, checked, or undefined for the default. */
  host: string | undefined
  decideBinary: BinaryDecider
  waitForEmptyEventLoop: boolean
  timeoutMarginMs: number
  onError: BridgeOptions['onError']
  /** The `events` option, checked: undefined when there is none. */
  triggers: TriggerRouter | undefined
}

/** Where an event of one kind goes. */
export type TriggerRoute =
  | { kind: TriggerKind; run: TriggerFunction<unknown>; path?: undefined }
  | { kind: TriggerKind; path: string; run?: undefined }

/** The `events` option, checked: the route of each event, and the paths HTTP requests may not reach. */
export interface TriggerRouter {
  /** Where an event of `kind` goes, or undefined for a kind without an entry (the HTTP path refuses it). */
  routeOf(kind: TriggerKind): TriggerRoute | undefined
  /** True when an HTTP request's URL (after basePath) reaches one of the trigger paths under some router's reading. */
  guards(url: string): boolean
}
