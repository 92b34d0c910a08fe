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
}

type KoaErrorListener = (error: unknown, ctx?: { req?: BridgedRequest; res?: ServerResponse }) => void

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
 * Serves a Koa app through `app.callback()`, taken once, as `app.listen()` does (Koa then adds its default
 * 'error' listener, `app.onerror`, if the app has none: the app is as under listen()). Koa answers its own
 * errors (500 "Internal Server Error", never a stack; or the app's own error page) and reports them with
 * its public 'error' event: while a bridged request is in flight the bridge listens to it too, and hands a
 * server error of that request to the invocation, which logs it with the request id (or hands it to
 * `onError`) and keeps Koa's reply. Once no bridged request is in flight the listener is removed again.
 */
export function koaAdapter(app: KoaLike): AppAdapter {
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

/** Koa's 'error' event for a bridged request: a server error goes to the invocation, anything else is Koa's. */
function reportBridgedError(error: unknown, ctx?: { req?: BridgedRequest; res?: ServerResponse }): void {
  const invocation = Invocation.of(ctx?.req)
  if (!invocation || !isServerError(error)) return
  // Koa does not answer an error raised after the headers went out (it marks it headerSent).
  const answered = !(error as { headerSent?: boolean } | null)?.headerSent && !ctx?.res?.headersSent
  invocation.fail(error, { answered })
}
