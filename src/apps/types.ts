import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CurrentInvoke } from '../current-invoke'

/** The request as the app sees it: `req.scf` carries the invocation's event and context. */
export type BridgedRequest = IncomingMessage & { scf?: CurrentInvoke; [kFailure]?: FailureReporter }

/** How an app that the bridge recognised is served: a Node `(req, res)` dispatch. */
export interface AppAdapter {
  /** What the app was recognised as, for messages and logs. */
  kind: string
  /** Serves one request; may return a promise whose rejection is an app failure. */
  dispatch(req: BridgedRequest, res: ServerResponse): unknown
}

/** A fetch-style app (Hono, h3 v2, a `(request) => Response` function): a WHATWG `Request` in, a `Response` out. */
export interface FetchAdapter {
  kind: string
  /** `invoke` is passed as the second argument (Hono's `c.env`); `fail` reports a failure the app answered itself. */
  fetch(request: Request, invoke: CurrentInvoke, fail: FailureSink): Response | Promise<Response>
}

/** An app that needs asynchronous work before its first request (a Promise, Fastify's ready(), Hapi's initialize()). */
export interface DeferredAdapter {
  kind: string
  /** Runs once; resolves to the adapter that serves (itself possibly deferred). */
  start(): Promise<AnyAdapter>
}

/** An adapter that can serve a request now. */
export type ServingAdapter = AppAdapter | FetchAdapter

/** What `adapterFor()` returns. */
export type AnyAdapter = ServingAdapter | DeferredAdapter

/**
 * Called by an adapter when the app failed a request it was serving. `answered`: the app (or its
 * framework) is sending its own error reply, which stands unless `onError` returns another.
 */
export type FailureSink = (error: unknown, answered?: boolean) => void

/** What a bridged request carries under `kFailure`: an object, so that no closure is stored on the request. */
export interface FailureReporter {
  fail: FailureSink
}

/** Where an adapter finds the failure reporter of the request it serves. */
export const kFailure: unique symbol = Symbol('scf-bridge.failure')

/** Reports an app failure for `req`; false when `req` is not a bridged request. */
export function reportAppFailure(req: BridgedRequest | undefined, error: unknown, answered = false): boolean {
  const reporter = req?.[kFailure]
  if (!reporter) return false
  reporter.fail(error, answered)
  return true
}

/** True for errors that are the server's fault (no status, or 5xx), false for client errors (4xx). */
export function isServerError(error: unknown): boolean {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode
  return !(typeof status === 'number' && status >= 400 && status < 500)
}
