import type { IncomingMessage, ServerResponse } from 'node:http'
import { AppStartError } from './deferred'
import { isServerError, reportAppFailure, type AppAdapter, type BridgedRequest, type DeferredAdapter } from './types'

/** The parts of a Fastify 4 or 5 instance the bridge uses. */
export interface FastifyLike {
  /** The instance's own HTTP request handler (what its server's 'request' event calls). */
  routing(req: IncomingMessage, res: ServerResponse): void
  ready(): PromiseLike<unknown>
  register: unknown
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: unknown, error: unknown) => Promise<void>): unknown
}

interface FastifyRequestLike {
  raw: BridgedRequest
  server: { errorHandler?: { name?: string } }
}

type RouteContext = { errorHandler?: { func?: { name?: string } } }

/**
 * The error handler Fastify will call for this request: the route's (its `errorHandler` option, else its
 * encapsulation context's), read from the request's route context (`Symbol('fastify.context')` in Fastify
 * 4 and 5); the instance's public `errorHandler` when that is not found.
 */
function errorHandlerOf(request: FastifyRequestLike): { name?: string } | undefined {
  const symbol = Object.getOwnPropertySymbols(request).find((key) => key.description === 'fastify.context')
  const context = symbol ? ((request as unknown as Record<symbol, RouteContext | undefined>)[symbol]) : undefined
  return context?.errorHandler?.func ?? request.server?.errorHandler
}

export function isFastifyInstance(app: unknown): app is FastifyLike {
  const a = app as Partial<FastifyLike> | null
  return typeof a === 'object' && a !== null && typeof a.routing === 'function' &&
    typeof a.ready === 'function' && typeof a.register === 'function' && typeof a.addHook === 'function'
}

/**
 * Serves a Fastify instance through its request handler once `ready()` has resolved (plugins loaded),
 * on the same in-memory path as every Node app: hooks, plugins and content-type parsers run as under listen().
 *
 * A server error that reaches Fastify's default error handler goes to the bridge (plain 500, logged with
 * the request id), as Express's does: Fastify's default reply would show the error's message, and its
 * logger is off by default. An error handler of the app's own (setErrorHandler, a route's errorHandler)
 * answers instead. The hook that does this can only be added before the instance is ready: an instance handed
 * over already started keeps Fastify's default error reply.
 */
export function fastifyAdapter(app: FastifyLike): DeferredAdapter {
  try {
    app.addHook('onError', async (request, _reply, error) => {
      if (isServerError(error) && errorHandlerOf(request)?.name === 'defaultErrorHandler') reportAppFailure(request.raw, error)
    })
  } catch {
    // Already started (FST_ERR_INSTANCE_ALREADY_LISTENING): hooks are closed.
  }
  const serving: AppAdapter = { kind: 'Fastify instance', dispatch: (req, res) => app.routing(req, res) }
  return {
    kind: 'Fastify instance',
    start: () => Promise.resolve(app.ready()).then(
      () => serving,
      (error: unknown) => {
        throw new AppStartError('scf-bridge: the Fastify instance failed to start (ready())', error)
      },
    ),
  }
}
