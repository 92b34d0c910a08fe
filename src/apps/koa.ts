import type { IncomingMessage, ServerResponse } from 'node:http'
import { Invocation, isServerError } from '../invocation'
import type { AppAdapter, BridgedRequest } from './types'

/** The parts of a Koa 2 or 3 application the bridge uses (all public API). */
export interface KoaLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => unknown
  use(middleware: unknown): unknown
  middleware: unknown[]
  createContext: unknown
  on(event: 'error', listener: KoaErrorListener): unknown
  off(event: 'error', listener: KoaErrorListener): unknown
  listenerCount(event: 'error'): number
  /** Koa's default error logging, which its default 'error' listener is. */
  onerror(error: unknown): void
}

type KoaErrorContext = { req?: BridgedRequest; res?: ServerResponse }
type KoaErrorListener = (error: unknown, ctx?: KoaErrorContext) => void

export function isKoaApp(app: unknown): app is KoaLike {
  const a = app as Partial<KoaLike> | null
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.callback === 'function' &&
    typeof a.use === 'function' &&
    Array.isArray(a.middleware) &&
    typeof a.createContext === 'function' &&
    typeof a.on === 'function' &&
    typeof a.off === 'function'
  )
}

/**
 * Serves a Koa app through `app.callback()`, taken once, as `app.listen()` does. Koa answers its own errors
 * (500 "Internal Server Error", never a stack; or the app's own error page) and reports them with its
 * public 'error' event; a server error of a bridged request goes to the invocation, which logs it with the
 * request id (or hands it to `onError`) and keeps Koa's reply.
 *
 * How the bridge listens, compared with `app.listen()` (whose `callback()` adds Koa's default listener,
 * `app.onerror`, to an app that has none):
 * - An app with an 'error' listener of its own is left as it is: the bridge's listener is on it only while
 *   a bridged request is in flight, and the app's own listeners hear every error, as under listen().
 * - An app with none gets `defaultErrorListener` where listen() would add `app.onerror`, before callback()
 *   so that Koa adds no second one: it calls `app.onerror` for every error but a bridged request's server
 *   error, which the bridge logs once, with the request id, instead of Koa printing it too (or which
 *   `onError` handles). That listener stays: Koa's 'error' event must always have one, or an error raised
 *   after a request (a late stream failure) would be thrown.
 */
export function koaAdapter(app: KoaLike): AppAdapter {
  if (app.listenerCount('error') === 0) {
    app.on('error', defaultErrorListener)
    return { dispatch: app.callback() }
  }
  const handle = app.callback()
  const listening = new ErrorListening(app)
  return {
    dispatch(req, res) {
      const request = listening.begin()
      // Koa reports a request's errors until its middleware chain has settled and until the reply is
      // through (a body stream that fails while it is piped): the listener stays for both.
      requests.set(res, request)
      res.once('close', replyThrough)
      // A connection broken off closes the socket, not the response.
      if (req.socket) {
        requests.set(req.socket, request)
        req.socket.once('close', replyThrough)
      }
      let result: unknown
      try {
        result = handle(req, res)
      } catch (error) {
        request.partDone()
        throw error
      }
      Promise.resolve(result).then(
        () => request.partDone(),
        () => request.partDone(),
      )
      return result
    },
  }
}

/** In place of Koa's default listener (`app.onerror`): a bridged request's server error is the bridge's. */
export function defaultErrorListener(this: KoaLike, error: unknown, ctx?: KoaErrorContext): void {
  if (!reportBridgedError(error, ctx)) this.onerror(error)
}

/** The bridge's 'error' listener on the app, there only while bridged requests are in flight. */
class ErrorListening {
  private inFlight = 0
  constructor(private readonly app: KoaLike) {}

  begin(): InFlightRequest {
    if (this.inFlight++ === 0) this.app.on('error', reportBridgedError)
    return new InFlightRequest(this)
  }

  end(): void {
    if (--this.inFlight === 0) this.app.off('error', reportBridgedError)
  }
}

class InFlightRequest {
  private through = false
  private pending = 2
  constructor(private readonly listening: ErrorListening) {}

  replyThrough(): void {
    if (this.through) return
    this.through = true
    this.partDone()
  }

  partDone(): void {
    if (--this.pending === 0) this.listening.end()
  }
}

// Shared listeners, so that no function made for one request is stored on its objects (see invocation.ts).
const requests = new WeakMap<object, InFlightRequest>()
function replyThrough(this: object): void {
  requests.get(this)?.replyThrough()
}

/** Koa's 'error' event: a bridged request's server error goes to its invocation (true), anything else is Koa's. */
function reportBridgedError(error: unknown, ctx?: KoaErrorContext): boolean {
  const invocation = Invocation.of(ctx?.req)
  if (!invocation || !isServerError(error)) return false
  // Koa does not answer an error raised after the headers went out (it marks it headerSent).
  const answered = !(error as { headerSent?: boolean } | null)?.headerSent && !ctx?.res?.headersSent
  invocation.fail(error, { answered })
  return true
}
