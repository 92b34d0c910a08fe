import { describe, isThenable } from '../values'
import { promisedAdapter } from './deferred'
import { expressAdapter, isExpressApp } from './express'
import { fastifyAdapter, isFastifyInstance } from './fastify'
import { fetchAppAdapter, fetchFunctionAdapter, isFetchApp } from './fetch'
import { hapiAdapter, isHapiServer } from './hapi'
import { isKoaApp, koaAdapter } from './koa'
import { isNestApp, nestAdapter } from './nest'
import { isNodeServer, listenerAdapter, serverAdapter } from './node-listener'
import type { AnyAdapter } from './types'

export { AppStartError, adapterStarter } from './deferred'
export type { AnyAdapter, AppAdapter, BridgedRequest, FetchAdapter, ServingAdapter } from './types'

/** What `bridge()` accepts, for messages. */
const ACCEPTED_APPS =
  'an Express app, a Koa app, a Fastify instance, a hapi server, a NestJS app, ' +
  'an object with fetch(request) (Hono, h3), an http.Server, a (req, res) listener function, or a Promise of one'

/** How the app was declared, beyond its shape. */
export interface RecognitionOptions {
  /** The app is a fetch handler `(request: Request) => Response`, not a Node listener. */
  fetch?: boolean
}

/** Recognises the kind of app once, at bridge() time (a Promise: once it resolves). */
export function adapterFor(app: unknown, options: RecognitionOptions = {}): AnyAdapter {
  // A Fastify instance is thenable too (awaiting it waits for ready()): recognise it first.
  if (isFastifyInstance(app)) return fastifyAdapter(app)
  if (isThenable(app)) return promisedAdapter(app, (resolved) => adapterFor(resolved, options))
  if (options.fetch === true) {
    if (typeof app === 'function' && !isFetchApp(app))
      return fetchFunctionAdapter(app as (request: Request) => Response)
    if (isFetchApp(app)) return fetchAppAdapter(app)
    throw new TypeError(
      `scf-bridge: bridge(app, { fetch: true }) got ${describeApp(app)}; it needs a (request: Request) => Response function or an object with fetch(request)`,
    )
  }
  if (isExpressApp(app)) return expressAdapter(app)
  if (isKoaApp(app)) return koaAdapter(app)
  if (isNestApp(app)) return nestAdapter(app, (instance) => adapterFor(instance, options))
  if (isHapiServer(app)) return hapiAdapter(app)
  if (isNodeServer(app)) return serverAdapter(app)
  if (isFetchApp(app)) return fetchAppAdapter(app)
  if (typeof app === 'function') return listenerAdapter(app as (req: never, res: never) => unknown)
  throw new TypeError(`scf-bridge: bridge(app) got ${describeApp(app)}; it accepts ${ACCEPTED_APPS}`)
}

function describeApp(app: unknown): string {
  return app === undefined ? 'undefined (did the module export the app?)' : describe(app)
}
