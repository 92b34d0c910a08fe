import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorStatus, Invocation, isServerError } from '../invocation'
import { AppStartError } from './deferred'
import type { AppAdapter, DeferredAdapter } from './types'

/** The parts of a Fastify 4 or 5 instance the bridge uses (all public API). */
export interface FastifyLike {
  /** The instance's own HTTP request handler (what its server's 'request' event calls). */
  routing(req: IncomingMessage, res: ServerResponse): void
  ready(): PromiseLike<unknown>
  register: unknown
  addHook(
    name: 'onError',
    hook: (request: FastifyRequestLike, reply: unknown, error: unknown) => Promise<void>,
  ): unknown
}

interface FastifyRequestLike {
  raw: IncomingMessage
}

export function isFastifyInstance(app: unknown): app is FastifyLike {
  const a = app as Partial<FastifyLike> | null
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.routing === 'function' &&
    typeof a.ready === 'function' &&
    typeof a.register === 'function' &&
    typeof a.addHook === 'function'
  )
}

/**
 * Serves a Fastify instance through its public request handler, `routing(req, res)`, once `ready()` has
 * resolved (plugins loaded), on the same in-memory path as every Node app: hooks, plugins and content-type
 * parsers run as under listen().
 *
 * A server error that Fastify's default error handler answers is reported to the bridge. With a 5xx status
 * of its own (`statusCode` or `status`) Fastify's reply stands, as under listen(), and the error is logged
 * (or handed to `onError`); without one the bridge answers a plain 500, as it does for Express: Fastify's
 * default reply would show the error's message, and its logger is off by default. An error handler of the
 * app's own (setErrorHandler, a route's errorHandler) answers instead. The hook that does this can only be
 * added before the instance is ready: an instance handed over already started keeps Fastify's default reply.
 */
export function fastifyAdapter(app: FastifyLike): DeferredAdapter {
  try {
    app.addHook('onError', async (request, _reply, error) => {
      if (!isServerError(error) || !answeredByDefaultHandler(request)) return
      Invocation.of(request.raw)?.fail(error, { answered: errorStatus(error) !== undefined })
    })
  } catch {
    // Already started (FST_ERR_INSTANCE_ALREADY_LISTENING): hooks are closed.
  }
  const serving: AppAdapter = { dispatch: (req, res) => app.routing(req, res) }
  return {
    start: () =>
      Promise.resolve(app.ready()).then(
        () => serving,
        (error: unknown) => {
          throw new AppStartError('scf-bridge: the Fastify instance failed to start (ready())', error)
        },
      ),
  }
}

type ErrorHandlerNode = { func?: unknown }

/**
 * Whether Fastify's own default error handler answers this request's error. Fastify has no public API for
 * it (`request.server.errorHandler` is the plugin context's handler, not a route's `errorHandler` option),
 * so this is the one place the bridge reads Fastify internals, as Fastify 4.x and 5.x keep them
 * (test/adapter-internals.test.ts fails when a release changes them): the request's route context, under
 * `Symbol(fastify.context)`, has `errorHandler`, an object whose `func` is the handler, made with
 * `Object.create(parent)` for each handler set; the root of that chain holds Fastify's default handler.
 * When the internals are not found, the error is left to Fastify (its reply stands, unreported).
 */
export function answeredByDefaultHandler(request: object): boolean {
  const key = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === 'fastify.context')
  const context = key ? (request as Record<symbol, { errorHandler?: ErrorHandlerNode } | undefined>)[key] : undefined
  const handler = context?.errorHandler
  if (handler === null || typeof handler !== 'object' || typeof handler.func !== 'function') return false
  let root: ErrorHandlerNode = handler
  for (let up = Object.getPrototypeOf(root); up !== null && up !== Object.prototype; up = Object.getPrototypeOf(up))
    root = up
  return handler.func === root.func
}
