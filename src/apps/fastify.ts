import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http'
import { errorStatus, Invocation, isServerError, type ReplyJudge } from '../invocation'
import type { InjectedReply } from '../response-to-integrated'
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
 * A server error is seen through Fastify's public `onError` hook, the one thing the bridge adds to the
 * instance (a no-op for requests it did not make; Fastify has no way to remove a hook, and takes none once
 * ready). Which handler answered is read from the reply, not from Fastify's internals: Fastify's default
 * error handler answers with `defaultErrorBody(error)`. With a 5xx status of its own (`statusCode` or
 * `status`) that reply stands, as under listen(), and the error is logged (or handed to `onError`); without
 * one the bridge answers a plain 500, as it does for Express: the default reply shows the error's message,
 * and Fastify's logger is off by default. An error handler of the app's own (setErrorHandler, a route's
 * errorHandler) answers otherwise, and the bridge is not told. An instance handed over already ready keeps
 * Fastify's default error reply.
 */
export function fastifyAdapter(app: FastifyLike): DeferredAdapter {
  try {
    app.addHook('onError', async (request, _reply, error) => {
      if (!isServerError(error)) return
      Invocation.of(request.raw)?.fail(error, { answered: true, judge: (reply) => judgeReply(error, reply) })
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

/** Whether Fastify's default handler sent this reply to `error`: then it stands, or the bridge answers plain. */
function judgeReply(error: unknown, reply: InjectedReply): ReturnType<ReplyJudge> {
  if (!reply.body.equals(Buffer.from(defaultErrorBody(error, reply.statusCode)))) return 'own'
  return errorStatus(error) === undefined ? 'replaced' : 'stands'
}

/**
 * The body Fastify 4 and 5's default error handler sends for a server error answered with `statusCode`:
 * `{ statusCode, code, error, message }` as JSON (`code` as text, only when the error has one), or a thrown
 * value that is not an object as its text. test/adapter-internals.test.ts fails when a release changes it;
 * the bridge would then take Fastify's default reply for an app's own: it stands, unreported.
 */
export function defaultErrorBody(error: unknown, statusCode: number): string {
  if (error === null || typeof error !== 'object') return String(error)
  const { code, message } = error as { code?: unknown; message?: unknown }
  return JSON.stringify({
    statusCode,
    ...(code === undefined ? {} : { code: String(code) }),
    error: STATUS_CODES[statusCode],
    message: typeof message === 'string' ? message : '',
  })
}
