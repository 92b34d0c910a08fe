import type { ServerResponse } from 'node:http'
import { kFailure, type AppAdapter, type BridgedRequest } from './apps'
import type { CurrentInvoke } from './current-invoke'
import { inject } from './engine'
import type { ExchangeHooks } from './exchange'
import type { InjectionRequest } from './request-from-event'

/** Serves one request to a Node `(req, res)` app through the in-memory engine (docs/engine.md), and reports the outcome to `hooks`. */
export function injectInto(adapter: AppAdapter, request: InjectionRequest, scf: CurrentInvoke, hooks: ExchangeHooks): void {
  let exchange: Exchange | undefined

  const dispatch = (req: BridgedRequest, res: ServerResponse) => {
    exchange = new Exchange(res, hooks)
    req.scf = scf
    req[kFailure] = exchange
    try {
      const result = adapter.dispatch(req, res) as Promise<unknown> | undefined
      if (result && typeof result.then === 'function') result.then(undefined, (error: unknown) => exchange?.fail(error))
    } catch (error) {
      exchange.fail(error)
    }
  }

  try {
    // hooks.reply gets the complete reply, hooks.broken the error when it broke off (the app ended the connection).
    inject(dispatch, request, hooks)
  } catch (error) {
    hooks.failed(error)
  }
}

/**
 * One request's link back to the bridge, reachable from the request (`req[kFailure]`).
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
