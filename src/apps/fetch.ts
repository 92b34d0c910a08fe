import { Invocation } from '../invocation'
import type { FetchAdapter } from './types'

/** An object with a `fetch(request)` method: Hono, h3 v2, itty-router and the like. */
export interface FetchAppLike {
  fetch(request: Request, ...rest: unknown[]): Response | Promise<Response>
}

export function isFetchApp(app: unknown): app is FetchAppLike {
  return (
    (typeof app === 'object' || typeof app === 'function') &&
    app !== null &&
    typeof (app as Partial<FetchAppLike>).fetch === 'function'
  )
}

/**
 * A fetch-style app object; its `fetch` is called as a method, with the invocation as second argument.
 * Hono's and h3's default error handling is pointed at the bridge's failure path (see `routeDefaultErrors`).
 */
export function fetchAppAdapter(app: FetchAppLike): FetchAdapter {
  assertFetchGlobals()
  routeDefaultErrors(app)
  return { fetch: (request, invoke) => app.fetch(request, invoke) }
}

/** A bare `(request: Request) => Response` function, as `bridge(fn, { fetch: true })` declares it. */
export function fetchFunctionAdapter(
  handler: (request: Request, ...rest: unknown[]) => Response | Promise<Response>,
): FetchAdapter {
  assertFetchGlobals()
  return { fetch: (request, invoke) => handler(request, invoke) }
}

/** Fetch-style apps need the WHATWG globals of Node 18+. */
function assertFetchGlobals(): void {
  if (typeof Request !== 'function' || typeof Response !== 'function' || typeof Headers !== 'function') {
    throw new TypeError(
      `scf-bridge: fetch-style apps need the global Request, Response and Headers of Node 18 or later; this is Node ${process.versions.node}. ` +
        'Choose a Nodejs18 or newer SCF runtime.',
    )
  }
}

// ---- route errors ------------------------------------------------------------

interface HonoLike {
  errorHandler: (error: Error, c: HonoContextLike) => Response | Promise<Response>
  onError(handler: HonoLike['errorHandler']): unknown
}
interface HonoContextLike {
  req: { raw: Request }
  text(text: string, status: number): Response
  newResponse(body: unknown, init: Response): Response
}
interface H3Like {
  config: {
    onError?: (
      error: Error & { unhandled?: boolean; cause?: unknown; status?: number },
      event: { req: Request },
    ) => unknown
  }
  handler: unknown
  mount: unknown
}

/**
 * A route error that reaches Hono's or h3's *default* handling is reported to the bridge, as Koa's are:
 * logged with the request id (or handed to the `onError` option, whose response wins), while the
 * framework's own reply stands, as under a real server: 500 for an unexpected error, the error's own
 * status for Hono's HTTPException and h3's HTTPError (or, in h3, any error with a `status`). Errors the
 * framework answers with a 4xx are the client's and are not reported. An error handler of the app's own
 * (`app.onError(...)` in Hono, `onError` in h3's config) is left alone.
 */
function routeDefaultErrors(app: FetchAppLike): void {
  const hono = app as unknown as Partial<HonoLike>
  if (
    typeof hono.onError === 'function' &&
    typeof hono.errorHandler === 'function' &&
    hono.errorHandler === honoDefaultHandler(hono)
  ) {
    hono.onError(honoErrorHandler)
    return
  }
  const h3 = app as Partial<H3Like>
  if (
    typeof h3.config === 'object' &&
    h3.config !== null &&
    typeof h3.handler === 'function' &&
    typeof h3.mount === 'function' &&
    h3.config.onError === undefined
  ) {
    h3.config.onError = (error, event) => {
      if (error.unhandled) Invocation.of(event.req)?.fail(error.cause ?? error, { answered: true })
      else if ((error.status ?? 500) >= 500) Invocation.of(event.req)?.fail(error, { answered: true })
    }
  }
}

/**
 * Hono's default error handler, as a new instance of the app's class has it: an app that called
 * `onError()` has another. Hono has no public getter for it, so this is the one internal the bridge reads
 * from Hono: the `errorHandler` field (private in Hono 4's types, a plain property at runtime;
 * test/adapter-internals.test.ts fails when a release changes it). Undefined if the class cannot be
 * constructed without arguments, and the app is then left alone.
 */
function honoDefaultHandler(hono: Partial<HonoLike>): unknown {
  try {
    return new (hono.constructor as new () => Partial<HonoLike>)().errorHandler
  } catch {
    return undefined
  }
}

/** Hono's default error handler, except that a bridged request's error goes to the bridge, not console.error. */
function honoErrorHandler(error: Error, c: HonoContextLike): Response {
  const invocation = Invocation.of(c.req.raw)
  const withResponse = error as Error & { getResponse?: () => Response }
  if (typeof withResponse.getResponse === 'function') {
    const response = withResponse.getResponse()
    if (response.status >= 500) invocation?.fail(error, { answered: true })
    return c.newResponse(response.body, response)
  }
  if (invocation) invocation.fail(error, { answered: true })
  else console.error(error)
  return c.text('Internal Server Error', 500)
}
