import { invokeStorage, type CurrentInvoke } from './current-invoke'

/**
 * Express 4 (and any callback-style code) lets an async route's rejection go unhandled: without
 * this, Node 15+ would crash the instance and the invocation would hang until SCF's timeout.
 * AsyncLocalStorage tells which invocation the rejection came from, so it becomes that
 * invocation's 500. A rejection from outside any invocation keeps Node's default (it is thrown
 * as an uncaught exception) unless the app listens for unhandled rejections itself.
 */
const sinks = new WeakMap<CurrentInvoke, (error: unknown) => void>()
let installed = false

export function routeStrayRejections(invocation: CurrentInvoke, fail: (error: unknown) => void): void {
  sinks.set(invocation, fail)
  if (installed) return
  installed = true
  process.on('unhandledRejection', onUnhandledRejection)
}

function onUnhandledRejection(reason: unknown): void {
  const current = invokeStorage.getStore()
  const fail = current && sinks.get(current)
  if (fail) return fail(reason)
  if (process.listenerCount('unhandledRejection') === 1) throw reason
}
