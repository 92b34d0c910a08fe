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
 * A route error that Hono or h3 answers itself (their default 500, `HTTPException`, h3's `HTTPError`) is
 * their reply, which stands as under a server; neither reports it anywhere the bridge could observe without
 * replacing the app's error handler (Hono's `errorHandler`, h3's `config.onError`), which the bridge does
 * not do: they print an unexpected error themselves (h3 unless `silent`). An error `fetch()` throws or rejects
 * with is the bridge's (fetch-exchange.ts).
 */
export function fetchAppAdapter(app: FetchAppLike): FetchAdapter {
  assertFetchGlobals()
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
