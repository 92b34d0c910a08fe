/*!
 * Derived from light-my-request 6.6.0 (lib/request.js), BSD-3-Clause,
 * (c) 2017 The Fastify Team and contributors: src/engine/LICENSE.
 */
import { IncomingMessage } from 'node:http'
import { InMemorySocket } from './null-socket'

/** One request as the engine serves it: everything is used as given, nothing is added or normalised. */
export interface EngineRequest {
  method: string
  /** Path and query exactly as sent: no URL parsing, no dot segments resolved (a gateway's path rules stand). */
  url: string
  /** Lowercased names (the app's `rawHeaders` list them in this order), string values. No default is added. */
  headers: Record<string, string>
  body: Buffer | undefined
  /** The caller's address; undefined when unknown (never a made-up local address). */
  remoteAddress: string | undefined
  /** The client connected over HTTPS: the socket says `encrypted`, as a TLS socket does. */
  secure?: boolean
}

/**
 * A plain `http.IncomingMessage` on the exchange's socket, as an HTTP/1.1 server builds it. Its body is read
 * through Node's own `_read`, which asks the socket for more (`InMemorySocket#resume`), so nothing of the
 * request is on its prototype either.
 */
export function createRequest(socket: InMemorySocket, request: EngineRequest): IncomingMessage {
  const req = new IncomingMessage(socket as never)
  req.method = request.method
  req.url = request.url
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.httpVersion = '1.1'
  const headers: Record<string, string> = {}
  const rawHeaders: string[] = []
  const given = request.headers
  for (const name in given) {
    const value = given[name]
    headers[name] = value
    rawHeaders.push(name, value)
  }
  req.headers = headers
  req.rawHeaders = rawHeaders
  req.on('error', onRequestError)
  socket.carry(req, request.body)
  return req
}

/**
 * An 'error' emitted on the request that nothing of the app listens to, which a server would let escape as
 * an uncaught exception, fails the exchange (ReplySink.fail). One the app listens to (a body parser) is the
 * app's to answer. One that `destroy(error)` emits is not emitted on a server when nobody listens, and the
 * destruction itself breaks the reply off.
 */
function onRequestError(this: IncomingMessage, error: Error): void {
  if (this.listenerCount('error') > 1 || !(this.socket instanceof InMemorySocket)) return
  const state = (this as { _readableState?: { errored?: unknown } })._readableState
  if (this.destroyed && state?.errored === error) return
  this.socket.collector.thrown(error)
}
