import type { FetchAdapter } from './types'

/** An object with a `fetch(request)` method: Hono, h3 v2, itty-router and the like. */
export interface FetchAppLike {
  fetch(request: Request, ...rest: unknown[]): Response | Promise<Response>
}

export function isFetchApp(app: unknown): app is FetchAppLike {
  return (typeof app === 'object' || typeof app === 'function') && app !== null &&
    typeof (app as Partial<FetchAppLike>).fetch === 'function'
}

/** A fetch-style app object; its `fetch` is called as a method, with the invocation as second argument. */
export function fetchAppAdapter(app: FetchAppLike): FetchAdapter {
  assertFetchGlobals()
  return { kind: 'fetch-style app', fetch: (request, invoke) => app.fetch(request, invoke) }
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
