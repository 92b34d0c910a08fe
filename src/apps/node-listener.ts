import { Server as HttpServer } from 'node:http'
import type { AppAdapter } from './types'

/** An `http.Server` (or anything that emits 'request' and listens). */
export interface ServerLike {
  emit(event: 'request', req: unknown, res: unknown): boolean
  listeners(event: 'request'): unknown[]
  listen: unknown
}

export function isNodeServer(app: unknown): app is ServerLike {
  // An https.Server passes the shape test below: importing node:https only for instanceof would slow every cold start.
  if (app instanceof HttpServer) return true
  const a = app as Partial<ServerLike> | null
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.emit === 'function' &&
    typeof a.listeners === 'function' &&
    typeof a.listen === 'function'
  )
}

/** An `http.Server`: its 'request' listeners serve each injected request. */
export function serverAdapter(server: ServerLike): AppAdapter {
  return { dispatch: (req, res) => server.emit('request', req, res) }
}

/** A plain Node `(req, res)` listener. */
export function listenerAdapter(listener: (req: never, res: never) => unknown): AppAdapter {
  return { dispatch: listener as AppAdapter['dispatch'] }
}
