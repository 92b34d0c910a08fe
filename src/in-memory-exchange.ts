import type { ServerResponse } from 'node:http'
import type { AppAdapter, BridgedRequest } from './apps'
import { inject } from './engine'
import type { Invocation } from './invocation'
import { isThenable } from './values'

/**
 * Serves one request to a Node `(req, res)` app through the in-memory engine (docs/engine.md). The
 * invocation is the engine's reply sink (the complete reply, or the error when it broke off) and is
 * reachable from the request for the adapters' failure reports.
 */
export function injectInto(adapter: AppAdapter, invocation: Invocation): void {
  const dispatch = (req: BridgedRequest, res: ServerResponse) => {
    invocation.response = res
    req.scf = invocation.invoke
    invocation.attachTo(req)
    try {
      const result = adapter.dispatch(req, res)
      if (isThenable(result)) result.then(undefined, (error: unknown) => invocation.fail(error))
    } catch (error) {
      invocation.fail(error)
    }
  }

  try {
    inject(dispatch, invocation.request, invocation)
  } catch (error) {
    invocation.fail(error)
  }
}
