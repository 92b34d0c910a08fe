import { AsyncLocalStorage } from 'node:async_hooks'
import type { ScfContext, ScfHttpEvent } from './types'

/** The SCF invocation a piece of code runs in. */
export interface CurrentInvoke {
  event: ScfHttpEvent
  context: ScfContext
}

/** @internal the bridge runs each invocation inside this store. */
export const invokeStorage = new AsyncLocalStorage<CurrentInvoke>()

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
export function getCurrentInvoke(): CurrentInvoke | undefined {
  return invokeStorage.getStore()
}
