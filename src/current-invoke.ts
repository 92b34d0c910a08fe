import { AsyncLocalStorage } from 'node:async_hooks'
import type { ScfTriggerEvents, TriggerKind } from './trigger-types'
import type { ScfContext, ScfHttpEvent } from './types'

/**
 * The SCF invocation a request belongs to: `req.scf` (Express, Node listeners; `ctx.req.scf` in Koa),
 * the second argument of a fetch app, and what `getCurrentInvoke()` returns.
 * `E` is the event's type: an HTTP event, unless `trigger` is set (then, e.g., `CurrentInvoke<ScfTimerEvent>`).
 */
export interface CurrentInvoke<E = ScfHttpEvent> {
  /** The event as SCF delivered it, unchanged: the HTTP event (API Gateway or Function URL dialect), or the trigger's. */
  event: E
  /** The SCF context of the invocation: `request_id`, `function_name`, `getRemainingTimeInMillis()`, ... */
  context: ScfContext
  /**
   * Set when the invocation is a trigger's event served by the `events` option: `timer`, `cos`, `ckafka`,
   * `cmq`, `cls` or `other`. Undefined for an HTTP request.
   */
  trigger?: TriggerKind
}

/**
 * @internal what one invocation serves, as `getCurrentInvoke()` then returns it: an HTTP event, or a trigger's
 * event delivered to its path in the app (`trigger` set, and the event of that kind).
 */
export type ServedInvoke =
  | (CurrentInvoke<ScfHttpEvent> & { trigger?: undefined })
  | { [K in TriggerKind]: CurrentInvoke<ScfTriggerEvents[K]> & { trigger: K } }[TriggerKind]

/**
 * @internal what the bridge runs each invocation in (an `Invocation`, src/invocation.ts): the invocation
 * as the app sees it, and where a failure with no request to report it on goes (an unhandled rejection of
 * the app's code). Structural, as the CommonJS and ESM builds share the store.
 */
export interface InvocationScope {
  invoke: CurrentInvoke<unknown>
  fail(error: unknown): void
}

/**
 * @internal the bridge runs each invocation inside this store. One store per process, shared by the
 * CommonJS and ESM builds (an app may load both), so getCurrentInvoke() sees every bridge's invocations.
 */
export const invokeStorage: AsyncLocalStorage<InvocationScope> = processWide(
  'invoke-storage',
  () => new AsyncLocalStorage(),
)

/** @internal one value per process for `key`, whichever build of the package asks first. */
export function processWide<T>(key: string, create: () => T): T {
  const registry = globalThis as unknown as Record<symbol, T | undefined>
  const symbol = Symbol.for(`scf-bridge.${key}`)
  registry[symbol] ??= create()
  return registry[symbol] as T
}

/**
 * The event and context of the invocation the caller runs in, from anywhere in the app
 * (a route, a service, a logger), or `undefined` outside an invocation.
 *
 * @example
 * const { getCurrentInvoke } = require('scf-bridge')
 * app.get('/whoami', (req, res) => {
 *   const { event, context } = getCurrentInvoke()
 *   res.json({ stage: event.requestContext?.stage, requestId: context.request_id })
 * })
 */
export function getCurrentInvoke<E = ScfHttpEvent>(): CurrentInvoke<E> | undefined {
  return invokeStorage.getStore()?.invoke as CurrentInvoke<E> | undefined
}
