import type { IncomingMessage, ServerResponse } from 'node:http'
import { Invocation, isServerError } from '../invocation'
import type { AppAdapter, BridgedRequest } from './types'

/** The parts of a Koa 2 or 3 application the bridge uses. */
export interface KoaLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => unknown
  use(middleware: unknown): unknown
  middleware: unknown[]
  createContext(req: IncomingMessage, res: ServerResponse): { state: Record<string, unknown> }
  on(event: 'error', listener: (error: unknown, ctx?: { req?: BridgedRequest; res?: ServerResponse }) => void): unknown
  listenerCount(event: string): number
  onerror(error: unknown): void
}

export function isKoaApp(app: unknown): app is KoaLike {
  const a = app as Partial<KoaLike> | null
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.callback === 'function' &&
    typeof a.use === 'function' &&
    Array.isArray(a.middleware) &&
    typeof a.createContext === 'function'
  )
}

/**
 * Serves a Koa app through `app.callback()`, taken once.
 * Koa answers its own errors (500 "Internal Server Error", never a stack; or the app's own error
 * page) and emits 'error': a server error of a bridged request goes to the bridge, which logs it
 * with the request id (or hands it to `onError`) and keeps Koa's reply.
 */
export function koaAdapter(app: KoaLike): AppAdapter {
  const createContext = app.createContext
  // An own property on this app only: ctx.state.scf for bridged requests, nothing otherwise.
  app.createContext = function createBridgedContext(this: KoaLike, req: BridgedRequest, res: ServerResponse) {
    const ctx = createContext.call(this, req, res)
    if (req.scf) ctx.state.scf = req.scf
    return ctx
  } as KoaLike['createContext']
  // Added before callback(), so Koa does not also add its own stderr logger for bridged errors.
  const hadListener = app.listenerCount('error') > 0
  app.on('error', (error, ctx) => {
    // Koa does not answer an error raised after the headers went out (it marks it headerSent).
    const answered = !(error as { headerSent?: boolean } | null)?.headerSent && !ctx?.res?.headersSent
    const invocation = Invocation.of(ctx?.req)
    if (invocation && isServerError(error)) return invocation.fail(error, { answered })
    // Not a bridged request (say, the same app under app.listen()): Koa's default logging.
    if (!hadListener && app.listenerCount('error') === 1) app.onerror(error)
  })
  const handle = app.callback()
  return { dispatch: handle }
}
