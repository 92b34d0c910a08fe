import type { ScfContext } from '../types'
import { type AnyScfHandler, callHandler } from './call-handler'

/** How an invocation with a trigger's (or any non-HTTP) event ended. */
export interface InvokeEventResult {
  /** The handler returned or resolved: SCF counts a successful invocation. */
  ok: boolean
  /** What it returned; undefined when it failed. */
  result: unknown
  /** What it threw or rejected with, or an Error saying it timed out; undefined when it succeeded. */
  error: unknown
  /** It did not finish within the context's timeout. */
  timedOut: boolean
  /** The event the handler was called with. */
  event: unknown
  /** The context the handler was called with. */
  context: ScfContext
}

/**
 * Calls a handler once with `event` as it is, as SCF does for a trigger or a direct invocation, within the
 * context's time limit (`time_limit_in_ms`, default 3 s), and says how it ended. What `scf-bridge invoke`
 * and `scf-bridge/testing`'s `invokeEvent` both run.
 */
export async function invokeWithEvent(
  handler: AnyScfHandler,
  event: unknown,
  context: ScfContext,
): Promise<InvokeEventResult> {
  const timeoutMs = context.time_limit_in_ms ?? 3000
  const outcome = await callHandler(handler, event, context, timeoutMs)
  if (outcome.kind === 'returned')
    return { ok: true, result: outcome.value, error: undefined, timedOut: false, event, context }
  const error =
    outcome.kind === 'failed'
      ? outcome.error
      : new Error(`the function did not finish within its ${timeoutMs / 1000} s timeout`)
  return { ok: false, result: undefined, error, timedOut: outcome.kind === 'timedOut', event, context }
}
