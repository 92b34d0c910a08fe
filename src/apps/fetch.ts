import type { FailureSink, FetchAdapter } from './types'

/** An object with a `fetch(request)` method: Hono, h3 v2, itty-router and the like. */
export interface FetchAppLike {
  fetch(request: Request, ...rest: unknown[]): Response | Promise<Response>
}

export function isFetchApp(app: unknown): app is FetchAppLike {
  return (typeof app === 'object' || typeof app === 'function') && app !== null &&
    typeof (app as Partial<FetchAppLike>).fetch === 'function'
}

/**
 * A fetch-style app object; its `fetch` is called as a method, with the invocation as second argument.
 * Hono's and h3's default error handling is pointed at the bridge's failure path (see `routeDefaultErrors`).
 */
export function fetchAppAdapter(app: FetchAppLike): FetchAdapter {
  assertFetchGlobals()
  routeDefaultErrors(app)
  return {
    kind: 'fetch-style app',
    fetch(request, invoke, fail) {
      failures.set(request, fail)
      return app.fetch(request, invoke)
    },
  }
}

/** A bare `(request: Request) => Response` function, as `bridge(fn, { fetch: true })` declares it. */
export function fetchFunctionAdapter(handler: (request: Request, ...rest: unknown[]) => Response | Promise<Response>): FetchAdapter {
  assertFetchGlobals()
  return { kind: 'fetch handler', fetch: (request, invoke) => handler(request, invoke) }
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

/** The failure sink of each Request the bridge made, for the error hooks below. */
const failures = new WeakMap<Request, FailureSink>()

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
  config: { onError?: (error: Error & { unhandled?: boolean; cause?: unknown }, event: { req: Request }) => unknown }
  handler: unknown
  mount: unknown
}

/**
 * A route error that reaches Hono's or h3's *default* handling is reported to the bridge, as Koa's are:
 * logged with the request id (or handed to the `onError` option, whose response wins), while the
 * framework's own 500 reply stands. An error handler of the app's own (`app.onError(...)` in Hono,
 * `onError` in h3's config) is left alone. Errors that carry their own response (Hono's HTTPException,
 * h3's HTTPError) are answered by the framework and not reported.
 */
function routeDefaultErrors(app: FetchAppLike): void {
  const hono = app as Partial<HonoLike>
  // Hono's default handler is a module function named errorHandler; a minified bundle keeps Hono's own.
  if (typeof hono.onError === 'function' && typeof hono.errorHandler === 'function' && hono.errorHandler.name === 'errorHandler') {
    hono.onError(honoErrorHandler)
    return
  }
  const h3 = app as Partial<H3Like>
  if (typeof h3.config === 'object' && h3.config !== null && typeof h3.handler === 'function' && typeof h3.mount === 'function' &&
    h3.config.onError === undefined) {
    h3.config.onError = (error, event) => {
      if (error.unhandled) failures.get(event.req)?.(error.cause ?? error, true)
    }
  }
}

/** Hono's default error handler, except that a bridged request's error goes to the bridge, not console.error. */
function honoErrorHandler(error: Error, c: HonoContextLike): Response {
  const withResponse = error as Error & { getResponse?: () => Response }
  if (typeof withResponse.getResponse === 'function') {
    const response = withResponse.getResponse()
    return c.newResponse(response.body, response)
  }
  const fail = failures.get(c.req.raw)
  if (fail) fail(error, true)
  else console.error(error)
  return c.text('Internal Server Error', 500)
}
