import { isThenable, timerDelay } from '../values'

/** Any SCF Node.js handler: `async (event, context)` or `(event, context, callback)`. */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares its own event and context types; any one of them must be accepted here
export type AnyScfHandler = (event: any, context: any, callback: (error?: unknown, result?: unknown) => void) => unknown

/** How one invocation ended. */
export type HandlerOutcome =
  | { kind: 'returned'; value: unknown }
  | { kind: 'failed'; error: unknown }
  | { kind: 'timedOut'; timeoutMs: number }

/**
 * Invokes a handler as the SCF Node.js runtime does and settles once: the returned promise's value, the
 * callback's result, a throw or rejection, or the timeout. A handler that neither returns a promise nor takes
 * a callback returns its value (SCF sends `null` for nothing).
 */
export function callHandler(
  handler: AnyScfHandler,
  event: unknown,
  context: unknown,
  timeoutMs: number,
): Promise<HandlerOutcome> {
  return new Promise<HandlerOutcome>((resolve) => {
    let settled = false
    const settle = (outcome: HandlerOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(outcome)
    }
    const timer = setTimeout(() => settle({ kind: 'timedOut', timeoutMs }), timerDelay(timeoutMs))
    const callback = (error?: unknown, result?: unknown) => {
      if (error !== undefined && error !== null) settle({ kind: 'failed', error })
      else settle({ kind: 'returned', value: result === undefined ? null : result })
    }
    let result: unknown
    try {
      result = handler(event, context, callback)
    } catch (error) {
      settle({ kind: 'failed', error })
      return
    }
    if (isThenable(result)) {
      result.then(
        (value) => settle({ kind: 'returned', value: value === undefined ? null : value }),
        (error: unknown) =>
          settle({ kind: 'failed', error: error ?? new Error(`the handler rejected with ${String(error)}`) }),
      )
    } else if (handler.length < 3) {
      settle({ kind: 'returned', value: result === undefined ? null : result })
    }
  })
}
