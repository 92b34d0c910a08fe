/*!
 * The bridge's in-memory HTTP engine, derived from light-my-request 6.6.0, BSD-3-Clause,
 * (c) 2017 The Fastify Team and contributors: src/engine/LICENSE, docs/engine.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { InMemorySocket } from './null-socket'
import { createRequest, type EngineRequest } from './request'
import { createResponse, type EngineReply, ReplyCollector, type ReplySink } from './response'

export type { EngineReply, EngineRequest, ReplySink }

/** The app's side of the exchange: a Node `(req, res)` request listener. */
export type Dispatch = (req: IncomingMessage, res: ServerResponse) => void

/**
 * Serves one request to `dispatch` in memory: a real `http.IncomingMessage` and `http.ServerResponse` on one
 * in-memory socket. `sink` gets the complete reply, or an error when the reply broke off (the app or a
 * library destroyed the response or its socket, or emitted 'error' on the response before ending it), on a
 * later tick. A throw from `dispatch` propagates to the caller.
 */
export function inject(dispatch: Dispatch, request: EngineRequest, sink: ReplySink): void {
  const socket = new InMemorySocket(new ReplyCollector(sink), request.remoteAddress, request.secure === true)
  const req = createRequest(socket, request)
  dispatch(req, createResponse(req, socket))
}
