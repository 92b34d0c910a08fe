import { expressAdapter, isExpressApp } from './express'
import { isKoaApp, koaAdapter } from './koa'
import { isNodeServer, listenerAdapter, serverAdapter } from './node-listener'
import type { AppAdapter } from './types'

export type { AppAdapter, BridgedRequest } from './types'
export { kFailure } from './types'

/** What `bridge()` accepts, for messages. */
export const ACCEPTED_APPS = 'an Express app, a Koa app, an http.Server or a (req, res) listener function'

/** Recognises the kind of app once, at bridge() time. */
export function adapterFor(app: unknown): AppAdapter {
  if (isExpressApp(app)) return expressAdapter(app)
  if (isKoaApp(app)) return koaAdapter(app)
  if (isNodeServer(app)) return serverAdapter(app)
  if (typeof app === 'function') return listenerAdapter(app as (req: never, res: never) => unknown)
  throw new TypeError(`scf-bridge: bridge(app) got ${describeApp(app)}; it accepts ${ACCEPTED_APPS}`)
}

function describeApp(app: unknown): string {
  if (app === null) return 'null'
  if (app === undefined) return 'undefined (did the module export the app?)'
  if (typeof app !== 'object') return `a ${typeof app}`
  const name = (app as { constructor?: { name?: string } }).constructor?.name
  const keys = Object.keys(app).slice(0, 5)
  return `an object${name && name !== 'Object' ? ` of class ${name}` : ''}${keys.length ? ` with keys ${keys.join(', ')}` : ''}`
}
