import type { ServerResponse } from 'node:http'
import inject from '../vendor/light-my-request'
import { kFailure, type AppAdapter, type BridgedRequest } from './apps'
import type { CurrentInvoke } from './current-invoke'
import type { ExchangeHooks } from './exchange'
import type { InjectionRequest } from './request-from-event'

/**
 * Serves one request to a Node `(req, res)` app in memory, through light-my-request (6.6.0, bundled with
 * a few changes for speed and GC: vendor/light-my-request/README.md), and reports the outcome to `hooks`.
 */
export function injectInto(adapter: AppAdapter, request: InjectionRequest, scf: CurrentInvoke, hooks: ExchangeHooks): void {
  let exchange: Exchange | undefined

  const dispatch = (req: BridgedRequest, res: ServerResponse) => {
    exchange = new Exchange(res, hooks)
    req.scf = scf
    req[kFailure] = exchange
    // The URL as sent, as a real server gives it. The engine keeps a plain path as given, but sends any other
    // (a space, raw UTF-8) through the WHATWG URL parser, which would also resolve dot segments
    // ('/a b/%2e%2e/admin' -> '/admin'), and those could route past a gateway's path rules.
    req.url = request.url
    if (!request.remoteAddress) hideRemoteAddress(req)
    if (request.secure) (req.socket as { encrypted?: boolean }).encrypted = true // TEMPORARY until the engine sets socket.encrypted from request.secure
    if (request.headers['user-agent'] === undefined) dropDefaultUserAgent(req)
    // A second 'error' (write after end, say) must not become an uncaught exception.
    res.on('error', noop)
    destroyableSocket(req, exchange)
    try {
      const result = adapter.dispatch(req, res) as Promise<unknown> | undefined
      if (result && typeof result.then === 'function') result.then(undefined, (error: unknown) => exchange?.fail(error))
    } catch (error) {
      exchange.fail(error)
    }
  }

  try {
    inject(dispatch, {
      method: request.method as 'GET',
      url: request.url,
      headers: request.headers,
      payload: request.body,
      remoteAddress: request.remoteAddress,
    }, (error, injected) => {
      // Called once the reply is complete, or with an error when it broke off (the app ended the connection).
      if (error || !injected || !exchange) return hooks.broken(error ?? new Error('no reply'))
      // rawPayload: the bytes as written, complete at end() (a write after end() is not in it, as on a real server).
      hooks.reply({ statusCode: injected.statusCode, headers: injected.headers, body: injected.rawPayload })
    })
  } catch (error) {
    hooks.failed(error)
  }
}

/**
 * One request's link back to the bridge, reachable from the request (`req[kFailure]`) and its mock socket.
 * Its behaviour is in methods, not in closures stored on those objects: such stores kept every request
 * alive through young-generation GCs until a full GC (found by bisection with `bench/gc-survival.cjs`, see
 * BENCHMARKS.md "GC"; test/robustness/per-request-closures.test.ts).
 */
class Exchange {
  constructor(readonly res: ServerResponse, private readonly hooks: ExchangeHooks) {}

  /** The app failed this request (the FailureSink contract: `answered` when it sends its own error reply). */
  fail(error: unknown, answered?: boolean): void {
    if (!answered && this.res.writableEnded) this.hooks.failedAfterReply(error)
    else this.hooks.failed(error, answered)
  }
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
function destroyableSocket(req: BridgedRequest, exchange: Exchange): void {
  const socket = req.socket as MockSocket
  if (typeof socket.destroy !== 'function') {
    socket[kExchange] = exchange
    socket.destroy = destroyMockSocket
  }
}

const kExchange = Symbol('scf-bridge.exchange')
type MockSocket = { destroy?: (error?: Error) => unknown; [kExchange]?: Exchange }

function destroyMockSocket(this: MockSocket, error?: Error): MockSocket {
  this[kExchange]?.res.destroy(error)
  return this
}

const noop = (): void => {}
