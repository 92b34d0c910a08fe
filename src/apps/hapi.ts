import { Invocation } from '../invocation'
import { AppStartError } from './deferred'
import type { AppAdapter, BridgedRequest, DeferredAdapter } from './types'

/** The parts of a hapi (`@hapi/hapi` 21) server the bridge uses. */
export interface HapiLike {
  initialize(): Promise<void>
  ext(event: 'onPreResponse', method: (request: HapiRequestLike, h: { continue: symbol }) => symbol): void
  route: unknown
  /** The http.Server whose 'request' event hapi serves. */
  listener: { emit(event: 'request', req: unknown, res: unknown): boolean }
  /** `started` is 0 until start(). */
  info?: { started?: number }
}

interface HapiRequestLike {
  raw: { req: BridgedRequest }
  response: { isBoom?: boolean; output?: { statusCode?: number } } | null
}

export function isHapiServer(app: unknown): app is HapiLike {
  const a = app as Partial<HapiLike> | null
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.initialize === 'function' &&
    typeof a.ext === 'function' &&
    typeof a.route === 'function' &&
    typeof a.listener?.emit === 'function'
  )
}

/**
 * Serves a hapi server through its listener, after `initialize()` (called once here if the app did not).
 * A 5xx error still unhandled after every onPreResponse extension of the app (ours is added last) goes to
 * the bridge. One with a status of its own (a Boom other than 500: `Boom.serverUnavailable()`, say) keeps
 * hapi's reply, as under `server.start()`, and is logged (or handed to `onError`); a 500, which is what
 * hapi makes of any thrown error, is answered by the bridge: plain 500, logged with the request id.
 */
export function hapiAdapter(server: HapiLike): DeferredAdapter {
  server.ext('onPreResponse', (request, h) => {
    const response = request.response as (Error & { isBoom?: boolean; output?: { statusCode?: number } }) | null
    const status = response?.isBoom ? (response.output?.statusCode ?? 500) : 0
    if (status >= 500) Invocation.of(request.raw.req)?.fail(response, { answered: status !== 500 })
    return h.continue
  })
  const serving: AppAdapter = {
    dispatch(req, res) {
      server.listener.emit('request', req, res)
    },
  }
  return {
    start: async () => {
      // initialize() returns at once on an initialized server, but throws on a started one.
      if (!server.info?.started) {
        try {
          await server.initialize()
        } catch (error) {
          throw new AppStartError('scf-bridge: the hapi server failed to initialize()', error)
        }
      }
      return serving
    },
  }
}
