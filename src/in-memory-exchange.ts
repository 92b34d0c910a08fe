import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import inject from 'light-my-request'
import { kFailure, type AppAdapter, type BridgedRequest } from './apps'
import type { CurrentInvoke } from './current-invoke'
import type { ExchangeHooks } from './exchange'
import type { InjectionRequest } from './request-from-event'
import type { InjectedReply } from './response-to-integrated'

/**
 * Serves one request to a Node `(req, res)` app in memory, through light-my-request (pinned 6.6.0:
 * the reply-stream handling below relies on its internals), and reports the outcome to `hooks`.
 */
export function injectInto(adapter: AppAdapter, request: InjectionRequest, scf: CurrentInvoke, hooks: ExchangeHooks): void {
  let head: Omit<InjectedReply, 'body'> | undefined
  let body: Buffer | undefined
  const complete = () => {
    if (head && body) hooks.reply({ ...head, body })
  }

  const dispatch = (req: BridgedRequest, res: ServerResponse) => {
    const appFailed = (error: unknown, answered?: boolean) =>
      !answered && res.writableEnded ? hooks.failedAfterReply(error) : hooks.failed(error, answered)
    req.scf = scf
    req[kFailure] = appFailed
    // The URL as sent, as a real server gives it: light-my-request resolves dot segments
    // ('/public/%2e%2e/admin' became '/admin'), which could route past a gateway's path rules.
    req.url = request.url
    if (!request.remoteAddress) hideRemoteAddress(req)
    if (request.headers['user-agent'] === undefined) dropDefaultUserAgent(req)
    // A second 'error' (write after end, say) must not become an uncaught exception.
    res.on('error', noop)
    collectReplyBody(res, (bytes) => ((body = bytes), complete()), hooks.broken)
    destroyableSocket(req, res)
    try {
      const result = adapter.dispatch(req, res) as Promise<unknown> | undefined
      if (result && typeof result.then === 'function') result.then(undefined, appFailed)
    } catch (error) {
      appFailed(error)
    }
  }

  try {
    inject(dispatch, {
      method: request.method as 'GET',
      url: request.url,
      headers: request.headers,
      payload: request.body,
      remoteAddress: request.remoteAddress,
      // The reply as bytes: the buffered reply decodes every body as UTF-8 (slow, and lossy for binary).
      payloadAsStream: true,
      validate: false,
    }, (error, injected) => {
      // Called at writeHead: the body follows through collectReplyBody.
      if (error || !injected) return hooks.broken(error ?? new Error('no reply'))
      head = { statusCode: injected.statusCode, headers: injected.headers }
      complete()
    })
  } catch (error) {
    hooks.failed(error)
  }
}

/**
 * Takes the reply's chunks straight from light-my-request's reply stream, without flowing it: its
 * `push` is the one place every written chunk and the end pass through. A write after end() is
 * ignored, as a real server ignores it (ERR_STREAM_WRITE_AFTER_END), instead of failing the reply.
 */
function collectReplyBody(res: ServerResponse, done: (body: Buffer) => void, broken: (error: unknown) => void): void {
  const stream = (res as { _lightMyRequest?: { stream?: Readable } })._lightMyRequest?.stream
  if (!stream) return broken(new Error('scf-bridge: light-my-request gave no reply stream'))
  const chunks: Buffer[] = []
  let ended = false
  stream.push = (chunk: unknown): boolean => {
    if (ended) return false
    if (chunk === null) {
      ended = true
      done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))
    } else if (!res.writableEnded) {
      chunks.push(chunk as Buffer)
    }
    return true
  }
  // light-my-request destroys the stream when the reply breaks off after its head.
  stream.on('error', (error) => {
    if (!ended) (ended = true), broken(error)
  })
}

/** light-my-request adds `user-agent: lightMyRequest` when the client sent none; the app should see none. */
function dropDefaultUserAgent(req: BridgedRequest): void {
  delete req.headers['user-agent']
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i] === 'user-agent') {
      raw.splice(i, 2)
      break
    }
  }
}

/** light-my-request reports 127.0.0.1 for a request without an address: an unknown caller must not look local. */
function hideRemoteAddress(req: BridgedRequest): void {
  (req.socket as { remoteAddress?: string }).remoteAddress = undefined
}

/** The mock socket has no destroy(): destroying it (as some libraries do) resets the reply, as on a real socket. */
function destroyableSocket(req: BridgedRequest, res: ServerResponse): void {
  const socket = req.socket as { destroy?: (error?: Error) => unknown }
  if (typeof socket.destroy !== 'function') {
    socket.destroy = (error?: Error) => {
      res.destroy(error)
      return socket
    }
  }
}

const noop = (): void => {}
