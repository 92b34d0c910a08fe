import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CurrentInvoke } from '../current-invoke'

/** The request as the app sees it: `req.scf` carries the invocation's event and context. */
export type BridgedRequest = IncomingMessage & { scf?: CurrentInvoke<unknown> }

/**
 * How an app that the bridge recognised is served: a Node `(req, res)` dispatch. An app's failure is
 * reported to `Invocation.of(req)` (src/invocation.ts).
 */
export interface AppAdapter {
  /** Serves one request; may return a promise whose rejection is an app failure. */
  dispatch(req: BridgedRequest, res: ServerResponse): unknown
}

/**
 * A fetch-style app (Hono, h3 v2, a `(request) => Response` function): a WHATWG `Request` in, a `Response`
 * out. `invoke` is passed as the second argument (Hono's `c.env`); a failure the app answers itself is
 * reported to `Invocation.of(request)`.
 */
export interface FetchAdapter {
  fetch(request: Request, invoke: CurrentInvoke<unknown>): Response | Promise<Response>
}

/** An app that needs asynchronous work before its first request (a Promise, Fastify's ready(), Hapi's initialize()). */
export interface DeferredAdapter {
  /** Runs once; resolves to the adapter that serves (itself possibly deferred). */
  start(): Promise<AnyAdapter>
}

/** An adapter that can serve a request now. */
export type ServingAdapter = AppAdapter | FetchAdapter

/** What `adapterFor()` returns. */
export type AnyAdapter = ServingAdapter | DeferredAdapter
